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
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('trannsformer');
  const runsFolder = c.get<string>('runsFolder', '.trannsformer/runs');
  const max = c.get<number>('maxConcurrentRuns', 0);
  const nodePath = c.get<string>('nodePath', '');
  const backend = c.get<string>('backend', 'config');
  return {
    runsFolder: typeof runsFolder === 'string' && runsFolder.trim() ? runsFolder.trim() : '.trannsformer/runs',
    maxConcurrentRuns: Number.isInteger(max) && max > 0 ? max : os.cpus().length,
    nodePath: typeof nodePath === 'string' ? nodePath.trim() : '',
    backend: (['config', 'auto', 'onnx', 'wasm', 'node', 'cpu'] as const).find((b) => b === backend) ?? 'config',
  };
}
