/**
 * Run folders: `<root>/<YYYYMMDD-HHMMSS>-<name>/` holding
 *
 *   config.json     the config as run (every default filled in)
 *   result.json     status and summary; rewritten atomically at start, after
 *                   every epoch and at the end, so it is always valid JSON
 *   metrics.jsonl   one JSON line per completed epoch (EpochMetrics)
 *   model.tnsr      final weights and masks (see tensorFile.ts)
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
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExperimentConfig } from '../config/schema';
import type { EpochMetrics } from '../format/metrics';
import type { RunStatus, RunResult, RunRecord } from '../format/run';
import type { ClustersFile, ConnectivitySnapshot, MappingFile, SnapshotReason } from '../format/clusters';
import type { Evaluation } from '../format/evaluation';
import type { CompareResult } from '../format/compare';
import { decodeTensors, encodeTensors, type NamedTensor } from './tensorFile';

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
} as const;

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Create a fresh, uniquely named run folder under `root`. */
export function createRunDir(root: string, name: string, now = new Date()): string {
  fs.mkdirSync(root, { recursive: true });
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

/** Writes one run folder as the run goes. */
export class RunWriter {
  readonly result: RunResult;
  private readonly t0 = Date.now();

  constructor(
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
      layers: config.network.layers,
      epochsPlanned: config.training.epochs,
      epochsCompleted: 0,
      batchesIntoEpoch: 0,
      seconds: 0,
    };
    writeFileAtomic(path.join(dir, FILES.config), JSON.stringify(config, null, 2) + '\n');
    fs.writeFileSync(path.join(dir, FILES.metrics), '');
    this.save();
  }

  update(patch: Partial<RunResult>): void {
    Object.assign(this.result, patch);
    this.save();
  }

  epoch(m: EpochMetrics): void {
    fs.appendFileSync(path.join(this.dir, FILES.metrics), JSON.stringify(m) + '\n');
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

  writeModel(tensors: NamedTensor[], note?: string): void {
    writeFileAtomic(path.join(this.dir, FILES.model), encodeTensors(tensors, { layers: this.result.layers, name: this.result.name }));
    this.update({ weightsFile: FILES.model, weightsNote: note });
  }

  finish(status: Exclude<RunStatus, 'running'>, patch: Partial<RunResult> = {}): RunResult {
    this.update({ ...patch, status, finishedAt: new Date().toISOString() });
    return this.result;
  }

  private save(): void {
    this.result.updatedAt = new Date().toISOString();
    this.result.seconds = (Date.now() - this.t0) / 1000;
    writeFileAtomic(path.join(this.dir, FILES.result), JSON.stringify(this.result, null, 2) + '\n');
  }
}

/** The kernel's start time of a process (Linux), to tell a reused pid from the owner; undefined elsewhere. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Who owns a running folder: this process, as any reader on this machine can check it. */
function ownerOfThisProcess(): NonNullable<RunResult['owner']> {
  const startTime = processStartTime(process.pid);
  return { pid: process.pid, hostname: os.hostname(), ...(startTime !== undefined ? { startTime } : {}) };
}

/**
 * Whether the process that owns a run folder still lives. A folder written
 * on another machine cannot be checked from here and counts as alive; a pid
 * now held by another process (start time differs) counts as dead.
 */
export function ownerAlive(r: Pick<RunResult, 'pid' | 'owner' | 'host'>): boolean {
  const o = r.owner ?? { pid: r.pid };
  if (o.hostname !== undefined ? o.hostname !== os.hostname() : r.host?.platform !== `${process.platform}-${process.arch}`) return true;
  if (!processAlive(o.pid)) return false;
  if (o.startTime !== undefined) {
    const now = processStartTime(o.pid);
    if (now !== undefined && now !== o.startTime) return false;
  }
  return true;
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
    result = JSON.parse(fs.readFileSync(path.join(dir, FILES.result), 'utf8')) as RunResult;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    rec.problem = code === 'ENOENT' ? 'result.json is missing' : `result.json is unreadable (${(e as Error).message})`;
    return rec;
  }
  if (result?.format !== RUN_FORMAT || typeof result.status !== 'string') {
    rec.problem = 'result.json is not a TraNNsformer run record';
    return rec;
  }
  if (result.formatVersion > RUN_FORMAT_VERSION) {
    rec.problem = `run format version ${result.formatVersion} is newer than this engine understands (${RUN_FORMAT_VERSION})`;
    return rec;
  }
  rec.result = result;
  try {
    rec.config = JSON.parse(fs.readFileSync(path.join(dir, FILES.config), 'utf8')) as ExperimentConfig;
  } catch (e) {
    rec.problem = `config.json is unreadable (${(e as Error).message})`;
    return rec;
  }
  rec.state = 'ok';
  if (result.status === 'running' && !ownerAlive(result)) rec.stale = true;
  return rec;
}

/** Per-epoch metrics; a torn last line (the writer died mid-append) is skipped. */
export function readMetrics(dir: string): { metrics: EpochMetrics[]; skipped: number } {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, FILES.metrics), 'utf8');
  } catch {
    return { metrics: [], skipped: 0 };
  }
  const metrics: EpochMetrics[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      metrics.push(JSON.parse(line) as EpochMetrics);
    } catch {
      skipped++;
    }
  }
  return { metrics, skipped };
}

/** Weights and masks of a run, in the paper's [outputs, inputs] orientation. */
export function readModel(dir: string): { layers: number[]; weights: Float32Array[]; masks: Uint8Array[] } {
  const file = path.join(dir, FILES.model);
  const { tensors, meta } = decodeTensors(fs.readFileSync(file), file);
  const layers = meta.layers as number[];
  const weights: Float32Array[] = [];
  const masks: Uint8Array[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const w = tensors.get(`weights/${l}`);
    const m = tensors.get(`masks/${l}`);
    if (!w || !m) throw new Error(`${file}: layer ${l} has no weights or masks`);
    weights.push(w.data as Float32Array);
    masks.push(m.data as Uint8Array);
  }
  return { layers, weights, masks };
}

/** Subfolders of `root`, newest first (their names start with a timestamp); none when it does not exist. */
export function subfolders(root: string): string[] {
  try {
    const names = fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
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
function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** `clusters.json`, or undefined (runs of the original mode before clusters were recorded, or a damaged file). */
export function readClusters(dir: string): ClustersFile | undefined {
  const c = readJson<ClustersFile>(path.join(dir, FILES.clusters));
  return c && Array.isArray(c.layers) ? c : undefined;
}

/** `mapping.json`, or undefined. */
export function readMapping(dir: string): MappingFile | undefined {
  const m = readJson<MappingFile>(path.join(dir, FILES.mapping));
  return m && typeof m.schemes === 'object' && m.schemes !== null ? m : undefined;
}

/** `evaluation.json`, or undefined. */
export function readEvaluation(dir: string): Evaluation | undefined {
  const e = readJson<Evaluation>(path.join(dir, FILES.evaluation));
  return e && Array.isArray(e.results) ? e : undefined;
}

export function writeEvaluation(dir: string, e: Evaluation): void {
  writeFileAtomic(path.join(dir, FILES.evaluation), JSON.stringify(e, null, 2) + '\n');
}

/** Whether a folder is a comparison folder (holds `compare.json`), without reading it. */
export function isCompareDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, FILES.compare));
}

/** The comparison record's file in a comparison folder (for messages). */
export const compareFile = (dir: string): string => path.join(dir, FILES.compare);

/** `compare.json` of a comparison folder, or undefined. */
export function readCompare(dir: string): CompareResult | undefined {
  const c = readJson<CompareResult>(path.join(dir, FILES.compare));
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
export function markRunEnded(dir: string, status: Exclude<RunStatus, 'running' | 'completed'>, reason: string): boolean {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result || rec.result.status !== 'running') return false;
  // A live owner on this machine still closes its own folder.
  if (ownerAlive(rec.result)) return false;
  const result: RunResult = { ...rec.result, status, finishedAt: new Date().toISOString(), error: { message: `${reason} (the engine exited without closing the run)` } };
  writeFileAtomic(path.join(dir, FILES.result), JSON.stringify(result, null, 2) + '\n');
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

function decodeSnapshots(dir: string): { meta: SnapshotMeta[]; tensors: Map<string, { data: unknown }> } | undefined {
  const file = path.join(dir, FILES.snapshots);
  try {
    const { tensors, meta } = decodeTensors(fs.readFileSync(file), file);
    const list = (meta as { snapshots?: SnapshotMeta[] }).snapshots;
    return Array.isArray(list) ? { meta: list, tensors } : undefined;
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
    return fs.readFileSync(path.join(dir, FILES.report), 'utf8');
  } catch {
    return undefined;
  }
}
