/** Typed, checked reads of the extension's settings (one reader; nothing else calls getConfiguration). */
import * as os from 'node:os';
import * as vscode from 'vscode';

export interface Settings {
  /** Runs folder, relative to each workspace folder (or absolute). */
  runsFolder: string;
  /** Background runs allowed at once. */
  maxConcurrentRuns: number;
  /** Node executable for runs ('' = the editor's own runtime). */
  nodePath: string;
  /** Extra CLI arguments for runs, e.g. ["--backend", "wasm"]. */
  backend: 'config' | 'auto' | 'onnx' | 'wasm' | 'node' | 'cpu';
  /** Where Run Sweep runs the points: worker processes here, or a Slurm job array. */
  sweepExecutor: 'local' | 'slurm';
  /** Slurm resources per array task ('' / 0: the CLI's defaults). */
  slurm: { partition: string; time: string; cpus: number; mem: string };
}

/** The CLI arguments of Run Sweep's executor (none for the local one). */
export function sweepExecutorArgs(s: Pick<Settings, 'sweepExecutor' | 'slurm'>): string[] {
  if (s.sweepExecutor !== 'slurm') return [];
  const args = ['--executor', 'slurm'];
  if (s.slurm.partition) args.push('--partition', s.slurm.partition);
  if (s.slurm.time) args.push('--time', s.slurm.time);
  if (s.slurm.cpus > 0) args.push('--cpus', String(s.slurm.cpus));
  if (s.slurm.mem) args.push('--mem', s.slurm.mem);
  return args;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('trannsformer');
  const runsFolder = c.get<string>('runsFolder', '.trannsformer/runs');
  const max = c.get<number>('maxConcurrentRuns', 0);
  const nodePath = c.get<string>('nodePath', '');
  const backend = c.get<string>('backend', 'config');
  const str = (key: string) => {
    const v = c.get<string>(key, '');
    return typeof v === 'string' ? v.trim() : '';
  };
  const cpus = c.get<number>('sweep.slurm.cpus', 0);
  return {
    runsFolder: typeof runsFolder === 'string' && runsFolder.trim() ? runsFolder.trim() : '.trannsformer/runs',
    maxConcurrentRuns: Number.isInteger(max) && max > 0 ? max : os.cpus().length,
    nodePath: typeof nodePath === 'string' ? nodePath.trim() : '',
    backend: (['config', 'auto', 'onnx', 'wasm', 'node', 'cpu'] as const).find((b) => b === backend) ?? 'config',
    sweepExecutor: c.get<string>('sweep.executor', 'local') === 'slurm' ? 'slurm' : 'local',
    slurm: { partition: str('sweep.slurm.partition'), time: str('sweep.slurm.time'), cpus: Number.isInteger(cpus) && cpus > 0 ? cpus : 0, mem: str('sweep.slurm.mem') },
  };
}
