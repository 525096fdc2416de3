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
import { createFolderWhole, createRunDir, ownerAlive, writeFileAtomic } from './runFolder';
import { decodeTensors, encodeTensors, type NamedTensor } from './tensorFile';
import type { SweepFront, SweepJobRecord, SweepRecord } from '../format/sweep';

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

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
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
    buf = fs.readFileSync(file);
  } catch (e) {
    return { problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} is not there (the parent job has not reached epoch ${epoch})` : `${file} could not be read` };
  }
  try {
    return { ...decodeTensors(buf, file), file };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

export function writeSweep(dir: string, rec: SweepRecord): void {
  rec.updatedAt = new Date().toISOString();
  writeFileAtomic(path.join(dir, SWEEP_FILES.sweep), JSON.stringify(rec, null, 2) + '\n');
}

/** `sweep.json`, or undefined when missing, damaged or newer than this engine. */
export function readSweep(dir: string): SweepRecord | undefined {
  const r = readJson<SweepRecord>(path.join(dir, SWEEP_FILES.sweep));
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

/** Whether the owner of a sweep or job record still lives (see ownerAlive). */
export function sweepOwnerAlive(owner: SweepJobRecord['owner'] | undefined): boolean {
  return owner !== undefined && ownerAlive({ pid: owner.pid, owner, host: { node: '', platform: `${process.platform}-${process.arch}`, cpus: 0, cpuModel: '' } });
}

export function writeJobRecord(dir: string, rec: SweepJobRecord): void {
  writeFileAtomic(path.join(dir, SWEEP_FILES.job(rec.jobId)), JSON.stringify(rec, null, 2) + '\n');
}

/** A job's record, or undefined when it never started (or the file is damaged: the job runs again). */
export function readJobRecord(dir: string, jobId: string): SweepJobRecord | undefined {
  const r = readJson<SweepJobRecord>(path.join(dir, SWEEP_FILES.job(jobId)));
  return r && r.jobId === jobId && typeof r.status === 'string' ? r : undefined;
}

export function writeFront(dir: string, front: SweepFront): void {
  writeFileAtomic(path.join(dir, SWEEP_FILES.pareto), JSON.stringify(front, null, 2) + '\n');
  writeFileAtomic(path.join(dir, SWEEP_FILES.points), pointsCsv(front));
}

/** `pareto.json`, or undefined. */
export function readFront(dir: string): SweepFront | undefined {
  const f = readJson<SweepFront>(path.join(dir, SWEEP_FILES.pareto));
  return f && Array.isArray(f.points) && Array.isArray(f.front) ? f : undefined;
}

const csvCell = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One line per point: id, status, axes, figures, rank, front and recommendation flags, run folder. */
export function pointsCsv(front: SweepFront): string {
  const axes = [...new Set(front.points.flatMap((p) => Object.keys(p.axes)))];
  const head = ['id', 'job', 'status', 'mode', 'crossbar', 'preset', 'epochs', ...axes.map((a) => `axis:${a}`), 'test_accuracy', 'snn_accuracy', 'accuracy_loss', 'mpes', 'utilisation', 'area_mm2', 'energy_uJ', 'rank', 'on_front', 'recommended', 'repriced', 'run_dir', 'error'];
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
      p.accuracyLoss,
      p.figures?.mpes,
      p.figures?.utilisation,
      p.figures?.area_mm2,
      p.figures?.energy_uJ,
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
