/**
 * The engine's event protocol: what `trannsformer run --json` prints on
 * stdout, one JSON object per line, and what the extension's background
 * process relays to the host. Every event has a `type`; consumers switch on
 * it and ignore types they do not know (newer engines may add some).
 */
import type { EpochMetrics, TrainProgress } from './engine/train';
import type { RunResult } from './engine/store';
import type { CompareResult } from './engine/compare';

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
    }
  | ({ type: 'progress' } & TrainProgress)
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'log'; level: 'info' | 'warning'; message: string }
  | { type: 'finished'; status: RunResult['status']; runDir: string; result: RunResult }
  | { type: 'error'; message: string; where?: string; runDir?: string }
  | { type: 'compared'; result: CompareResult };

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

// ---- extension host ↔ webview (Run details view) -------------------------

import type { RunMappingSummary, RunStatus, RunHardwareSummary } from './engine/store';

/** What the Run details view shows of one run. */
export interface DetailsRun {
  dir: string;
  name: string;
  status: RunStatus;
  /** True while a process of this window works on it. */
  live: boolean;
  mode: string;
  crossbar: number;
  layers: number[];
  epochsCompleted: number;
  epochsPlanned: number;
  final?: { testAccuracy: number; trainAccuracy: number; trainLoss: number; keptFraction: number[] };
  mapping?: RunMappingSummary;
  hardware?: RunHardwareSummary | { error: string };
  error?: string;
  metrics: EpochMetrics[];
}

export type HostToDetails =
  | { type: 'show'; run: DetailsRun | undefined }
  | { type: 'progress'; dir: string; progress: TrainProgress };

export type DetailsToHost = { type: 'ready' } | { type: 'openReport'; dir: string } | { type: 'reveal'; dir: string };
