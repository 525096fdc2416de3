/**
 * `trannsformer resume <run>`: continue a stopped, failed or killed run from
 * its checkpoint, in its own folder, with the config it recorded. The run
 * then takes the same steps it would have taken had it never stopped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfigObject, type ConfigOverride, type LoadedConfig } from '../config/resolve';
import { UserError } from '../core/errors';
import { FILES, markRunEnded, ownerAlive, readRun } from '../store/runFolder';
import type { EngineEvent } from '../events';
import { executeRun, type RunOptions, type RunOutcome } from './run';

export interface ResumeOptions {
  dir: string;
  emit: (e: EngineEvent) => void;
  signal?: AbortSignal;
  /** --backend and the like: applied over the recorded config (a different backend may round differently). */
  overrides?: ConfigOverride[];
  /** A sweep's fork parent saves its state for its children as it passes the fork epoch (see executeRun). */
  forkSave?: RunOptions['forkSave'];
}

/** Why a run folder cannot be resumed, or its recorded config ready to run again. */
export function resumableConfig(dir: string, overrides: readonly ConfigOverride[] = []): LoadedConfig {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result) throw new UserError(dir, `is not a run folder that can be resumed: ${rec.problem ?? 'unreadable'}`);
  const r = rec.result;
  if (r.status === 'completed') throw new UserError(dir, 'the run already completed: nothing to resume');
  if (r.status === 'running') {
    if (ownerAlive(r)) throw new UserError(dir, `the run is still running (process ${r.owner?.pid ?? r.pid}): stop it first`);
    markRunEnded(dir, 'interrupted', 'its process is gone');
  }
  // Without a checkpoint (stopped before the first, or checkpointEvery 0) the run trains again
  // from its seed in the same folder: the same run, only the lost epochs repeated.
  let raw: unknown;
  const configFile = path.join(dir, FILES.config);
  try {
    raw = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (e) {
    throw new UserError(configFile, `cannot be read as the run's config (${(e as Error).message})`);
  }
  // Relative dataset and preset paths were relative to the original config file.
  const baseDir = r.configFile && r.configFile !== '(config)' ? path.dirname(r.configFile) : dir;
  const loaded = loadConfigObject(raw, baseDir, overrides);
  return { ...loaded, file: r.configFile ?? configFile };
}

/** Resume a run; the folder is claimed (a lock file) so two resumes cannot take it at once. */
export async function resumeRun(opts: ResumeOptions): Promise<RunOutcome> {
  const dir = path.resolve(opts.dir);
  const release = claim(dir);
  try {
    const loaded = resumableConfig(dir, opts.overrides);
    return await executeRun({ loaded, outRoot: path.dirname(dir), emit: opts.emit, signal: opts.signal, resumeDir: dir, forkSave: opts.forkSave });
  } finally {
    release();
  }
}

const LOCK = '.resume.lock';

/** Take the folder's resume lock (O_EXCL); a lock left by a dead process is taken over. */
function claim(dir: string): () => void {
  const file = path.join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError(dir, 'run folder not found');
      if (code !== 'EEXIST') throw new UserError(dir, `cannot be claimed for resuming (${code ?? String(e)})`);
      let pid: number | undefined;
      try {
        pid = (JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number }).pid;
      } catch {
        pid = undefined;
      }
      if (typeof pid === 'number' && pid !== process.pid && ownerAlive({ pid, host: { node: '', platform: `${process.platform}-${process.arch}`, cpus: 0, cpuModel: '' } }))
        throw new UserError(dir, `is being resumed by process ${pid}`);
      fs.rmSync(file, { force: true });
    }
  }
  throw new UserError(dir, 'cannot be claimed for resuming (another process keeps taking it)');
}
