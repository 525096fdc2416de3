/**
 * What the status bar and the progress notification say about a session:
 * a run's epoch, accuracy, mPEs and ETA; a sweep's trainings done of all,
 * the running trainings' epochs, its share done and ETA. Never "100 %"
 * before the sweep's last training ended, never an ETA of 0 while work
 * remains. Pure (no `vscode`): tested in plain Node.
 */
import type { EngineEvent } from '../engine/events';
import type { EpochMetrics, TrainProgress } from '../engine/format/metrics';

export type SweepProgress = Extract<EngineEvent, { type: 'sweep-progress' }>;

/** What a session knows when its text is drawn. */
export interface SessionSnapshot {
  cancelling: boolean;
  /** A compare's current training ("trannsformer (run 3)"). */
  training?: string;
  progress?: Pick<TrainProgress, 'epoch' | 'epochs' | 'etaSeconds'>;
  epoch?: Pick<EpochMetrics, 'testAccuracy' | 'transform'>;
  /** A sweep's last progress (or its plan, before the first training reported). */
  sweep?: SweepProgress;
}

/** A sweep's whole percent done: at most 99 while a training has not ended. */
export function sweepPercent(e: SweepProgress): number {
  const pct = Number.isFinite(e.fraction) ? Math.floor(100 * Math.min(1, Math.max(0, e.fraction))) : 0;
  return e.jobsDone < e.jobsTotal ? Math.min(99, pct) : 100;
}

/** Minutes left, never 0 while work remains ("<1 min"); "?" before there is an estimate. */
export function etaMinutes(seconds: number, remaining: boolean): string {
  if (!remaining) return 'done';
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  return seconds < 60 ? '<1 min' : `${Math.ceil(seconds / 60)} min`;
}

/** m:ss, from whole seconds (59.6 s is 1:00, never 0:60). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "2/5 trainings · j003 epoch 3/10 · 47% · ETA 6 min". */
export function sweepProgressText(e: SweepProgress): string {
  const remaining = e.jobsDone < e.jobsTotal;
  const parts = [`${e.jobsDone}/${e.jobsTotal} trainings`];
  const running = e.running.slice(0, 2).map((r) => `${r.jobId} epoch ${r.epoch}/${r.epochs}`);
  if (e.running.length > 2) running.push(`+${e.running.length - 2} more`);
  parts.push(...running, `${sweepPercent(e)}%`, `ETA ${etaMinutes(e.etaSeconds, remaining)}`);
  return parts.join(' · ');
}

/** The text of a session for the status bar and its notification (empty: nothing known yet). */
export function sessionText(s: SessionSnapshot): string {
  const parts: string[] = [];
  if (s.cancelling) parts.push('stopping…');
  if (s.sweep) return [...parts, `sweep ${sweepProgressText(s.sweep)}`].join(' · ');
  if (s.training) parts.push(s.training);
  const p = s.progress;
  if (p) parts.push(`epoch ${p.epoch}/${p.epochs}`);
  if (s.epoch) parts.push(`test ${(100 * s.epoch.testAccuracy).toFixed(2)}%`);
  if (s.epoch?.transform) parts.push(`${s.epoch.transform.mpes} mPEs`);
  if (p && Number.isFinite(p.etaSeconds)) parts.push(`ETA ${clock(p.etaSeconds)}`);
  return parts.join(' · ');
}
