/**
 * Sweeps: a plan of design points (`sweepPlan.ts`) run as training jobs —
 * each a normal run folder under one sweep folder — then every point priced
 * from its job's network, and a Pareto front over the objectives with a
 * recommended design. Jobs run in this process one after another (a
 * comparison) or in worker processes (`trannsformer sweep`: the CLI passes
 * a runner, `src/runner/`), each worker calling `runSweepJob`. A stopped
 * sweep resumes: jobs whose record says completed are skipped; everything
 * else trains again from epoch 1 (same seed, same numbers).
 */
import * as path from 'node:path';
import { errorMessage, UserError } from '../core/errors';
import { loadConfigObject, type LoadedConfig } from '../config/resolve';
import { executeRun } from './run';
import { evaluateRun } from './evaluate';
import { paretoRanks } from '../core/pareto';
import { checkSweepRecord, planSweep, type PlanOptions, type SweepPlan } from './sweepPlan';
import { describeOwner, forceAdvice, hasCheckpoint, markRunEnded, readEvaluation, readRun } from '../store/runFolder';
import { resumeRun } from './resume';
import { formatDesignTable, SENSE, summarizeDesigns } from './sweepSeeds';
import {
  jobRecordProblem,
  startSweepFolder,
  SWEEP_FILES,
  readJobRecord,
  readSweep,
  SWEEP_FORMAT,
  SWEEP_FORMAT_VERSION,
  sweepOwnerAlive,
  thisProcess,
  writeFront,
  writeJobRecord,
  writeSweep,
  readForkCheckpoint,
  writeForkCheckpoint,
} from '../store/sweepFolder';
import type { EngineEvent } from '../events';
import type { Evaluation, PricedMapping } from '../format/evaluation';
import type { RunResult } from '../format/run';
import type { SweepFigures, SweepFront, SweepJob, SweepJobRecord, SweepObjective, SweepPointResult, SweepRecord, SweepStatus } from '../format/sweep';

/** Runs a set of jobs somewhere (this process, worker processes) and reports as they go. */
export type JobRunner = (ctx: {
  sweepDir: string;
  jobs: SweepJob[];
  signal?: AbortSignal;
  /** A job's training advanced (fraction of its epochs done, 0–1). */
  progress: (jobId: string, epoch: number, epochs: number, fraction: number) => void;
  /** A job ended; `failure` says why when its process died without closing its record. */
  ended: (jobId: string, failure?: string) => void;
}) => Promise<void>;

export interface SweepOptions extends PlanOptions {
  loaded: LoadedConfig;
  /** Parent folder of a new sweep folder. */
  outRoot: string;
  /** Resume this sweep folder instead of creating one. */
  resumeDir?: string;
  /** --force (with resumeDir): a sweep or job owner on another machine counts as gone (that machine or job is dead). */
  force?: boolean;
  emit: (e: EngineEvent) => void;
  signal?: AbortSignal;
  /** Default: jobs in this process, one after another, their run events passed to `emit`. */
  runJobs?: JobRunner;
  /** For the started event: processes at once. */
  parallel?: number;
}

export interface SweepOutcome {
  dir: string;
  status: Exclude<SweepStatus, 'running'>;
  record: SweepRecord;
  front: SweepFront;
  plan: SweepPlan;
}


function objectiveValue(o: SweepObjective, f: SweepFigures | undefined): number {
  if (!f) return NaN;
  const v = o === 'area' ? f.area_mm2 : o === 'energy' ? f.energy_uJ : o === 'mpes' ? f.mpes : o === 'accuracy' ? f.testAccuracy : o === 'hwAccuracy' ? f.hwAccuracy : f.snnAccuracy;
  return v ?? NaN;
}

/** Every point with its status and figures, ranked; the front and the recommended design. */
export function computeFront(rec: SweepRecord, jobs: Map<string, SweepJobRecord | undefined>): SweepFront {
  const points: SweepPointResult[] = rec.points.map((p) => {
    const j = jobs.get(p.jobId);
    const priced = j?.priced?.[p.id];
    const job = rec.jobs.find((x) => x.id === p.jobId);
    const r: SweepPointResult = {
      id: p.id,
      jobId: p.jobId,
      status: j ? j.status : 'pending',
      mode: p.mode,
      crossbar: p.crossbar,
      preset: p.preset,
      epochs: p.epochs,
      axes: Object.fromEntries(p.axes.map((a) => [a.axis, a.value])),
      runDir: j?.runDir,
      repriced: job !== undefined && job.pointIds[0] !== p.id,
    };
    if (j?.status === 'completed') {
      if (priced && !('error' in priced)) r.figures = priced;
      else {
        r.status = 'failed';
        r.error = priced && 'error' in priced ? priced.error : 'not priced';
      }
    } else if (j?.error) r.error = j.error.message;
    return r;
  });
  const byId = new Map(points.map((p) => [p.id, p]));
  // With the hwAccuracy objective the loss is what a chip gives up against the original's software accuracy.
  const onChip = rec.objectives.includes('hwAccuracy');
  for (const p of rec.points) {
    const ref = p.referenceId ? byId.get(p.referenceId) : undefined;
    const me = byId.get(p.id)!;
    const mine = onChip ? me.figures?.hwAccuracy : me.figures?.testAccuracy;
    if (ref?.figures?.testAccuracy !== undefined && mine !== undefined) me.accuracyLoss = ref.figures.testAccuracy - mine;
  }
  const done = points.filter((p) => p.figures);
  const senses = rec.objectives.map((o) => SENSE[o]);
  const ranks = paretoRanks(
    done.map((p) => rec.objectives.map((o) => objectiveValue(o, p.figures))),
    senses,
  );
  done.forEach((p, i) => (p.rank = ranks[i] >= 0 ? ranks[i] : undefined));
  const front = done.filter((p) => p.rank === 0).sort((a, b) => a.figures!.area_mm2 - b.figures!.area_mm2 || a.id.localeCompare(b.id)).map((p) => p.id);
  // Within the accuracy-loss limit, and priced without warnings (a crossbar beyond what the technology makes reliably).
  const within = done.filter((p) => p.accuracyLoss !== undefined && p.accuracyLoss <= rec.accuracyLossLimit + 1e-12 && !p.figures!.warnings?.length);
  within.sort(
    (a, b) =>
      a.figures!.area_mm2 * a.figures!.energy_uJ - b.figures!.area_mm2 * b.figures!.energy_uJ ||
      (b.figures!.testAccuracy ?? 0) - (a.figures!.testAccuracy ?? 0) ||
      a.id.localeCompare(b.id),
  );
  const hasOriginal = rec.points.some((p) => p.mode === 'original');
  const result: SweepFront = {
    format: 'trannsformer-pareto',
    formatVersion: 1,
    name: rec.name,
    objectives: rec.objectives,
    accuracyLossLimit: rec.accuracyLossLimit,
    done: points.filter((p) => p.status === 'completed' || p.status === 'failed').length,
    planned: points.length,
    front,
    points,
    sharing: rec.sharing,
  };
  if (within[0]) result.recommended = within[0].id;
  else
    result.noRecommendation = !hasOriginal
      ? 'no original-mode point to measure accuracy loss against: add "original" to sweep.grid.mode'
      : `no finished point within the limit (at most ${(100 * rec.accuracyLossLimit).toFixed(2)} points of accuracy lost against its original, priced without warnings)`;
  // Several seeds: the same over designs (points but for the seed), with their spreads.
  summarizeDesigns(result, new Map(rec.points.map((p) => [p.id, p.referenceId])));
  return result;
}

/** The figures of one point out of an evaluation (results ordered preset-major, as evaluateNetwork writes them). */
function figuresAt(e: Evaluation, crossbars: number[], presets: string[], crossbar: number, preset: string, testAccuracy: number | undefined): SweepFigures | { error: string } {
  const ci = crossbars.indexOf(crossbar);
  const pi = presets.indexOf(preset);
  const m: PricedMapping | undefined = ci >= 0 && pi >= 0 ? e.results[pi * crossbars.length + ci] : undefined;
  if (!m || m.crossbarSize !== crossbar) return { error: `no pricing at ${crossbar}×${crossbar} on ${preset}` };
  const hw = e.hardwareAccuracy?.results.find((h) => h.preset === m.preset && h.crossbarSize === crossbar);
  return {
    testAccuracy,
    snnAccuracy: e.snn.accuracy,
    ...(hw
      ? { hwAccuracy: hw.accuracy.mean, hwAccuracySpread: { ...(hw.accuracy.std !== undefined ? { std: hw.accuracy.std } : {}), min: hw.accuracy.min, max: hw.accuracy.max, chips: e.hardwareAccuracy!.chips } }
      : {}),
    mpes: m.mpes,
    utilisation: m.utilisation,
    area_mm2: m.area.total_mm2,
    energy_uJ: m.energy.total_uJ,
    ...(m.warnings.length ? { warnings: m.warnings } : {}),
  };
}

/** Chips a job's points are measured on: none without the hwAccuracy objective; else the config's hardware.chips, or 3 when that is 0. */
export const DEFAULT_SWEEP_CHIPS = 3;
function sweepChips(rec: SweepRecord, job: SweepJob): number {
  if (!rec.objectives.includes('hwAccuracy')) return 0;
  return jobConfig(rec, job).config.hardware.chips || DEFAULT_SWEEP_CHIPS;
}

/** The config of one job, resolved from the sweep record (the file may have changed since). */
function jobConfig(rec: SweepRecord, job: SweepJob): LoadedConfig {
  return { ...loadConfigObject(rec.raw, rec.baseDir, job.overrides), file: rec.configFile };
}

/**
 * Train one job and price each of its points; the job record says how it
 * went. Used by worker processes (`trannsformer sweep-job`) and in-process.
 */
export async function runSweepJob(sweepDir: string, jobId: string, opts: { emit: (e: EngineEvent) => void; signal?: AbortSignal }): Promise<SweepJobRecord> {
  const rec = readSweep(sweepDir);
  if (!rec) throw new UserError(sweepDir, 'is not a sweep folder (sweep.json missing or unreadable)');
  const job = rec.jobs.find((j) => j.id === jobId);
  if (!job) throw new UserError(jobId, `no such job in ${sweepDir}`);
  const t0 = Date.now();
  // A training a stopped or killed sweep left unfinished continues from its checkpoint (same numbers as from epoch 1, less work).
  const previous = readJobRecord(sweepDir, jobId);
  const resumable = previous?.runDir && previous.status !== 'completed' ? resumableRun(previous.runDir) : undefined;
  const record: SweepJobRecord = { jobId, status: 'running', owner: thisProcess(), startedAt: new Date().toISOString() };
  writeJobRecord(sweepDir, record);
  const close = (patch: Partial<SweepJobRecord>): SweepJobRecord => {
    Object.assign(record, patch, { finishedAt: new Date().toISOString(), seconds: (Date.now() - t0) / 1000 });
    writeJobRecord(sweepDir, record);
    return record;
  };
  let runDir: string | undefined;
  try {
    const loaded = jobConfig(rec, job);
    const emit = (e: EngineEvent) => {
      if (e.type === 'started') {
        runDir = e.runDir;
        record.runDir = e.runDir;
        writeJobRecord(sweepDir, record);
      }
      opts.emit(e);
    };
    // Checkpoint forking: a parent saves its state for its children; a child starts from it when it is there.
    const fork = job.fork;
    let forkFrom: Parameters<typeof executeRun>[0]['forkFrom'];
    if (fork?.role === 'child') {
      const saved = readForkCheckpoint(sweepDir, fork.parent, fork.epoch);
      if ('problem' in saved) opts.emit({ type: 'log', level: 'warning', message: `${job.id}: no fork to start from (${saved.problem}): training from epoch 1` });
      else {
        forkFrom = saved;
        opts.emit({ type: 'log', level: 'info', message: `${job.id}: starting from ${fork.parent}'s checkpoint after epoch ${fork.epoch}` });
      }
    }
    const forkSave = fork?.role === 'parent' ? { epoch: fork.epoch, crossbars: fork.crossbars, save: (enc: Parameters<typeof writeForkCheckpoint>[3]) => writeForkCheckpoint(sweepDir, job.id, fork.epoch, enc) } : undefined;
    const { dir, result } = resumable
      ? await resumeRun({ dir: resumable, emit, signal: opts.signal, forkSave })
      : await executeRun({ loaded, outRoot: sweepDir, emit, signal: opts.signal, forkFrom, forkSave });
    runDir = dir;
    return close(await jobOutcome(rec, job, dir, result));
  } catch (e) {
    close({ status: 'failed', runDir, error: { message: errorMessage(e), where: e instanceof UserError ? e.where : undefined } });
    throw e;
  }
}

/**
 * How a job ended, from its run: completed with the figures of each of its
 * points (priced from the run's network), or interrupted or failed saying
 * why. Also used when a job's run is resumed on its own (experiment/memberRecords.ts).
 */
export async function jobOutcome(rec: SweepRecord, job: SweepJob, dir: string, result: RunResult): Promise<Pick<SweepJobRecord, 'status' | 'runDir' | 'error' | 'priced'>> {
  if (result.status !== 'completed') return { status: result.status === 'failed' ? 'failed' : 'interrupted', runDir: dir, error: result.error };
  const points = rec.points.filter((p) => job.pointIds.includes(p.id));
  const acc = result.final?.testAccuracy;
  const priced: Record<string, SweepFigures | { error: string }> = {};
  try {
    // One point at the run's own size and preset: the run priced itself. Otherwise re-price once for every size × preset.
    const chips = sweepChips(rec, job);
    const own = readEvaluation(dir);
    const single = points.length === 1 && own && own.results.length > 0 && job.crossbars.length === 1 && job.presets.length === 1 && (!chips || own.hardwareAccuracy?.off.length === 0);
    const e = single ? own : await evaluateRun(dir, { crossbars: job.crossbars, presets: job.presets, write: false, ...(chips ? { chips } : {}) });
    for (const p of points) priced[p.id] = figuresAt(e, job.crossbars, job.presets, p.crossbar, p.preset, acc);
  } catch (err) {
    for (const p of points) priced[p.id] = { error: `pricing failed: ${errorMessage(err)}` };
  }
  return { status: 'completed', runDir: dir, priced };
}

/** A job's earlier run folder when it can continue (stopped, killed, or failed while training, with a checkpoint). */
function resumableRun(dir: string): string | undefined {
  const rec = readRun(dir);
  const r = rec.result;
  if (rec.state !== 'ok' || !r || !hasCheckpoint(dir)) return undefined;
  if (r.status === 'interrupted' || (r.status === 'running' && rec.stale)) return dir;
  return undefined;
}

/** Jobs in this process, one after another. */
export const inlineJobs =
  (emit: (e: EngineEvent) => void): JobRunner =>
  async ({ sweepDir, jobs, signal, progress, ended }) => {
    for (const job of jobs) {
      if (signal?.aborted) break;
      const forward = (e: EngineEvent) => {
        if (e.type === 'progress') progress(job.id, e.epoch, e.epochs, (e.epoch - 1 + e.batch / Math.max(1, e.batches)) / Math.max(1, e.epochs));
        emit(e);
      };
      progress(job.id, 0, job.epochs, 0);
      try {
        await runSweepJob(sweepDir, job.id, { emit: forward, signal });
      } catch {
        // Recorded in the job record (and reported as an event by the run); the sweep goes on.
      }
      ended(job.id);
    }
  };

/** The later of two ISO times (either may be missing or invalid). */
function later(a: string | undefined, b: string | undefined): string | undefined {
  const ok = (t: string | undefined) => t !== undefined && Number.isFinite(Date.parse(t));
  return !ok(a) ? (ok(b) ? b : undefined) : !ok(b) || Date.parse(a!) >= Date.parse(b!) ? a : b;
}

/** A running job's last sign of life: its run folder's last update (every epoch), else when it started. */
function jobLastSign(dir: string, r: SweepJobRecord): string | undefined {
  return later(r.startedAt, r.runDir ? readRun(path.resolve(dir, r.runDir)).result?.updatedAt : undefined);
}

/** A sweep's last sign of life: sweep.json's update or any of its running jobs'. */
function sweepLastSign(dir: string, rec: SweepRecord): string | undefined {
  let t: string | undefined = rec.updatedAt;
  for (const job of rec.jobs) {
    const r = readJobRecord(dir, job.id);
    if (r?.status === 'running') t = later(t, jobLastSign(dir, r));
  }
  return t;
}

/**
 * Close what a killed sweep left open: job records (and run folders) still
 * "running" whose process is gone. Waits up to `waitMs` for live ones (a
 * previous sweep's workers stopping) and refuses if they are still alive.
 */
async function closeStale(dir: string, rec: SweepRecord, waitMs: number, force: boolean): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (const job of rec.jobs) {
    let r = readJobRecord(dir, job.id);
    while (r?.status === 'running' && r.owner.pid !== process.pid) {
      const held = { pid: r.owner.pid, owner: r.owner, updatedAt: jobLastSign(dir, r) };
      if (!sweepOwnerAlive(r.owner, { updatedAt: held.updatedAt, force })) break;
      if (Date.now() > deadline) throw new UserError(dir, `job ${job.id} is still running in ${describeOwner(held)}; stop it first${forceAdvice(held, '--force')}`);
      await new Promise((res) => setTimeout(res, 200));
      r = readJobRecord(dir, job.id);
    }
    if (r?.status === 'running') {
      if (r.runDir) markRunEnded(r.runDir, 'interrupted', 'the sweep was stopped', { force });
      writeJobRecord(dir, { ...r, status: 'interrupted', finishedAt: new Date().toISOString(), error: { message: 'the process running this job ended without closing it' } });
    }
  }
}

/** Plan, create or resume the folder, run what is not done, write the front. */
export async function executeSweep(opts: SweepOptions): Promise<SweepOutcome> {
  const plan = planSweep(opts.loaded, opts);
  let dir: string;
  let rec: SweepRecord;
  let resumed = false;
  if (opts.resumeDir) {
    dir = path.resolve(opts.resumeDir);
    const old = readSweep(dir);
    if (!old) throw new UserError(dir, 'is not a sweep folder (sweep.json missing or unreadable)');
    if (old.fingerprint !== plan.fingerprint)
      throw new UserError(dir, `was planned from a different sweep (${old.points.length} points, ${old.jobs.length} trainings; the config now plans ${plan.points.length} and ${plan.jobs.length}): resume with the config it was started with, or start a new sweep`);
    // The record and its job records are checked before anything runs: a damaged or planted one changes nothing.
    checkSweepRecord(old, plan, path.join(dir, SWEEP_FILES.sweep));
    for (const j of plan.jobs) {
      const problem = jobRecordProblem(dir, j.id);
      if (problem) throw new UserError(dir, `cannot be resumed: ${problem}`);
    }
    const updatedAt = sweepLastSign(dir, old);
    if (old.status === 'running' && sweepOwnerAlive(old.owner, { updatedAt, force: opts.force }) && old.owner!.pid !== process.pid) {
      const held = { pid: old.owner!.pid, owner: old.owner, updatedAt };
      throw new UserError(dir, `is being run by ${describeOwner(held)}${forceAdvice(held, '--force')}`);
    }
    await closeStale(dir, old, 15_000, opts.force === true);
    // The jobs' thread counts follow this run's core budget.
    rec = { ...old, jobs: plan.jobs, status: 'running', owner: thisProcess(), resumes: (old.resumes ?? 0) + 1 };
    resumed = true;
  } else {
    const now = new Date().toISOString();
    rec = {
      format: SWEEP_FORMAT as 'trannsformer-sweep',
      formatVersion: SWEEP_FORMAT_VERSION,
      name: plan.name,
      kind: plan.kind,
      createdAt: now,
      updatedAt: now,
      status: 'running',
      owner: thisProcess(),
      configFile: path.resolve(plan.base.file),
      baseDir: plan.base.baseDir,
      raw: plan.base.raw,
      fingerprint: plan.fingerprint,
      objectives: plan.objectives,
      accuracyLossLimit: plan.accuracyLossLimit,
      points: plan.points,
      jobs: plan.jobs,
      sharing: plan.sharing,
      resumes: 0,
    };
    dir = startSweepFolder(opts.outRoot, plan.name, plan.kind, rec);
  }
  writeSweep(dir, rec);
  const records = new Map<string, SweepJobRecord | undefined>(rec.jobs.map((j) => [j.id, readJobRecord(dir, j.id)]));
  const todo = rec.jobs.filter((j) => records.get(j.id)?.status !== 'completed');
  const emitFront = () => {
    const front = computeFront(rec, records);
    writeFront(dir, front);
    return front;
  };
  emitFront();
  opts.emit({ type: 'sweep-started', sweepDir: dir, name: rec.name, points: rec.points.length, jobs: rec.jobs.length, todo: todo.length, resumed, parallel: opts.parallel ?? 1, threads: rec.jobs[0]?.threads ?? 1 });
  if (resumed && todo.length < rec.jobs.length) opts.emit({ type: 'log', level: 'info', message: `resuming: ${rec.jobs.length - todo.length} of ${rec.jobs.length} trainings already done, skipped` });

  // Progress: each job's fraction weighted by its epochs; ETA from the elapsed time.
  const t0 = Date.now();
  const fraction = new Map<string, { epoch: number; epochs: number; f: number }>();
  const totalEpochs = todo.reduce((s, j) => s + j.epochs, 0) || 1;
  let ended = 0;
  let lastProgress = 0;
  const progressEvent = (force = false) => {
    const now = Date.now();
    if (!force && now - lastProgress < 1000) return;
    lastProgress = now;
    const f = todo.reduce((s, j) => s + (fraction.get(j.id)?.f ?? 0) * j.epochs, 0) / totalEpochs;
    const elapsed = (now - t0) / 1000;
    const running = [...fraction.entries()].filter(([, v]) => v.f < 1).map(([jobId, v]) => ({ jobId, epoch: v.epoch, epochs: v.epochs }));
    opts.emit({ type: 'sweep-progress', jobsDone: ended, jobsTotal: todo.length, fraction: f, etaSeconds: f > 0 ? (elapsed * (1 - f)) / f : NaN, running });
  };
  const runner = opts.runJobs ?? inlineJobs(opts.emit);
  await runner({
    sweepDir: dir,
    jobs: todo,
    signal: opts.signal,
    progress: (jobId, epoch, epochs, f) => {
      if (!fraction.has(jobId)) {
        const job = rec.jobs.find((j) => j.id === jobId)!;
        opts.emit({ type: 'sweep-job', sweepDir: dir, jobId, name: job.name, status: 'started', pointIds: job.pointIds, runDir: readJobRecord(dir, jobId)?.runDir });
      }
      fraction.set(jobId, { epoch, epochs, f });
      if (opts.runJobs) progressEvent();
    },
    ended: (jobId, failure) => {
      let r = readJobRecord(dir, jobId);
      if (!r || r.status === 'running') {
        // The process died without closing its job (killed, crashed): say so, close its run folder.
        const status = opts.signal?.aborted ? 'interrupted' : 'failed';
        const message = failure ?? (opts.signal?.aborted ? 'stopped' : 'the worker ended without a result');
        if (r?.runDir) markRunEnded(r.runDir, status, message);
        r = { jobId, status, owner: r?.owner ?? thisProcess(), startedAt: r?.startedAt ?? new Date().toISOString(), finishedAt: new Date().toISOString(), runDir: r?.runDir, error: { message } };
        writeJobRecord(dir, r);
      }
      records.set(jobId, r);
      ended++;
      const job = rec.jobs.find((j) => j.id === jobId)!;
      fraction.set(jobId, { epoch: job.epochs, epochs: job.epochs, f: 1 });
      opts.emit({ type: 'sweep-job', sweepDir: dir, jobId, name: job.name, status: r.status, pointIds: job.pointIds, runDir: r.runDir, error: r.error?.message });
      emitFront();
      if (opts.runJobs) progressEvent(true);
    },
  });
  const { front, status } = closeSweepRecords(dir, rec);
  return { dir, status, record: rec, front, plan };
}

/** The end of a sweep (and of a job's run resumed on its own): the front from every job record, and sweep.json's status. */
export function closeSweepRecords(dir: string, rec: SweepRecord): { front: SweepFront; status: Exclude<SweepStatus, 'running'> } {
  const records = new Map(rec.jobs.map((j) => [j.id, readJobRecord(dir, j.id)]));
  const front = computeFront(rec, records);
  writeFront(dir, front);
  const statuses = rec.jobs.map((j) => records.get(j.id)?.status);
  const status: Exclude<SweepStatus, 'running'> = statuses.every((s) => s === 'completed' || s === 'failed') ? 'completed' : 'interrupted';
  rec.status = status;
  writeSweep(dir, rec);
  return { front, status };
}

const pct = (x: number | undefined, d = 2) => (x === undefined ? '—' : `${(100 * x).toFixed(d)}%`);
const num = (x: number | undefined) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));

/** The points as a table, front first, naming the recommended design. */
export function formatSweepTable(f: SweepFront): string {
  const extra = [...new Set(f.points.flatMap((p) => Object.keys(p.axes)))].filter((a) => !['mode', 'crossbar', 'preset'].includes(a));
  const order = [...f.points].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || (a.figures?.area_mm2 ?? Infinity) - (b.figures?.area_mm2 ?? Infinity) || a.id.localeCompare(b.id));
  // The chips' accuracy only when some point was measured on chips (the hwAccuracy objective).
  const hw = f.points.some((p) => p.figures?.hwAccuracy !== undefined);
  const head = ['', 'point', 'mode', 'crossbar', 'preset', ...extra, 'test acc', 'Δ acc', 'SNN acc', ...(hw ? ['chip acc (mean ± std)'] : []), 'mPEs', 'area mm²', 'energy µJ', 'area×energy', 'rank', 'status'];
  const body = order.map((p) => {
    const fig = p.figures;
    return [
      f.recommended === p.id ? '→' : p.rank === 0 ? '*' : '',
      p.id,
      p.mode,
      `${p.crossbar}`,
      p.preset,
      ...extra.map((a) => (p.axes[a] === undefined ? '' : String(p.axes[a]))),
      pct(fig?.testAccuracy),
      p.accuracyLoss === undefined ? '—' : `${(-100 * p.accuracyLoss).toFixed(2)} pt`,
      pct(fig?.snnAccuracy),
      ...(hw ? [fig?.hwAccuracy === undefined ? '—' : `${pct(fig.hwAccuracy)} ± ${fig.hwAccuracySpread?.std === undefined ? '—' : (100 * fig.hwAccuracySpread.std).toFixed(2)}`] : []),
      fig ? String(fig.mpes) : '—',
      num(fig?.area_mm2),
      num(fig?.energy_uJ),
      fig ? num(fig.area_mm2 * fig.energy_uJ) : '—',
      p.rank === undefined ? '—' : String(p.rank),
      p.status + (p.repriced && fig ? ' (re-priced)' : '') + (fig?.warnings?.length ? ' ⚠ beyond the preset\'s largest reliable crossbar' : '') + (p.error ? `: ${p.error.split('\n')[0].slice(0, 60)}` : ''),
    ];
  });
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const left = new Set([0, 1, 2, 4, head.length - 1]);
  const line = (c: string[]) => c.map((s, i) => (left.has(i) ? s.padEnd(w[i]) : s.padStart(w[i]))).join('  ').trimEnd();
  const out = [
    `${f.name}: ${f.done}/${f.planned} points; front over ${f.objectives.join(', ')} (* on the front, → recommended); model estimates, not silicon`,
    line(head),
    line(w.map((n) => '─'.repeat(n))),
    ...body.map(line),
    '',
  ];
  const r = f.points.find((p) => p.id === f.recommended);
  if (r?.figures)
    out.push(
      `recommended: ${r.id} — ${r.mode}, ${r.crossbar}×${r.crossbar} crossbars, ${r.preset}${extra.filter((a) => r.axes[a] !== undefined).map((a) => `, ${a} ${String(r.axes[a])}`).join('')}: ` +
        `area ${num(r.figures.area_mm2)} mm², energy ${num(r.figures.energy_uJ)} µJ, ${r.figures.mpes} mPEs, accuracy ${pct(r.figures.testAccuracy)} (${(-100 * (r.accuracyLoss ?? 0)).toFixed(2)} pt against the original; limit ${(100 * f.accuracyLossLimit).toFixed(2)} pt)`,
    );
  else out.push(`no recommendation: ${f.noRecommendation ?? 'no point finished'}`);
  if (f.points.some((p) => p.figures?.warnings?.length)) out.push('⚠ points priced beyond their preset\'s largest reliable crossbar are not recommended');
  out.push(...formatDesignTable(f));
  out.push(
    `shared: ${f.sharing.trainings} trainings for ${f.sharing.points} points (${f.sharing.trainingsSaved} saved)` +
      (f.sharing.checkpointForking ? `; checkpoint forking saves ${f.sharing.epochsSaved ?? 0} training epochs` : '; no checkpoint forking (no trainings share their first epochs)'),
  );
  return out.join('\n');
}
