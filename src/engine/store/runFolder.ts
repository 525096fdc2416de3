/**
 * Run folders: `<root>/<YYYYMMDD-HHMMSS>-<name>/` holding
 *
 *   config.json     the config as run (every default filled in)
 *   result.json     status and summary; rewritten atomically at start, after
 *                   every epoch and at the end, so it is always valid JSON
 *   metrics.jsonl   one JSON line per completed epoch (EpochMetrics)
 *   model.tnsr      final weights and masks (see tensorFile.ts)
 *   checkpoint.tnsr training state to resume from (train/checkpoint.ts),
 *                   every training.checkpointEvery epochs and when stopped
 *   clusters.json   clusters per layer and the permutation that groups them
 *   mapping.json    crossbar placements under each mapping scheme
 *   evaluation.json spiking conversion, area and energy
 *   snapshots.tnsr  bit-packed connectivity and clusters at clustering
 *                   events and a few epochs (to watch the clusters form)
 *   report.html     the self-contained report
 *
 * A comparison folder holds `compare.json` and its runs' folders.
 * This module is the only reader and writer of these files.
 *
 * Status is "running" while a process works on it; "completed",
 * "interrupted" (stopped by the user, partial but valid) or "failed" after.
 * Readers never throw on a damaged folder: they report what is wrong.
 *
 * Every file is written whole to a temporary file and renamed over the old
 * one, so a reader (or a process killed mid-write) sees the old or the new
 * file, never a torn one; `metrics.jsonl` is append-only and its torn last
 * line is skipped. A write that fails (a full disk) leaves no temporary file
 * behind and raises an IoError naming the file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExperimentConfig } from '../config/schema';
import type { EpochMetrics } from '../format/metrics';
import type { RunStatus, RunResult, RunRecord } from '../format/run';
import type { ClusterRecord, ClustersFile, ConnectivitySnapshot, LayerClustersRecord, MappingFile, SnapshotReason } from '../format/clusters';
import type { Evaluation } from '../format/evaluation';
import type { CompareResult } from '../format/compare';
import { decodeTensors, encodeTensors, type NamedTensor } from './tensorFile';
import { fsErrorMessage, IoError, WriteError } from '../core/errors';
import { ensureOutRoot } from './outRoot';
import { isMissingFile, readBounded, readBoundedJson, readBoundedText, type FileKind } from '../core/boundedFile';
import { configFieldsDiffer, configSha256 } from './configPrint';

export const RUN_FORMAT = 'trannsformer-run';
export const RUN_FORMAT_VERSION = 1;

export const FILES = {
  config: 'config.json',
  result: 'result.json',
  metrics: 'metrics.jsonl',
  model: 'model.tnsr',
  clusters: 'clusters.json',
  mapping: 'mapping.json',
  evaluation: 'evaluation.json',
  snapshots: 'snapshots.tnsr',
  report: 'report.html',
  compare: 'compare.json',
  checkpoint: 'checkpoint.tnsr',
} as const;

/** Temporary files of atomic writes end with this, then the writer's pid and a counter. */
export const TEMP_MARK = '.tmp-';
let tempCounter = 0;

/**
 * Write a file whole or not at all: a temporary file beside it, flushed to
 * disk, renamed over it, the folder flushed (so the rename survives a power
 * loss). On failure the temporary file is removed and an
 * IoError names the file and the cause (ENOSPC: "no space left on device").
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}${TEMP_MARK}${process.pid}-${++tempCounter}`;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w', 0o644);
    for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd);
    fs.rmSync(tmp, { force: true });
    throw new WriteError(file, `could not be written: ${fsErrorMessage(e)}`, errnoOf(e));
  }
  syncFolder(path.dirname(file));
}

/** A system error's code (ENOSPC, EIO, …), or undefined for anything else. */
function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** Flush a folder's entries (the rename above) to disk; file systems that cannot (EINVAL, EISDIR, …) are left as they are. */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // The file itself is written and renamed: only its survival of a power loss is left to the file system.
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already failing: the first error is the one to report
  }
}

/**
 * `result.json` is padded to whole 4 KiB blocks (JSON allows trailing
 * spaces), so that when the disk is full and no temporary file can be made,
 * the final status still fits over the old file in place (no new blocks
 * needed): a run that fails on a full disk still says so.
 */
const RESULT_BLOCK = 4096;
function writeResultFile(dir: string, result: RunResult): void {
  const file = path.join(dir, FILES.result);
  const json = JSON.stringify(result, null, 2) + '\n';
  const size = Buffer.byteLength(json);
  const text = json + ' '.repeat(Math.ceil((size + 512) / RESULT_BLOCK) * RESULT_BLOCK - size);
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    if (!overwriteInPlace(file, text)) throw e;
  }
}

/** Overwrite a file's bytes without growing it (for a full disk); false when it would have to grow or the write fails. */
function overwriteInPlace(file: string, text: string): boolean {
  const bytes = Buffer.from(text.trimEnd() + '\n', 'utf8');
  let fd: number | undefined;
  try {
    if (fs.statSync(file).size < bytes.length) return false;
    fd = fs.openSync(file, 'r+');
    const padded = Buffer.alloc(fs.fstatSync(fd).size, 0x20);
    bytes.copy(padded);
    for (let at = 0; at < padded.length; ) at += fs.writeSync(fd, padded, at, padded.length - at, at);
    fs.fsyncSync(fd);
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

/** Temporary files an atomic write left behind (a process killed mid-write); removed when a run is resumed or closed. */
export function leftoverTempFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => n.includes(TEMP_MARK))
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Create a fresh, uniquely named run folder under `root`. */
export function createRunDir(root: string, name: string, now = new Date()): string {
  // Checked and made one level at a time: a recursive mkdir spins forever under /proc.
  ensureOutRoot(root);
  const base = `${stamp(now)}-${name}`;
  for (let i = 1; ; i++) {
    const dir = path.join(root, i === 1 ? base : `${base}-${i}`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/**
 * Make a folder whole: `fill` writes its first files into a hidden staging
 * folder under `root`, which is then renamed to a fresh `<stamp>-<name>` —
 * so a folder that has a run's (or sweep's) name always holds a readable
 * record, even if the process is killed while creating it. Staging folders
 * left by killed processes are removed here. Returns the folder.
 */
export function createFolderWhole(root: string, name: string, fill: (stage: string) => void, now = new Date()): string {
  ensureOutRoot(root);
  removeDeadStaging(root);
  const stage = fs.mkdtempSync(path.join(root, `${STAGING}${process.pid}-`));
  try {
    fill(stage);
    const base = `${stamp(now)}-${name}`;
    for (let i = 1; i <= 10000; i++) {
      const dir = path.join(root, i === 1 ? base : `${base}-${i}`);
      if (fs.existsSync(dir)) continue;
      try {
        // rename(2) onto a missing name is atomic; onto a non-empty folder (another process won the name) it fails.
        fs.renameSync(stage, dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') continue;
        throw new IoError(dir, `the folder could not be made: ${fsErrorMessage(e)}`);
      }
      return dir;
    }
    throw new IoError(root, `no free folder name for ${base}`);
  } catch (e) {
    fs.rmSync(stage, { recursive: true, force: true });
    throw e;
  }
}

/** Start a run folder whole (see createFolderWhole): config, empty metrics and result written before it takes its name. */
export function startRunFolder(root: string, name: string, config: ExperimentConfig, configFile?: string, now = new Date()): RunWriter {
  let writer: RunWriter | undefined;
  const dir = createFolderWhole(root, name, (stage) => (writer = new RunWriter(stage, config, configFile)), now);
  (writer as unknown as { dir: string }).dir = dir;
  return writer!;
}

/** Hidden staging folders of runs being created: `.staging-<pid>-<random>`. */
const STAGING = '.staging-';

/** Remove the staging folders under `root` whose process is gone (killed while creating a folder; also done by each creation). */
export function removeDeadStaging(root: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => n.startsWith(STAGING));
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(n.slice(STAGING.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) fs.rmSync(path.join(root, n), { recursive: true, force: true });
  }
}

/** Writes one run folder as the run goes. */
export class RunWriter {
  readonly result: RunResult;
  private readonly t0 = Date.now();
  /** Seconds the run took before it was resumed. */
  private secondsBefore = 0;
  /** The config as config.json holds it: every checkpoint records it, so a resume can tell an edited config. */
  private runConfig: unknown;

  /**
   * Take over a stopped or killed run folder to continue it from its
   * checkpoint at `epoch` (+ `batchesIntoEpoch`): metrics and snapshots after
   * that point are dropped (they will be made again), leftover temporary
   * files removed, the folder marked running and owned by this process.
   */
  static resume(dir: string, at: { epoch: number; batchesIntoEpoch: number }): RunWriter {
    const rec = readRun(dir);
    if (rec.state !== 'ok' || !rec.result || !rec.config) throw new IoError(dir, `cannot be resumed: ${rec.problem ?? 'not a run folder'}`);
    for (const f of leftoverTempFiles(dir)) fs.rmSync(f, { force: true });
    const w = Object.create(RunWriter.prototype) as RunWriter;
    const metrics = readMetrics(dir).metrics.filter((m) => m.epoch <= at.epoch);
    writeFileAtomic(path.join(dir, FILES.metrics), metrics.map((m) => JSON.stringify(m) + '\n').join(''));
    // Where the stopped run ended is not the run's end: its "final" label goes (and a snapshot taken only for it); the resumed run labels its own end.
    const snapshots = (decodeSnapshots(dir)?.meta ?? [])
      .filter((m) => m.epoch <= at.epoch)
      .map((m) => readSnapshot(dir, m.epoch))
      .filter((x): x is ConnectivitySnapshot => !!x)
      .map((x) => ({ ...x, reasons: x.reasons.filter((r) => r !== 'final') }))
      .filter((x) => x.reasons.length > 0);
    if (fs.existsSync(path.join(dir, FILES.snapshots))) writeFileAtomic(path.join(dir, FILES.snapshots), encodeSnapshots(snapshots));
    const last = metrics[metrics.length - 1];
    let best: RunResult['best'];
    for (const m of metrics) if (!best || m.testAccuracy > best.testAccuracy) best = { epoch: m.epoch, testAccuracy: m.testAccuracy };
    const prev = rec.result;
    // Reached only when the resume accepted it (resumableConfig refuses an edited config otherwise): recorded with the fields.
    const sha = configSha256(rec.config);
    const configChange = prev.configSha256 !== undefined && prev.configSha256 !== sha ? { fields: changedSinceCheckpoint(dir, rec.config), from: prev.configSha256, to: sha } : undefined;
    const result: RunResult = {
      ...prev,
      configSha256: sha,
      status: 'running',
      pid: process.pid,
      owner: ownerOfThisProcess(),
      updatedAt: new Date().toISOString(),
      // An accepted config change may change these: the record follows the config that runs.
      layers: rec.config.network?.layers ?? prev.layers,
      epochsPlanned: rec.config.training?.epochs ?? prev.epochsPlanned,
      epochsCompleted: at.epoch,
      batchesIntoEpoch: at.batchesIntoEpoch,
      final: last ? { testAccuracy: last.testAccuracy, testLoss: last.testLoss, trainAccuracy: last.trainAccuracy, trainLoss: last.trainLoss, keptFraction: last.keptFraction } : undefined,
      best,
      resumes: [...(Array.isArray(prev.resumes) ? prev.resumes : []), { at: new Date().toISOString(), fromEpoch: at.epoch, batchesIntoEpoch: at.batchesIntoEpoch, previousStatus: prev.status, ...(configChange ? { configChange } : {}) }],
    };
    for (const k of ['finishedAt', 'error', 'weightsFile', 'weightsNote', 'mapping', 'hardware'] as const) delete result[k];
    // Without a checkpoint the run trains again from its seed: the epochs a fork gave it are gone.
    if (at.epoch === 0 && at.batchesIntoEpoch === 0) delete result.forkedFrom;
    Object.assign(w, { dir, result, t0: Date.now(), secondsBefore: prev.seconds ?? 0, snapshots, runConfig: rec.config });
    w.save();
    return w;
  }

  constructor(
    /** The run folder (set once by `startRunFolder` when the staging folder takes its name). */
    readonly dir: string,
    config: ExperimentConfig,
    configFile?: string,
  ) {
    const now = new Date().toISOString();
    this.result = {
      format: RUN_FORMAT,
      formatVersion: RUN_FORMAT_VERSION,
      name: config.name,
      status: 'running',
      createdAt: now,
      updatedAt: now,
      pid: process.pid,
      owner: ownerOfThisProcess(),
      host: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown' },
      configFile,
      configSha256: configSha256(config),
      layers: config.network.layers,
      epochsPlanned: config.training.epochs,
      epochsCompleted: 0,
      batchesIntoEpoch: 0,
      seconds: 0,
    };
    writeFileAtomic(path.join(dir, FILES.config), JSON.stringify(config, null, 2) + '\n');
    this.runConfig = config;
    writeFileAtomic(path.join(dir, FILES.metrics), '');
    this.save();
  }

  update(patch: Partial<RunResult>): void {
    Object.assign(this.result, patch);
    this.save();
  }

  epoch(m: EpochMetrics): void {
    const file = path.join(this.dir, FILES.metrics);
    try {
      fs.appendFileSync(file, JSON.stringify(m) + '\n');
    } catch (e) {
      throw new WriteError(file, `could not be written: ${fsErrorMessage(e)}`, errnoOf(e));
    }
    const { testAccuracy, testLoss, trainAccuracy, trainLoss, keptFraction } = m;
    const best = this.result.best && this.result.best.testAccuracy >= testAccuracy ? this.result.best : { epoch: m.epoch, testAccuracy };
    this.update({ epochsCompleted: m.epoch, final: { testAccuracy, testLoss, trainAccuracy, trainLoss, keptFraction }, best });
  }

  private writeJson(name: string, value: unknown): void {
    writeFileAtomic(path.join(this.dir, name), JSON.stringify(value) + '\n');
  }

  writeClusters(file: ClustersFile): void {
    this.writeJson(FILES.clusters, file);
  }

  writeMapping(file: MappingFile): void {
    this.writeJson(FILES.mapping, file);
  }

  writeEvaluation(e: Evaluation): void {
    writeEvaluation(this.dir, e);
  }

  private readonly snapshots: ConnectivitySnapshot[] = [];

  /** Add a connectivity snapshot (a second one for the same epoch adds its reasons) and rewrite snapshots.tnsr. */
  snapshot(s: ConnectivitySnapshot): void {
    const same = this.snapshots.find((o) => o.epoch === s.epoch);
    if (same) {
      for (const r of s.reasons) if (!same.reasons.includes(r)) same.reasons.push(r);
      same.layers = s.layers;
    } else this.snapshots.push(s);
    writeFileAtomic(path.join(this.dir, FILES.snapshots), encodeSnapshots(this.snapshots));
  }

  /** Replace the checkpoint (see train/checkpoint.ts) and record where it stands. */
  writeCheckpoint(encoded: { tensors: NamedTensor[]; meta: Record<string, unknown> }, at: { epoch: number; batchesIntoEpoch: number }): void {
    const own = { name: this.result.name, runConfig: this.runConfig, runCreatedAt: this.result.createdAt };
    writeFileAtomic(path.join(this.dir, FILES.checkpoint), encodeTensors(encoded.tensors, { ...encoded.meta, ...own }));
    this.update({ checkpoint: { file: FILES.checkpoint, epoch: at.epoch, batchesIntoEpoch: at.batchesIntoEpoch, at: new Date().toISOString() } });
  }

  writeModel(tensors: NamedTensor[], note?: string): void {
    writeFileAtomic(path.join(this.dir, FILES.model), encodeTensors(tensors, { layers: this.result.layers, name: this.result.name }));
    this.update({ weightsFile: FILES.model, weightsNote: note });
  }

  finish(status: Exclude<RunStatus, 'running'>, patch: Partial<RunResult> = {}): RunResult {
    this.update({ ...patch, status, finishedAt: new Date().toISOString() });
    return this.result;
  }

  /**
   * A sign of life within an epoch: result.json rewritten (its updatedAt)
   * when it was last written HEARTBEAT_MS ago or more, so a reader on another
   * machine (ownerState) sees a long epoch as alive. Best effort: a refused
   * write is reported by the epoch's own writes.
   */
  heartbeat(now = Date.now()): void {
    if (now - this.savedAt < HEARTBEAT_MS) return;
    try {
      this.save();
    } catch {
      // The next metrics line or checkpoint names the file and the cause.
    }
  }

  private savedAt = 0;

  private save(): void {
    this.result.updatedAt = new Date().toISOString();
    this.result.seconds = this.secondsBefore + (Date.now() - this.t0) / 1000;
    writeResultFile(this.dir, this.result);
    this.savedAt = Date.now();
  }
}

/** How often a training run rewrites result.json within an epoch (RunWriter.heartbeat): far below OTHER_HOST_GRACE_MS. */
export const HEARTBEAT_MS = 60_000;

/** The kernel's start time of a process (Linux), to tell a reused pid from the owner; undefined elsewhere. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Who owns a running folder (or a lock): this process, as any reader on this machine can check it. */
export function ownerOfThisProcess(): NonNullable<RunResult['owner']> {
  const startTime = processStartTime(process.pid);
  return { pid: process.pid, hostname: os.hostname(), ...(startTime !== undefined ? { startTime } : {}) };
}

/**
 * How long a record owned by a process on another machine counts as live
 * after its last update (result.json is rewritten at every epoch end): past
 * it the owner counts as gone (a dead Slurm node); `--force` counts it gone at once.
 */
export const OTHER_HOST_GRACE_MS = 30 * 60_000;

/** Whose record, and when it was last written (ISO time), for ownerState. */
export interface OwnerRecord {
  pid: number;
  owner?: { pid: number; hostname?: string; startTime?: string };
  host?: { platform: string };
  updatedAt?: string;
}

/**
 * "alive": the owner runs on this machine (same pid and start time); "gone":
 * it does not, or it is on another machine and its record was not updated
 * for OTHER_HOST_GRACE_MS; "unknown": on another machine, updated within it.
 */
export function ownerState(r: OwnerRecord, now = Date.now()): 'alive' | 'gone' | 'unknown' {
  const o = r.owner ?? { pid: r.pid };
  if (o.hostname !== undefined ? o.hostname !== os.hostname() : r.host !== undefined && r.host.platform !== `${process.platform}-${process.arch}`) {
    const at = r.updatedAt === undefined ? NaN : Date.parse(r.updatedAt);
    return Number.isFinite(at) && now - at < OTHER_HOST_GRACE_MS ? 'unknown' : 'gone';
  }
  if (!processAlive(o.pid)) return 'gone';
  if (o.startTime !== undefined) {
    const started = processStartTime(o.pid);
    if (started !== undefined && started !== o.startTime) return 'gone';
  }
  return 'alive';
}

/**
 * Whether the process that owns a run folder (or a lock) may still live: a
 * live owner here, or one on another machine within the grace unless
 * `force` (the user says that machine is gone). A pid now held by another
 * process (start time differs) counts as dead.
 */
export function ownerAlive(r: OwnerRecord, opts: { force?: boolean; now?: number } = {}): boolean {
  const s = ownerState(r, opts.now);
  return s === 'alive' || (s === 'unknown' && opts.force !== true);
}

/** The owner of a record in words, for refusals: "process 12", or "process 12 on host h (last update …)". */
export function describeOwner(r: OwnerRecord): string {
  const o = r.owner ?? { pid: r.pid };
  return o.hostname !== undefined && o.hostname !== os.hostname() ? `process ${o.pid} on host ${o.hostname} (last update ${r.updatedAt ?? 'unknown'})` : `process ${o.pid}`;
}

/** Advice after a refusal because of a live-looking owner: what --force does, when the owner is on another machine. */
export function forceAdvice(r: OwnerRecord, flag: string): string {
  return ownerState(r) === 'unknown'
    ? `; it runs on another machine, which cannot be checked from here: if that machine or job is gone, wait until ${OTHER_HOST_GRACE_MS / 60_000} minutes after its last update or add ${flag}`
    : '';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Read a run folder's summary without throwing. */
export function readRun(dir: string): RunRecord {
  const rec: RunRecord = { dir, state: 'corrupt' };
  let result: RunResult;
  try {
    result = readBoundedJson(path.join(dir, FILES.result), 'result') as RunResult;
  } catch (e) {
    rec.problem = isMissingFile(e) ? 'result.json is missing' : `result.json is unreadable (${(e as Error).message})`;
    return rec;
  }
  if (result?.format !== RUN_FORMAT || typeof result.status !== 'string') {
    rec.problem = 'result.json is not a TraNNsformer run record';
    return rec;
  }
  const shapeProblem = resultShapeProblem(result);
  if (shapeProblem) {
    rec.problem = `result.json is damaged: ${shapeProblem}`;
    return rec;
  }
  if (result.formatVersion > RUN_FORMAT_VERSION) {
    rec.problem = `run format version ${result.formatVersion} is newer than this engine understands (${RUN_FORMAT_VERSION})`;
    return rec;
  }
  rec.result = result;
  try {
    rec.config = readBoundedJson(path.join(dir, FILES.config), 'config') as ExperimentConfig;
  } catch (e) {
    rec.problem = `config.json is unreadable (${(e as Error).message})`;
    return rec;
  }
  rec.state = 'ok';
  if (result.status === 'running' && !ownerAlive(result)) rec.stale = true;
  return rec;
}

/** Why the fields readers rely on are not of their type, or undefined. */
function resultShapeProblem(r: RunResult): string | undefined {
  // The folder's config is found through it (evaluate, resume): a path or nothing.
  if (r.configFile !== undefined && typeof r.configFile !== 'string') return 'configFile is not a path';
  return undefined;
}

/** Per-epoch metrics; a torn last line (the writer died mid-append) is skipped; `problem` when the file cannot be read (not when it is missing). */
export function readMetrics(dir: string): { metrics: EpochMetrics[]; skipped: number; problem?: string } {
  let text: string;
  try {
    text = readBoundedText(path.join(dir, FILES.metrics), 'metrics');
  } catch (e) {
    return { metrics: [], skipped: 0, ...(isMissingFile(e) ? {} : { problem: (e as Error).message }) };
  }
  const metrics: EpochMetrics[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const m = JSON.parse(line) as EpochMetrics | null;
      // A line that is not an epoch's record (null, a number, no epoch) is skipped like a torn one.
      if (m !== null && typeof m === 'object' && Number.isSafeInteger(m.epoch)) metrics.push(m);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { metrics, skipped };
}

/** The largest weight a model may hold (as train/checkpoint.ts MAX_WEIGHT): a larger one is damage that would ruin the spiking conversion. */
const MAX_MODEL_WEIGHT = 1e4;

/**
 * Weights and masks of a run, in the paper's [outputs, inputs] orientation.
 * A missing or damaged model.tnsr raises an IoError that says what is wrong
 * (every shape, value and mask bit is checked: a damaged file is never priced).
 */
export function readModel(dir: string): { layers: number[]; weights: Float32Array[]; masks: Uint8Array[] } {
  const file = path.join(dir, FILES.model);
  const { tensors, meta } = readTensorFile(file, 'model');
  const layers = meta.layers;
  if (!Array.isArray(layers) || layers.length < 2 || !layers.every((n) => Number.isSafeInteger(n) && n > 0)) throw new IoError(file, 'is damaged: its layer sizes are missing or invalid');
  const weights: Float32Array[] = [];
  const masks: Uint8Array[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const n = layers[l] * layers[l + 1];
    const w = tensors.get(`weights/${l}`)?.data;
    const m = tensors.get(`masks/${l}`)?.data;
    if (!(w instanceof Float32Array) || !(m instanceof Uint8Array)) throw new IoError(file, `is damaged: layer ${l + 1} has no weights or masks of the right type`);
    if (w.length !== n || m.length !== n) throw new IoError(file, `is damaged: layer ${l + 1} should hold ${layers[l + 1]}×${layers[l]} weights and masks`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(w[i])) throw new IoError(file, `is damaged: layer ${l + 1} holds a non-finite weight (at ${i})`);
    for (let i = 0; i < n; i++) if (Math.abs(w[i]) > MAX_MODEL_WEIGHT) throw new IoError(file, `is damaged: layer ${l + 1} holds the weight ${w[i]} (at ${i}), beyond ±${MAX_MODEL_WEIGHT}`);
    for (let i = 0; i < n; i++) if (m[i] > 1) throw new IoError(file, `is damaged: the mask of layer ${l + 1} holds ${m[i]} (masks are 0 or 1)`);
    weights.push(w);
    masks.push(m);
  }
  return { layers: layers as number[], weights, masks };
}

/** Decode a .tnsr file of a run folder; an IoError says what is missing or damaged. */
function readTensorFile(file: string, what: string): { tensors: Map<string, NamedTensor>; meta: Record<string, unknown> } {
  let buf: Buffer;
  try {
    buf = readBounded(file, 'tensors');
  } catch (e) {
    throw isMissingFile(e) ? new IoError(file, `is missing: the run has no ${what} file`) : e;
  }
  try {
    return decodeTensors(buf, file);
  } catch (e) {
    // decodeTensors names the file already; say it is damaged, once.
    throw new IoError(file, `is damaged: ${(e as Error).message.replace(`${file}: `, '')}`);
  }
}

/** The raw checkpoint of a run (decode with train/checkpoint.ts), or an IoError when it has none or it is damaged. */
export function readCheckpointFile(dir: string): { file: string; tensors: Map<string, NamedTensor>; meta: Record<string, unknown> } {
  const file = path.join(dir, FILES.checkpoint);
  return { file, ...readTensorFile(file, 'checkpoint') };
}

/** The fields of `config` that differ from the config the run's checkpoint recorded (a note when no checkpoint holds one). */
export function changedSinceCheckpoint(dir: string, config: unknown): string[] {
  let recorded: unknown;
  try {
    recorded = readCheckpointFile(dir).meta.runConfig;
  } catch {
    recorded = undefined;
  }
  return recorded === undefined ? ['(not known: no checkpoint records the earlier config)'] : configFieldsDiffer(recorded, config);
}

/** Delete a run's checkpoint (a completed run needs none). */
export function removeCheckpoint(dir: string): void {
  fs.rmSync(path.join(dir, FILES.checkpoint), { force: true });
}

/** Whether a run folder holds a checkpoint (without reading it). */
export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, FILES.checkpoint));
}

/** Subfolders of `root`, newest first (their names start with a timestamp); none when it does not exist. */
export function subfolders(root: string): string[] {
  try {
    // Dot-folders (claims, editors' folders) are not runs.
    const names = fs
      .readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name);
    return names.sort().reverse().map((n) => path.join(root, n));
  } catch {
    return [];
  }
}

/** Every run folder under `root`, newest first; unreadable ones are listed as corrupt. */
export function listRuns(root: string): RunRecord[] {
  return subfolders(root).map(readRun);
}

/** Parse a JSON file of a run folder; undefined when it is missing or damaged (readers never throw). */
function readJson<T>(file: string, kind: FileKind): T | undefined {
  try {
    return readBoundedJson(file, kind) as T;
  } catch {
    return undefined;
  }
}

/** `clusters.json`, or undefined (runs of the original mode before clusters were recorded, or a damaged file). */
export function readClusters(dir: string): ClustersFile | undefined {
  const c = readJson<ClustersFile>(path.join(dir, FILES.clusters), 'clusters');
  return c && Array.isArray(c.layers) ? c : undefined;
}

/**
 * The clusters of each layer of a network of `layers`, checked against it:
 * none when the run has no clusters.json; an IoError naming the file when it
 * exists but is damaged (unparsable, or a neuron index outside its layer) —
 * pricing a network with half its clusters would give wrong numbers.
 */
export function readClustersFor(dir: string, layers: readonly number[]): ClustersFile['layers'][number]['clusters'][] {
  const file = path.join(dir, FILES.clusters);
  let text: string;
  try {
    text = readBoundedText(file, 'clusters');
  } catch (e) {
    if (isMissingFile(e)) return layers.slice(1).map(() => []);
    throw e;
  }
  const bad = (why: string): never => {
    throw new IoError(file, `is damaged: ${why}`);
  };
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch {
    return bad('not JSON');
  }
  const ls = (c as Partial<ClustersFile> | null)?.layers;
  if (!Array.isArray(ls)) return bad('no list of layers');
  if (ls.length !== layers.length - 1) bad(`${ls.length} layers for a network of ${layers.length - 1}`);
  const inRange = (v: unknown, n: number): v is number[] => Array.isArray(v) && v.every((i) => Number.isInteger(i) && i >= 0 && i < n);
  return ls.map((l: unknown, i) => {
    const clusters = (l as Partial<LayerClustersRecord> | null)?.clusters;
    if (!Array.isArray(clusters)) return bad(`layer ${i + 1} has no list of clusters`);
    for (const [k, cl] of clusters.entries()) {
      const x = cl as Partial<ClusterRecord> | null;
      if (!x || !inRange(x.inputs, layers[i]) || !inRange(x.outputs, layers[i + 1])) bad(`cluster ${k + 1} of layer ${i + 1} names a neuron outside the layer (${layers[i + 1]}×${layers[i]})`);
      if (typeof x!.quality !== 'number' || !Number.isFinite(x!.quality) || typeof x!.valid !== 'boolean') bad(`cluster ${k + 1} of layer ${i + 1} has no valid quality or validity`);
    }
    return clusters as ClusterRecord[];
  });
}

/** `mapping.json`, or undefined. */
export function readMapping(dir: string): MappingFile | undefined {
  const m = readJson<MappingFile>(path.join(dir, FILES.mapping), 'mapping');
  return m && typeof m.schemes === 'object' && m.schemes !== null ? m : undefined;
}

/** `evaluation.json`, or undefined. */
export function readEvaluation(dir: string): Evaluation | undefined {
  const e = readJson<Evaluation>(path.join(dir, FILES.evaluation), 'evaluation');
  return e && Array.isArray(e.results) ? e : undefined;
}

export function writeEvaluation(dir: string, e: Evaluation): void {
  writeFileAtomic(path.join(dir, FILES.evaluation), JSON.stringify(e, null, 2) + '\n');
}

/**
 * Replace a finished run's `hardware` summary in result.json (a later
 * `evaluate` measured it again); false when the run is still running or the
 * folder is not a readable run (its own process writes result.json then).
 */
export function updateHardwareSummary(dir: string, hardware: NonNullable<RunResult['hardware']>): boolean {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result || rec.result.status === 'running') return false;
  writeResultFile(dir, { ...rec.result, hardware, updatedAt: new Date().toISOString() });
  return true;
}

/** Whether a folder is a comparison folder (holds `compare.json`), without reading it. */
export function isCompareDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, FILES.compare));
}

/** The comparison record's file in a comparison folder (for messages). */
export const compareFile = (dir: string): string => path.join(dir, FILES.compare);

/** `compare.json` of a comparison folder, or undefined. */
export function readCompare(dir: string): CompareResult | undefined {
  const c = readJson<CompareResult>(path.join(dir, FILES.compare), 'compare');
  return c && Array.isArray(c.rows) ? c : undefined;
}

export function writeCompare(dir: string, c: CompareResult): void {
  writeFileAtomic(path.join(dir, FILES.compare), JSON.stringify(c, null, 2) + '\n');
}

/** Write the HTML report of a run or comparison folder; returns its path. */
export function writeReportFile(dir: string, html: string): string {
  const file = path.join(dir, FILES.report);
  writeFileAtomic(file, html);
  return file;
}

/**
 * Close a run whose process ended without closing it (killed, crashed): a
 * folder still "running" becomes `status` with the reason. Does nothing to a
 * folder that is not running, or whose owner process is still alive.
 */
export function markRunEnded(dir: string, status: Exclude<RunStatus, 'running' | 'completed'>, reason: string, opts: { force?: boolean } = {}): boolean {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result || rec.result.status !== 'running') return false;
  // A live owner on this machine still closes its own folder (one on another machine too, within the grace and unless forced).
  if (ownerAlive(rec.result, opts)) return false;
  const result: RunResult = { ...rec.result, status, finishedAt: new Date().toISOString(), error: { message: `${reason} (the engine exited without closing the run)` } };
  try {
    writeResultFile(dir, result);
  } catch {
    return false; // a read-only or full disk: readers keep reporting it as stale
  }
  for (const f of leftoverTempFiles(dir)) fs.rmSync(f, { force: true });
  return true;
}

/**
 * A run its own process closed as failed because a write was refused (a full
 * disk): not a failure of its training, whose checkpoint stands. Its folder
 * becomes `interrupted` with `reason`, so a sweep's resume continues it from
 * the checkpoint. Written in place when the disk is still full (result.json
 * is padded for that). False when the folder is not such a run.
 */
export function markRunInterrupted(dir: string, reason: string): boolean {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result || rec.result.status !== 'failed') return false;
  try {
    writeResultFile(dir, { ...rec.result, status: 'interrupted', error: { message: reason } });
  } catch {
    return false;
  }
  return true;
}

// ---- connectivity snapshots ----------------------------------------------

/** Bit-pack a 0/1 matrix, most significant bit first. */
export function packBits(m: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(m.length / 8));
  for (let k = 0; k < m.length; k++) if (m[k]) out[k >> 3] |= 0x80 >> (k & 7);
  return out;
}

function encodeSnapshots(list: ConnectivitySnapshot[]): Uint8Array {
  const tensors: NamedTensor[] = [];
  const meta = list.map((s) => ({
    epoch: s.epoch,
    reasons: s.reasons,
    layers: s.layers.map((l, i) => {
      tensors.push({ name: `epoch${s.epoch}/layer${i}`, shape: [l.bits.length], data: l.bits });
      return { rows: l.rows, cols: l.cols, clusters: l.clusters };
    }),
  }));
  return encodeTensors(tensors, { snapshots: meta });
}

type SnapshotMeta = { epoch: number; reasons: SnapshotReason[]; layers: { rows: number; cols: number; clusters: ConnectivitySnapshot['layers'][number]['clusters'] }[] };

function isSnapshotMeta(v: unknown): v is SnapshotMeta {
  const m = v as Partial<SnapshotMeta> | null;
  return (
    !!m &&
    typeof m === 'object' &&
    Number.isSafeInteger(m.epoch) &&
    Array.isArray(m.reasons) &&
    m.reasons.every((r) => typeof r === 'string') &&
    Array.isArray(m.layers) &&
    m.layers.every(
      (l) =>
        !!l &&
        typeof l === 'object' &&
        Number.isSafeInteger(l.rows) &&
        l.rows > 0 &&
        Number.isSafeInteger(l.cols) &&
        l.cols > 0 &&
        Array.isArray(l.clusters) &&
        l.clusters.every((c) => !!c && indicesBelow(c.inputs, l.cols) && indicesBelow(c.outputs, l.rows)),
    )
  );
}

/** An array of whole numbers in [0, n). */
function indicesBelow(v: unknown, n: number): boolean {
  return Array.isArray(v) && v.every((i) => Number.isInteger(i) && i >= 0 && i < n);
}

function decodeSnapshots(dir: string): { meta: SnapshotMeta[]; tensors: Map<string, { data: unknown }> } | undefined {
  const file = path.join(dir, FILES.snapshots);
  try {
    const { tensors, meta } = decodeTensors(readBounded(file, 'snapshots'), file);
    const list = (meta as { snapshots?: unknown }).snapshots;
    // Every entry is checked: a damaged one is left out, never half-read.
    return Array.isArray(list) ? { meta: list.filter(isSnapshotMeta), tensors } : undefined;
  } catch {
    return undefined;
  }
}

/** The epochs with a connectivity snapshot, in order; none when the run has none (or the file is damaged). */
export function listSnapshots(dir: string): { epoch: number; reasons: SnapshotReason[] }[] {
  return (decodeSnapshots(dir)?.meta ?? []).map((s) => ({ epoch: s.epoch, reasons: s.reasons })).sort((a, b) => a.epoch - b.epoch);
}

/** One snapshot, or undefined when there is none for that epoch or it is damaged. */
export function readSnapshot(dir: string, epoch: number): ConnectivitySnapshot | undefined {
  const d = decodeSnapshots(dir);
  const s = d?.meta.find((m) => m.epoch === epoch);
  if (!d || !s) return undefined;
  const layers: ConnectivitySnapshot['layers'] = [];
  for (let i = 0; i < s.layers.length; i++) {
    const bits = d.tensors.get(`epoch${epoch}/layer${i}`)?.data;
    const l = s.layers[i];
    if (!(bits instanceof Uint8Array) || bits.length !== Math.ceil((l.rows * l.cols) / 8)) return undefined;
    layers.push({ rows: l.rows, cols: l.cols, clusters: l.clusters, bits });
  }
  return { epoch: s.epoch, reasons: s.reasons, layers };
}

/** The report of a run or comparison folder, or undefined when there is none yet. */
export function readReportFile(dir: string): string | undefined {
  try {
    return readBoundedText(path.join(dir, FILES.report), 'report');
  } catch {
    return undefined;
  }
}
