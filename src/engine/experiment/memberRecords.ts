/**
 * A run of a sweep or comparison resumed on its own (`trannsformer resume
 * <run>`, the Runs view's Resume Run): when it ends, in any state, its job
 * record, the sweep's front and status and, for a comparison, compare.json
 * are written again from the run folders by the functions that wrote them
 * first (sweep.ts, compare.ts), so every view reads the run's final figures.
 * Kept apart from resume.ts, which sweep jobs use to continue their runs.
 */
import * as path from 'node:path';
import { errorMessage } from '../core/errors';
import { FILES, ownerAlive, readRun } from '../store/runFolder';
import { jobLastSign, readJobRecord, readSweep, SWEEP_FILES, sweepLastSign, sweepOwnerAlive, thisProcess, writeJobRecord } from '../store/sweepFolder';
import { closeSweepRecords, jobOutcome } from './sweep';
import { writeCompareRecord } from './compare';
import { resumeRun, type ResumeOptions } from './resume';
import type { RunOutcome } from './run';
import type { EngineEvent } from '../events';
import type { RunResult } from '../format/run';
import type { CompareResult } from '../format/compare';
import type { SweepFront, SweepJobStatus } from '../format/sweep';

export interface MemberRecords {
  /** The sweep (or comparison) folder the run belongs to. */
  sweepDir: string;
  kind: 'sweep' | 'compare';
  jobId: string;
  /** Whether the run's job record changed (its run ended otherwise than it says). */
  jobUpdated: boolean;
  /** Absent while the sweep's own process still runs: it writes them itself as its jobs end. */
  front?: SweepFront;
  compare?: CompareResult;
}

/** The job status a run's end gives (as runSweepJob closes a job). */
const jobStatusOf = (r: RunResult): SweepJobStatus => (r.status === 'completed' ? 'completed' : r.status === 'failed' ? 'failed' : 'interrupted');

/** The sweep job whose run folder is `runDir` (run folders lie directly in their sweep folder), or undefined. */
function membership(runDir: string) {
  const dir = path.resolve(runDir);
  const sweepDir = path.dirname(dir);
  const rec = readSweep(sweepDir);
  if (!rec) return undefined;
  for (const job of rec.jobs) {
    const record = readJobRecord(sweepDir, job.id);
    // Matched by folder name: a sweep folder moved or copied keeps its runs.
    if (record?.runDir && path.basename(record.runDir) === path.basename(dir)) return { sweepDir, rec, job, record, dir };
  }
  return undefined;
}

/**
 * Bring the records of the sweep or comparison `runDir` belongs to up to
 * date with its run folders; undefined when it belongs to none or its run
 * has not ended (a run still training writes them when it ends).
 */
export async function refreshMemberRecords(runDir: string): Promise<MemberRecords | undefined> {
  const m = membership(runDir);
  if (!m) return undefined;
  const { sweepDir, rec, job, record, dir } = m;
  const run = readRun(dir);
  const r = run.result;
  if (run.state !== 'ok' || !r || (r.status === 'running' && ownerAlive(r))) return undefined;
  if (record.status === 'running' && sweepOwnerAlive(record.owner, { updatedAt: jobLastSign(sweepDir, record) }) && record.owner.pid !== process.pid) return undefined;
  // The job's record follows its run; its points are priced again only when the run's end changed.
  const stale = record.status !== jobStatusOf(r) || record.runDir !== dir || (r.status === 'completed' && !record.priced);
  if (stale) {
    const now = new Date().toISOString();
    writeJobRecord(sweepDir, { jobId: job.id, owner: thisProcess(), startedAt: record.startedAt, ...(await jobOutcome(rec, job, dir, r)), finishedAt: now, seconds: r.seconds });
  }
  const out: MemberRecords = { sweepDir, kind: rec.kind, jobId: job.id, jobUpdated: stale };
  // A sweep whose process still runs rewrites its front as each job ends, and the comparison when the last one does.
  if (rec.status === 'running' && sweepOwnerAlive(rec.owner, { updatedAt: sweepLastSign(sweepDir, rec) }) && rec.owner!.pid !== process.pid) return out;
  out.front = closeSweepRecords(sweepDir, rec).front;
  if (rec.kind === 'compare') out.compare = writeCompareRecord(sweepDir, rec);
  return out;
}

/** refreshMemberRecords, said as events: what was written, or why it could not be (the run's own outcome stands). */
async function refreshAndSay(runDir: string, emit: (e: EngineEvent) => void): Promise<MemberRecords | undefined> {
  try {
    const m = await refreshMemberRecords(runDir);
    if (m?.front) {
      const files = [SWEEP_FILES.sweep, SWEEP_FILES.pareto, SWEEP_FILES.points, ...(m.compare ? [FILES.compare] : [])];
      emit({ type: 'log', level: 'info', message: `${m.kind === 'compare' ? 'comparison' : 'sweep'} ${m.sweepDir} updated (${files.join(', ')})` });
    }
    return m;
  } catch (e) {
    emit({ type: 'log', level: 'warning', message: `${path.dirname(path.resolve(runDir))}: the sweep's records could not be updated (${errorMessage(e)})` });
    return undefined;
  }
}

/**
 * `trannsformer resume <run>`: resume the run, then, however it ends
 * (completed, stopped, failed, or refused as already completed), bring the
 * records of its sweep or comparison up to date; `recorded` hears of them
 * (the CLI writes the comparison's report again).
 */
export async function resumeMemberRun(opts: ResumeOptions & { recorded?: (m: MemberRecords) => void }): Promise<RunOutcome & { member?: MemberRecords }> {
  const refresh = async () => {
    const m = await refreshAndSay(opts.dir, opts.emit);
    if (m) opts.recorded?.(m);
    return m;
  };
  let outcome: RunOutcome;
  try {
    outcome = await resumeRun(opts);
  } catch (e) {
    // A run that failed, or had completed before (records left behind by an older engine); a refused resume leaves everything as it was.
    const status = readRun(path.resolve(opts.dir)).result?.status;
    if (status === 'failed' || status === 'completed') await refresh();
    throw e;
  }
  return { ...outcome, member: await refresh() };
}
