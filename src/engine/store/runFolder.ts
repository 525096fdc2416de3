/**
 * Run folders: `<root>/<YYYYMMDD-HHMMSS>-<name>/` holding
 *
 *   config.json     the config as run (every default filled in)
 *   result.json     status and summary; rewritten atomically at start, after
 *                   every epoch and at the end, so it is always valid JSON
 *   metrics.jsonl   one JSON line per completed epoch (EpochMetrics)
 *   model.tnsr      final weights and masks (see tensorFile.ts)
 *
 * Status is "running" while a process works on it; "completed",
 * "interrupted" (stopped by the user, partial but valid) or "failed" after.
 * Readers never throw on a damaged folder: they report what is wrong.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExperimentConfig } from '../config/schema';

import { decodeTensors, encodeTensors, type NamedTensor } from './tensorFile';

import type { EpochMetrics } from '../format/metrics';
import type { RunStatus, RunResult, RunRecord } from '../format/run';
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

  writeJson(name: string, value: unknown): void {
    writeFileAtomic(path.join(this.dir, name), JSON.stringify(value) + '\n');
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
  if (result.status === 'running' && result.host?.platform === `${process.platform}-${process.arch}` && !processAlive(result.pid)) rec.stale = true;
  return rec;
}

/** Per-epoch metrics; a torn last line (the writer died mid-append) is skipped. */
export function readMetrics(dir: string): { metrics: EpochMetrics[]; skipped: number } {
  let text = '';
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
