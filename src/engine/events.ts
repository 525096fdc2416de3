/**
 * The engine's event protocol: what `trannsformer run --json` prints on
 * stdout, one JSON object per line, and what the extension's background
 * process relays to the host. Every event has a `type`; consumers switch on
 * it and ignore types they do not know (newer engines may add some).
 */
import type { EpochMetrics, TrainProgress } from './format/metrics';
import type { RunResult } from './format/run';
import type { CompareResult } from './format/compare';
import type { SweepFront, SweepJobStatus } from './format/sweep';

export const PROTOCOL_VERSION = 1;

export type EngineEvent =
  | {
      type: 'started';
      protocol: number;
      runDir: string;
      name: string;
      epochs: number;
      backend: { name: string; detail: string };
      dataset: { name: string; train: number; test: number; inputSize: number; classes: number; notes: string[] };
      warnings: string[];
      /** Present when the run continues a checkpoint (`trannsformer resume`). */
      resumedFrom?: { epoch: number; batchesIntoEpoch: number };
    }
  | ({ type: 'progress' } & TrainProgress)
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'log'; level: 'info' | 'warning'; message: string }
  | { type: 'finished'; status: RunResult['status']; runDir: string; result: RunResult }
  | { type: 'error'; message: string; where?: string; runDir?: string }
  | { type: 'compared'; result: CompareResult }
  // Sweeps (`trannsformer sweep --json`): the plan, each training job as it starts and ends, overall progress, the front.
  | { type: 'sweep-started'; sweepDir: string; name: string; points: number; jobs: number; todo: number; resumed: boolean; parallel: number; threads: number }
  | { type: 'sweep-job'; sweepDir: string; jobId: string; name: string; status: 'started' | SweepJobStatus; pointIds: string[]; runDir?: string; error?: string }
  | { type: 'sweep-progress'; jobsDone: number; jobsTotal: number; fraction: number; etaSeconds: number; running: { jobId: string; epoch: number; epochs: number }[] }
  | { type: 'swept'; sweepDir: string; status: 'completed' | 'interrupted' | 'failed'; front: SweepFront };

export type EngineEventType = EngineEvent['type'];

/** Parse one line of the protocol; undefined for lines that are not events. */
export function parseEventLine(line: string): EngineEvent | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const e = JSON.parse(t) as { type?: unknown };
    return typeof e.type === 'string' ? (e as EngineEvent) : undefined;
  } catch {
    return undefined;
  }
}
