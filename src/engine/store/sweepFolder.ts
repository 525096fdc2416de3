/**
 * Sweep folders: `<root>/<YYYYMMDD-HHMMSS>-<name>-sweep/` (a comparison:
 * `-compare`) holding
 *
 *   sweep.json      the spec, the plan (points, training jobs) and what was
 *                   shared; the process driving the sweep; its status
 *   job-<id>.json   one training job: status, owner process, run folder,
 *                   the figures of each of its points (written by the process
 *                   that runs the job, atomically)
 *   pareto.json     every point with its figures and Pareto rank, the front,
 *                   the recommended design (rewritten as points finish)
 *   points.csv      the same points, one line each
 *   fork-<job>-e<E>.tnsr  a parent job's training state after epoch E,
 *                   which its child jobs start from (checkpoint forking)
 *   <run folders>   one normal run folder per training job
 *   compare.json    (a comparison) the paper's table
 *
 * This module is the only reader and writer of these files; readers never
 * throw on a damaged folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFolderWhole, createRunDir, ownerAlive, readRun, writeFileAtomic } from './runFolder';
import { decodeTensors, encodeTensors, type NamedTensor } from './tensorFile';
import { isMissingFile, readBounded, readBoundedJson, type FileKind } from '../core/boundedFile';
import type { SweepFront, SweepJobRecord, SweepRecord } from '../format/sweep';
import type { EpochMetrics } from '../format/metrics';

export const SWEEP_FORMAT = 'trannsformer-sweep';
export const SWEEP_FORMAT_VERSION = 1;

export const SWEEP_FILES = {
  sweep: 'sweep.json',
  pareto: 'pareto.json',
  points: 'points.csv',
  job: (id: string) => `job-${id}.json`,
} as const;

/** A fresh sweep folder under `root`. */
export function createSweepDir(root: string, name: string, kind: 'sweep' | 'compare'): string {
  return createRunDir(root, `${name}-${kind}`);
}

/** A fresh sweep folder, created whole with its first `sweep.json` (a kill while making it leaves no folder without one). */
export function startSweepFolder(root: string, name: string, kind: 'sweep' | 'compare', rec: SweepRecord): string {
  return createFolderWhole(root, `${name}-${kind}`, (stage) => writeSweep(stage, rec));
}

/** Whether `dir` holds a sweep record. */
export function isSweepDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, SWEEP_FILES.sweep));
}

function readJson<T>(file: string, kind: FileKind): T | undefined {
  try {
    return readBoundedJson(file, kind) as T;
  } catch {
    return undefined;
  }
}

const forkFile = (dir: string, jobId: string, epoch: number) => path.join(dir, `fork-${jobId.replace(/[^\w-]/g, '_')}-e${epoch}.tnsr`);

/** Save a parent job's training state after `epoch` for its children (train/checkpoint.ts encoding). */
export function writeForkCheckpoint(dir: string, jobId: string, epoch: number, encoded: { tensors: NamedTensor[]; meta: Record<string, unknown> }): void {
  writeFileAtomic(forkFile(dir, jobId, epoch), encodeTensors(encoded.tensors, encoded.meta));
}

/** A parent job's saved state, or a reason it cannot be used (missing: the parent has not reached it, or failed). */
export function readForkCheckpoint(dir: string, jobId: string, epoch: number): { tensors: Map<string, NamedTensor>; meta: Record<string, unknown>; file: string } | { problem: string } {
  const file = forkFile(dir, jobId, epoch);
  let buf: Buffer;
  try {
    buf = readBounded(file, 'tensors');
  } catch (e) {
    return { problem: isMissingFile(e) ? `${file} is not there (the parent job has not reached epoch ${epoch})` : (e as Error).message };
  }
  let decoded: ReturnType<typeof decodeTensors>;
  try {
    decoded = decodeTensors(buf, file);
  } catch (e) {
    return { problem: (e as Error).message };
  }
  const problem = forkMetaProblem(dir, decoded.meta, epoch, decoded.tensors.size);
  return problem ? { problem: `${file}: ${problem}` } : { ...decoded, file };
}

const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const finiteList = (v: unknown, n: number): boolean => Array.isArray(v) && v.length === n && v.every(finite);

/**
 * What a fork's metadata must be before a child copies it into its own run
 * folder: the state after exactly `epoch` epochs, one metrics record per
 * epoch 1…epoch with finite figures for every layer, the mPEs per crossbar
 * finite, and the parent's run folder (whose snapshots are copied) inside
 * this sweep folder. Undefined when sound.
 */
function forkMetaProblem(dir: string, meta: Record<string, unknown>, epoch: number, tensorCount: number): string | undefined {
  const loop = meta.loop as { epochsCompleted?: unknown; batchesIntoEpoch?: unknown } | undefined;
  if (loop?.epochsCompleted !== epoch || loop.batchesIntoEpoch !== 0) return `it is not the state at the end of epoch ${epoch}`;
  const layers = Array.isArray(meta.layers) ? meta.layers.length - 1 : -1;
  if (layers < 1 || tensorCount === 0) return 'it names no network';
  const history = meta.history;
  if (!Array.isArray(history) || history.length !== epoch) return `its metrics do not cover epochs 1 to ${epoch}`;
  for (const [i, h] of history.entries()) {
    const m = h as Partial<EpochMetrics> & { mpesAt?: unknown };
    const numbers = [m?.trainLoss, m?.trainAccuracy, m?.testLoss, m?.testAccuracy, m?.seconds, m?.trainSeconds, m?.samplesPerSecond];
    if (m?.epoch !== i + 1 || !numbers.every(finite) || !finiteList(m.keptFraction, layers)) return `its metrics record ${i + 1} is not epoch ${i + 1}'s or is damaged`;
    const t = m.transform;
    if (t !== undefined && (!finiteList(t?.prunedFraction, layers) || !finiteList(t.unclusteredFraction, layers) || !finiteList(t.clusters, layers) || !finite(t.mpes) || typeof t.mapping !== 'string'))
      return `its metrics record ${i + 1} has a damaged transform record`;
    if (m.mpesAt !== undefined && (m.mpesAt === null || typeof m.mpesAt !== 'object' || !Object.values(m.mpesAt).every(finite))) return `its metrics record ${i + 1} has damaged mPE counts`;
  }
  const parent = meta.parentRunDir;
  if (parent !== undefined && (typeof parent !== 'string' || runDirProblem(dir, 'parentRunDir', parent) !== undefined)) return 'its parent run folder is not inside this sweep folder';
  return undefined;
}

export function writeSweep(dir: string, rec: SweepRecord): void {
  rec.updatedAt = new Date().toISOString();
  writeFileAtomic(path.join(dir, SWEEP_FILES.sweep), JSON.stringify(rec, null, 2) + '\n');
}

/** `sweep.json`, or undefined when missing, damaged or newer than this engine. */
export function readSweep(dir: string): SweepRecord | undefined {
  const r = readJson<SweepRecord>(path.join(dir, SWEEP_FILES.sweep), 'sweep');
  return r && r.format === SWEEP_FORMAT && r.formatVersion <= SWEEP_FORMAT_VERSION && Array.isArray(r.points) && Array.isArray(r.jobs) ? r : undefined;
}

/** The process as readers check it (pid, host, kernel start time on Linux). */
export function thisProcess(): SweepJobRecord['owner'] {
  let startTime: string | undefined;
  try {
    const stat = fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    startTime = undefined;
  }
  return { pid: process.pid, hostname: os.hostname(), ...(startTime !== undefined ? { startTime } : {}) };
}

/**
 * Whether the owner of a sweep or job record may still live (see ownerAlive):
 * one on another machine counts as gone once `updatedAt` (the record's last
 * sign of life: jobLastSign, sweepLastSign) is older than OTHER_HOST_GRACE_MS,
 * or with `force`; without a time it cannot be judged and counts as alive
 * (claims of this machine's windows; every sweep and job reader passes the time).
 */
export function sweepOwnerAlive(owner: SweepJobRecord['owner'] | undefined, life: { updatedAt?: string; force?: boolean } = {}): boolean {
  if (owner === undefined) return false;
  const updatedAt = life.updatedAt ?? (life.force ? undefined : new Date().toISOString());
  return ownerAlive({ pid: owner.pid, owner, updatedAt }, { force: life.force });
}

/** The later of two ISO times (either may be missing or invalid). */
function later(a: string | undefined, b: string | undefined): string | undefined {
  const ok = (t: string | undefined) => t !== undefined && Number.isFinite(Date.parse(t));
  return !ok(a) ? (ok(b) ? b : undefined) : !ok(b) || Date.parse(a!) >= Date.parse(b!) ? a : b;
}

/** A running job's last sign of life: its run folder's last update (result.json, rewritten at least every epoch), else when it started. */
export function jobLastSign(dir: string, r: Pick<SweepJobRecord, 'startedAt' | 'runDir'>): string | undefined {
  return later(r.startedAt, r.runDir ? readRun(path.resolve(dir, r.runDir)).result?.updatedAt : undefined);
}

/** A sweep's last sign of life: sweep.json's update or any of its running jobs'. */
export function sweepLastSign(dir: string, rec: Pick<SweepRecord, 'updatedAt' | 'jobs'>): string | undefined {
  let t: string | undefined = rec.updatedAt;
  for (const job of rec.jobs) {
    const r = readJobRecord(dir, job.id);
    if (r?.status === 'running') t = later(t, jobLastSign(dir, r));
  }
  return t;
}

/** A job record's run folder is written relative to the sweep folder, so a copied or moved sweep resumes in itself. */
export function writeJobRecord(dir: string, rec: SweepJobRecord): void {
  const runDir = rec.runDir === undefined ? undefined : path.relative(path.resolve(dir), path.resolve(dir, rec.runDir));
  writeFileAtomic(path.join(dir, SWEEP_FILES.job(rec.jobId)), JSON.stringify({ ...rec, runDir }, null, 2) + '\n');
}

/** True when `child` is strictly inside `parent` (both resolved). */
function strictlyInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Why a job record cannot be trusted, or undefined: its run folder (relative
 * to the sweep folder, or absolute as older records wrote it) must lie
 * inside the sweep folder once every symbolic link is resolved — a record
 * copied or planted from elsewhere must not make the sweep train, resume or
 * price another run as its own.
 */
export function jobRecordProblem(dir: string, jobId: string): string | undefined {
  const file = path.join(dir, SWEEP_FILES.job(jobId));
  let r: Partial<SweepJobRecord> | null;
  try {
    r = readBoundedJson(file, 'job') as Partial<SweepJobRecord> | null;
  } catch (e) {
    return isMissingFile(e) ? undefined : (e as Error).message;
  }
  return r?.runDir === undefined ? undefined : runDirProblem(dir, file, r.runDir);
}

function runDirProblem(dir: string, file: string, runDir: unknown): string | undefined {
  if (typeof runDir !== 'string' || runDir.length === 0 || runDir.length > 4096 || runDir.includes('\0')) return `${file}: runDir must be the path of a run folder`;
  const recorded = path.resolve(dir, runDir);
  const real = realOrSelf(recorded);
  if (strictlyInside(path.resolve(dir), recorded) && strictlyInside(realOrSelf(path.resolve(dir)), real)) return undefined;
  return `${file}: its run folder ${JSON.stringify(runDir)} is outside the sweep folder ${dir}${real !== recorded ? ` (it leads to ${real})` : ''}: refusing to use it`;
}

/** A job's record (its run folder absolute, inside the sweep folder), or undefined when it never started, the file is damaged or it names a folder elsewhere (the job runs again). */
export function readJobRecord(dir: string, jobId: string): SweepJobRecord | undefined {
  const file = path.join(dir, SWEEP_FILES.job(jobId));
  const r = readJson<SweepJobRecord>(file, 'job');
  if (!r || r.jobId !== jobId || typeof r.status !== 'string') return undefined;
  if (r.runDir === undefined) return r;
  return runDirProblem(dir, file, r.runDir) === undefined ? { ...r, runDir: path.resolve(dir, r.runDir) } : undefined;
}

export function writeFront(dir: string, front: SweepFront): void {
  writeFileAtomic(path.join(dir, SWEEP_FILES.pareto), JSON.stringify(front, null, 2) + '\n');
  writeFileAtomic(path.join(dir, SWEEP_FILES.points), pointsCsv(front));
}

/** `pareto.json`, or undefined. */
export function readFront(dir: string): SweepFront | undefined {
  const f = readJson<SweepFront>(path.join(dir, SWEEP_FILES.pareto), 'pareto');
  return f && Array.isArray(f.points) && Array.isArray(f.front) ? f : undefined;
}

const csvCell = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * One line per point: id, status, axes, figures, rank, front and
 * recommendation flags, run folder. Hardware accuracy (hw_accuracy: the mean
 * over hw_chips simulated chips; its sample std, min and max) and `machine`
 * ("adc" when area and energy are the bit-serial ADC machine's) are empty
 * where the point was not measured on chips.
 */
export function pointsCsv(front: SweepFront): string {
  const axes = [...new Set(front.points.flatMap((p) => Object.keys(p.axes)))];
  const head = [
    ...['id', 'job', 'status', 'mode', 'crossbar', 'preset', 'epochs', ...axes.map((a) => `axis:${a}`), 'test_accuracy', 'snn_accuracy'],
    ...['hw_accuracy', 'hw_accuracy_std', 'hw_accuracy_min', 'hw_accuracy_max', 'hw_chips'],
    ...['accuracy_loss', 'mpes', 'utilisation', 'area_mm2', 'energy_uJ', 'train_s', 'machine', 'rank', 'on_front', 'recommended', 'repriced', 'run_dir', 'error'],
  ];
  const lines = front.points.map((p) =>
    [
      p.id,
      p.jobId,
      p.status,
      p.mode,
      p.crossbar,
      p.preset,
      p.epochs,
      ...axes.map((a) => p.axes[a]),
      p.figures?.testAccuracy,
      p.figures?.snnAccuracy,
      p.figures?.hwAccuracy,
      p.figures?.hwAccuracySpread?.std,
      p.figures?.hwAccuracySpread?.min,
      p.figures?.hwAccuracySpread?.max,
      p.figures?.hwAccuracySpread?.chips,
      p.accuracyLoss,
      p.figures?.mpes,
      p.figures?.utilisation,
      p.figures?.area_mm2,
      p.figures?.energy_uJ,
      p.figures?.trainSeconds,
      p.figures?.machine,
      p.rank,
      p.rank === 0 ? 1 : 0,
      front.recommended === p.id ? 1 : 0,
      p.repriced ? 1 : 0,
      p.runDir,
      p.error,
    ]
      .map(csvCell)
      .join(','),
  );
  return [head.join(','), ...lines].join('\n') + '\n';
}
