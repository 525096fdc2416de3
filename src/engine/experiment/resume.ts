/**
 * `trannsformer resume <run>`: continue a stopped, failed or killed run from
 * its checkpoint, in its own folder, with the config it recorded. The run
 * then takes the same steps it would have taken had it never stopped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigObject, type ConfigOverride, type LoadedConfig } from '../config/resolve';
import { errorMessage, UserError } from '../core/errors';
import { changedSinceCheckpoint, describeOwner, FILES, forceAdvice, hasCheckpoint, markRunEnded, ownerAlive, ownerOfThisProcess, readCheckpointFile, readRun, type OwnerRecord } from '../store/runFolder';
import { readBoundedJson } from '../core/boundedFile';
import { configFieldsDiffer, configSha256 } from '../store/configPrint';
import { checkLoopState, decodeCheckpoint } from '../train/checkpoint';
import type { RunResult } from '../format/run';
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
  /** --accept-config-change: continue with an edited config.json (see resumableConfig). */
  acceptConfigChange?: boolean;
  /** --force: an owner or resume lock on another machine counts as gone (that machine or job is dead). */
  force?: boolean;
}

/** What a resume may accept that it refuses by default. */
export interface ResumeChecks {
  /** Continue with a config.json edited since the run started (recorded in result.json's resume record). */
  acceptConfigChange?: boolean;
  /** Take over a run whose owner is on another machine that cannot be checked from here. */
  force?: boolean;
}

/**
 * Why a run folder cannot be resumed, or its recorded config ready to run
 * again. Everything is checked before the folder changes: a refused resume
 * leaves it as it was.
 */
export function resumableConfig(dir: string, overrides: readonly ConfigOverride[] = [], checks: ResumeChecks = {}): LoadedConfig {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result) throw new UserError(dir, `is not a run folder that can be resumed: ${rec.problem ?? 'unreadable'}`);
  const r = rec.result;
  if (r.status === 'completed') throw new UserError(dir, 'the run already completed: nothing to resume');
  if (r.status === 'running' && ownerAlive(r, { force: checks.force }))
    throw new UserError(dir, `the run is still running (${describeOwner(r)}): stop it first${forceAdvice(r, '--force')}`);
  // Without a checkpoint (stopped before the first, or checkpointEvery 0) the run trains again
  // from its seed in the same folder: the same run, only the lost epochs repeated.
  let raw: unknown;
  const configFile = path.join(dir, FILES.config);
  try {
    raw = readBoundedJson(configFile, 'config');
  } catch (e) {
    throw new UserError(configFile, `cannot be read as the run's config (${(e as Error).message.replace(`${configFile}: `, '')})`);
  }
  // Relative dataset and preset paths were relative to the original config file.
  const baseDir = r.configFile && r.configFile !== '(config)' ? path.dirname(r.configFile) : dir;
  let loaded: LoadedConfig;
  try {
    loaded = loadConfigObject(raw, baseDir, overrides);
  } catch (e) {
    throw new UserError(configFile, `is not a valid config: ${errorMessage(e).replace(/^\(config\): /, '')}`);
  }
  checkConfigUnchanged(dir, r, raw, configFile, checks.acceptConfigChange === true);
  checkCheckpoint(dir, r, raw, loaded, checks.acceptConfigChange === true);
  if (r.status === 'running') markRunEnded(dir, 'interrupted', 'its process is gone', { force: checks.force });
  return { ...loaded, file: r.configFile ?? configFile };
}

/** config.json as the run started it (its fingerprint in result.json), unless a change is accepted. */
function checkConfigUnchanged(dir: string, r: RunResult, raw: unknown, configFile: string, accept: boolean): void {
  if (accept || r.configSha256 === undefined || r.configSha256 === configSha256(raw)) return;
  throw configChanged(configFile, changedSinceCheckpoint(dir, raw));
}

function configChanged(configFile: string, fields: string[]): UserError {
  return new UserError(
    configFile,
    `was changed since the run started (${fields.join(', ')}): resuming would continue the run with other settings. Restore it, start a new run, or resume with --accept-config-change to continue with the edited config (recorded in result.json)`,
  );
}

/** The checkpoint is this run's, made with this config, and every field of it is one the run could have reached. */
function checkCheckpoint(dir: string, r: RunResult, raw: unknown, loaded: LoadedConfig, accept: boolean): void {
  if (!hasCheckpoint(dir)) return;
  const { file, tensors, meta } = readCheckpointFile(dir);
  if (meta.runCreatedAt !== undefined && meta.runCreatedAt !== r.createdAt)
    throw new UserError(file, `belongs to another run (created ${String(meta.runCreatedAt).slice(0, 40)}; this run was created ${r.createdAt}): refusing to resume from it`);
  if (!accept && meta.runConfig !== undefined && configSha256(meta.runConfig) !== configSha256(raw)) throw configChanged(path.join(dir, FILES.config), configFieldsDiffer(meta.runConfig, raw));
  const config = loaded.config;
  try {
    const cp = decodeCheckpoint(tensors, meta, config.network.layers, config.transform.mode !== 'original');
    const train = r.dataset?.train;
    checkLoopState(cp.loop, config.training, Number.isSafeInteger(train) && train! > 0 ? train : undefined);
  } catch (e) {
    throw new UserError(file, `cannot resume from this checkpoint: ${errorMessage(e)}`);
  }
}

/** Resume a run; the folder is claimed (a lock file) so two resumes cannot take it at once. */
export async function resumeRun(opts: ResumeOptions): Promise<RunOutcome> {
  const dir = path.resolve(opts.dir);
  const release = claim(dir, opts.force === true);
  try {
    const loaded = resumableConfig(dir, opts.overrides, { acceptConfigChange: opts.acceptConfigChange, force: opts.force });
    return await executeRun({ loaded, outRoot: path.dirname(dir), emit: opts.emit, signal: opts.signal, resumeDir: dir, forkSave: opts.forkSave });
  } finally {
    release();
  }
}

const LOCK = '.resume.lock';

/**
 * Take the folder's resume lock (O_EXCL), holding its owner (pid, host,
 * process start time). A lock whose owner is gone is taken over: dead here,
 * its pid reused by another process, or on another machine with no sign of
 * life (the lock or result.json) for the grace — or at once with `force`.
 */
function claim(dir: string, force: boolean): () => void {
  const file = path.join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ ...ownerOfThisProcess(), at: new Date().toISOString() }), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError(dir, 'run folder not found');
      if (code !== 'EEXIST') throw new UserError(dir, `cannot be claimed for resuming (${code ?? String(e)})`);
      const holder = lockHolder(dir, file);
      if (holder && !isThisProcess(holder) && ownerAlive(holder, { force }))
        throw new UserError(dir, `is being resumed by ${describeOwner(holder)}${forceAdvice(holder, '--force')}`);
      fs.rmSync(file, { force: true });
    }
  }
  throw new UserError(dir, 'cannot be claimed for resuming (another process keeps taking it)');
}

/** The resume lock's owner, its last sign of life the later of the lock's time and result.json's; undefined when unreadable (a torn lock: taken over). */
function lockHolder(dir: string, file: string): OwnerRecord | undefined {
  let v: { pid?: unknown; hostname?: unknown; startTime?: unknown; at?: unknown };
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof v;
  } catch {
    return undefined;
  }
  if (typeof v?.pid !== 'number' || !Number.isSafeInteger(v.pid) || v.pid <= 0) return undefined;
  const owner = { pid: v.pid, ...(typeof v.hostname === 'string' ? { hostname: v.hostname } : {}), ...(typeof v.startTime === 'string' ? { startTime: v.startTime } : {}) };
  const times = [v.at, readRun(dir).result?.updatedAt].filter((t): t is string => typeof t === 'string' && Number.isFinite(Date.parse(t)));
  const updatedAt = times.sort((a, b) => Date.parse(b) - Date.parse(a))[0];
  return { pid: v.pid, owner, updatedAt };
}

const isThisProcess = (r: OwnerRecord) => r.pid === process.pid && (r.owner?.hostname ?? os.hostname()) === os.hostname();
