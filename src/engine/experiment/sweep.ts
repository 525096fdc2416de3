/**
 * Sweeps: a plan of design points (`sweepPlan.ts`) run as training jobs —
 * each a normal run folder under one sweep folder — then every point priced
 * from its job's network, and a Pareto front over the objectives with a
 * recommended design. Jobs run in this process one after another (a
 * comparison) or in worker processes (`trannsformer sweep`: the CLI passes
 * a runner, `src/runner/`), each worker calling `runSweepJob`. A stopped
 * sweep resumes: jobs whose record says completed are skipped; a job whose
 * run was stopped, killed (by any signal: the OOM killer's SIGKILL) or
 * stopped by a refused write (a full disk) continues in its run folder from
 * its checkpoint (from its seed when it has none); a failed one trains again
 * from epoch 1 (same seed, same numbers).
 */
import * as path from 'node:path';
import { errorMessage, isWriteFailure, UserError } from '../core/errors';
import { loadConfigObject, type LoadedConfig } from '../config/resolve';
import { executeRun } from './run';
import { evaluateRun } from './evaluate';
import { paretoRanks } from '../core/pareto';
import { checkSweepRecord, planSweep, trainingKey, type PlanOptions, type SweepPlan } from './sweepPlan';
import { describeOwner, forceAdvice, listRuns, markRunEnded, markRunInterrupted, readEvaluation, readMetrics, readRun, removeDeadStaging } from '../store/runFolder';
import { resumeRun } from './resume';
import { formatDesignTable, SENSE, summarizeDesigns } from './sweepSeeds';
import {
  jobRecordProblem,
  startSweepFolder,
  SWEEP_FILES,
  jobLastSign,
  readJobRecord,
  readSweep,
  SWEEP_FORMAT,
  SWEEP_FORMAT_VERSION,
  sweepLastSign,
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
  /** A job ended; `failure` says why when its process died without closing its record, `signal` what killed it (a job killed is resumed, see closeDeadJob). */
  ended: (jobId: string, failure?: string, signal?: string) => void;
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
export function figuresAt(e: Evaluation, crossbars: number[], presets: string[], crossbar: number, preset: string, testAccuracy: number | undefined): SweepFigures | { error: string } {
  const ci = crossbars.indexOf(crossbar);
  const pi = presets.indexOf(preset);
  const m: PricedMapping | undefined = ci >= 0 && pi >= 0 ? e.results[pi * crossbars.length + ci] : undefined;
  if (!m || m.crossbarSize !== crossbar) return { error: `no pricing at ${crossbar}×${crossbar} on ${preset}` };
  const hw = e.hardwareAccuracy?.results.find((h) => h.preset === m.preset && h.crossbarSize === crossbar);
  // Chips read through ADCs: the point is that bit-serial machine, so its area and energy (which grow with the ADC bits) go with its accuracy.
  const adc = hw && hw.adcBits > 0 && m.adcEnergy_uJ !== undefined && m.adcArea_mm2 !== undefined ? { area_mm2: m.adcArea_mm2, energy_uJ: m.adcEnergy_uJ } : undefined;
  return {
    testAccuracy,
    snnAccuracy: e.snn.accuracy,
    ...(hw
      ? { hwAccuracy: hw.accuracy.mean, hwAccuracySpread: { ...(hw.accuracy.std !== undefined ? { std: hw.accuracy.std } : {}), min: hw.accuracy.min, max: hw.accuracy.max, chips: e.hardwareAccuracy!.chips } }
      : {}),
    mpes: m.mpes,
    utilisation: m.utilisation,
    area_mm2: adc?.area_mm2 ?? m.area.total_mm2,
    energy_uJ: adc?.energy_uJ ?? m.energy.total_uJ,
    ...(adc ? { machine: 'adc' as const } : {}),
    // Measured on chips, a crossbar beyond the preset's claim is judged by its measured accuracy (issue 22: the derived size replaces the typed one).
    ...(m.warnings.length ? (hw ? { beyondClaim: `${m.warnings.join('; ')}: the source's claim; accuracy measured on ${e.hardwareAccuracy!.chips} simulated chip${e.hardwareAccuracy!.chips === 1 ? '' : 's'} decides` } : { warnings: m.warnings }) : {}),
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
  // Named from the start: a resume its checks refuse (a damaged checkpoint) leaves the job naming its folder.
  let runDir: string | undefined = resumable;
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
    if (isWriteFailure(e)) {
      // A refused write (a full disk) is no fault of the training: its checkpoint stands and a resume continues from it.
      const message = `${e.code === 'ENOSPC' || e.code === 'EDQUOT' ? 'disk full' : 'I/O error'}: ${errorMessage(e)}`;
      if (runDir) markRunInterrupted(runDir, message);
      return close({ status: 'interrupted', runDir, error: { message, where: e.where } });
    }
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
    // What a lever costs in time (hardware-aware training) stands beside what it buys: the epochs' own time, not the run's pricing.
    const trainSeconds = readMetrics(dir).metrics.reduce((a, m) => a + m.seconds, 0);
    for (const p of points) {
      const f = figuresAt(e, job.crossbars, job.presets, p.crossbar, p.preset, acc);
      priced[p.id] = 'error' in f ? f : { ...f, trainSeconds };
    }
  } catch (err) {
    for (const p of points) priced[p.id] = { error: `pricing failed: ${errorMessage(err)}` };
  }
  return { status: 'completed', runDir: dir, priced };
}

/**
 * A job's earlier run folder when it continues there: stopped, killed or
 * stopped by a refused write (interrupted, or still "running" with its
 * process gone) — from its checkpoint, or from its seed when killed before
 * the first (the same run; a new folder would leave this one named by no
 * job). A failed run trains again in a new folder.
 */
function resumableRun(dir: string): string | undefined {
  const rec = readRun(dir);
  const r = rec.result;
  if (rec.state !== 'ok' || !r) return undefined;
  return r.status === 'interrupted' || (r.status === 'running' && rec.stale) ? dir : undefined;
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

/**
 * A job whose process ended without closing its record (killed, crashed).
 * A run folder the process did close says how its training ended; else the
 * job is interrupted when the sweep was stopped or a signal killed it (the
 * OOM killer's SIGKILL, a crash in native code: its checkpoint stands, a
 * resume continues from it), failed when it exited on its own without a
 * result. Its run folder, if still "running", is closed the same way.
 */
function closeDeadJob(dir: string, jobId: string, r: SweepJobRecord | undefined, how: { failure?: string; signal?: string; stopped: boolean }): SweepJobRecord {
  const run = r?.runDir ? readRun(r.runDir).result : undefined;
  const closed = run?.status === 'interrupted' || run?.status === 'failed' ? run : undefined;
  const said = (e: unknown) => (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : undefined);
  const [status, message]: ['interrupted' | 'failed', string] = closed
    ? [closed.status as 'interrupted' | 'failed', said(closed.error) ?? how.failure ?? `its run ended ${closed.status}`]
    : how.stopped
      ? ['interrupted', how.failure ?? 'stopped']
      : how.signal
        ? ['interrupted', `killed by ${how.signal}`]
        : ['failed', how.failure ?? 'the worker ended without a result'];
  if (r?.runDir && !closed) markRunEnded(r.runDir, status, message);
  const rec: SweepJobRecord = { jobId, status, owner: r?.owner ?? thisProcess(), startedAt: r?.startedAt ?? new Date().toISOString(), finishedAt: new Date().toISOString(), runDir: r?.runDir, error: { message } };
  writeJobRecord(dir, rec);
  return rec;
}

/**
 * Run folders in a sweep folder that no job record names: a worker killed
 * between making its run folder and naming it in its job record (staging
 * folders of workers killed while making one are removed). One whose
 * config is a job's (its name and everything its training depends on) is
 * adopted when that job is not completed and has no run folder of its own:
 * the job record names it, interrupted, and the job continues there (from
 * its checkpoint, or from its seed). Any other is left as it is, with a
 * warning: a folder that may hold work is never deleted.
 */
function adoptOrphans(dir: string, rec: SweepRecord, emit: (e: EngineEvent) => void): void {
  removeDeadStaging(dir);
  const records = new Map(rec.jobs.map((j) => [j.id, readJobRecord(dir, j.id)]));
  const named = new Set([...records.values()].flatMap((r) => (r?.runDir ? [path.resolve(r.runDir)] : [])));
  const keys = new Map<string, string>();
  const keyOf = (job: SweepJob) => keys.get(job.id) ?? keys.set(job.id, trainingKey(jobConfig(rec, job).config)).get(job.id)!;
  for (const run of listRuns(dir)) {
    if (named.has(path.resolve(run.dir)) || run.state !== 'ok' || !run.result || !run.config) continue;
    const name = path.basename(run.dir);
    const config = run.config;
    const job = rec.jobs.find((j) => j.name === config.name && keyOf(j) === trainingKey(config));
    const r = job ? records.get(job.id) : undefined;
    const free = job && r?.status !== 'completed' && !(r?.runDir && readRun(r.runDir).state === 'ok');
    const live = run.result.status === 'running' && !run.stale;
    if (!job || !free || live) {
      const what = live ? `still running in ${describeOwner(run.result)}` : job ? `a copy of ${job.id}'s training` : 'no training of this sweep';
      emit({ type: 'log', level: 'warning', message: `${name}: a run folder no job record names (${what}); left as it is` });
      continue;
    }
    markRunEnded(run.dir, 'interrupted', 'its worker was killed before naming it in its job record');
    const now = new Date().toISOString();
    writeJobRecord(dir, { jobId: job.id, owner: r?.owner ?? thisProcess(), startedAt: r?.startedAt ?? run.result.createdAt, status: 'interrupted', finishedAt: now, runDir: run.dir, error: { message: `its run folder ${name} was adopted: the worker was killed before naming it` } });
    records.set(job.id, readJobRecord(dir, job.id));
    emit({ type: 'log', level: 'info', message: `${job.id}: adopted its run folder ${name} (made by a worker killed before naming it)` });
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
    adoptOrphans(dir, old, opts.emit);
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
    ended: (jobId, failure, signal) => {
      let r = readJobRecord(dir, jobId);
      // The process died without closing its job (killed, crashed): say so, close its run folder.
      if (!r || r.status === 'running') r = closeDeadJob(dir, jobId, r, { failure, signal, stopped: opts.signal?.aborted === true });
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

/** A point's accuracy on chips: "97.10 ± 0.20%" (mean ± std over chips; no std with one chip) and "96.90–97.30%"; "—" when not measured. */
function chipCells(fig: SweepFigures | undefined): [string, string] {
  if (fig?.hwAccuracy === undefined) return ['—', '—'];
  const s = fig.hwAccuracySpread;
  return [`${pct(fig.hwAccuracy)}${s?.std !== undefined ? ` ± ${(100 * s.std).toFixed(2)}` : ''}`, s ? `${(100 * s.min).toFixed(2)}–${pct(s.max)}` : '—'];
}

/** The points as a table, front first, naming the recommended design. */
export function formatSweepTable(f: SweepFront): string {
  const extra = [...new Set(f.points.flatMap((p) => Object.keys(p.axes)))].filter((a) => !['mode', 'crossbar', 'preset'].includes(a));
  const order = [...f.points].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || (a.figures?.area_mm2 ?? Infinity) - (b.figures?.area_mm2 ?? Infinity) || a.id.localeCompare(b.id));
  // The chips' accuracy only when some point was measured on chips (the hwAccuracy objective).
  const hw = f.points.some((p) => p.figures?.hwAccuracy !== undefined);
  const head = ['', 'point', 'mode', 'crossbar', 'preset', ...extra, 'test acc', 'Δ acc', 'SNN acc', ...(hw ? ['chip acc (mean ± std)', 'chip min–max'] : []), 'mPEs', 'area mm²', 'energy µJ', 'area×energy', 'rank', 'status'];
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
      ...(hw ? chipCells(fig) : []),
      fig ? String(fig.mpes) : '—',
      num(fig?.area_mm2),
      num(fig?.energy_uJ),
      fig ? num(fig.area_mm2 * fig.energy_uJ) : '—',
      p.rank === undefined ? '—' : String(p.rank),
      p.status + (p.repriced && fig ? ' (re-priced)' : '') + (fig?.machine === 'adc' ? ' (ADC machine)' : '') + (fig?.warnings?.length ? ' ⚠ beyond the preset\'s largest reliable crossbar' : '') + (fig?.beyondClaim ? ' (beyond the preset\'s claim: measured on chips)' : '') + (p.error ? `: ${p.error.split('\n')[0].slice(0, 60)}` : ''),
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
        `area ${num(r.figures.area_mm2)} mm², energy ${num(r.figures.energy_uJ)} µJ, ${r.figures.mpes} mPEs, accuracy ${pct(r.figures.testAccuracy)}` +
        (r.figures.hwAccuracy !== undefined ? `, on chips ${chipCells(r.figures).join(' ')}` : '') +
        ` (${(-100 * (r.accuracyLoss ?? 0)).toFixed(2)} pt against the original; limit ${(100 * f.accuracyLossLimit).toFixed(2)} pt)`,
    );
  else out.push(`no recommendation: ${f.noRecommendation ?? 'no point finished'}`);
  if (f.points.some((p) => p.figures?.warnings?.length)) out.push('⚠ points priced beyond their preset\'s largest reliable crossbar are not recommended (measured on chips, with the hwAccuracy objective, their accuracy decides instead)');
  if (f.points.some((p) => p.figures?.machine === 'adc')) out.push('(ADC machine): measured on chips through ADCs, so area and energy are the bit-serial ADC machine\'s (they grow with the ADC bits), not the spiking one\'s');
  out.push(...formatDesignTable(f));
  out.push(
    `shared: ${f.sharing.trainings} trainings for ${f.sharing.points} points (${f.sharing.trainingsSaved} saved)` +
      (f.sharing.checkpointForking ? `; checkpoint forking saves ${f.sharing.epochsSaved ?? 0} training epochs` : '; no checkpoint forking (no trainings share their first epochs)'),
  );
  return out.join('\n');
}
