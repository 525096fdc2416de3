/**
 * Extension host ↔ webview messages: one pair of unions per panel (what the
 * host sends, what the webview sends back). Webviews import only this module
 * and the engine's `format/` types, as types.
 */
import type { RunHardwareSummary, RunMappingSummary, RunStatus } from '../engine/format/run';
import type { EpochMetrics, TrainProgress } from '../engine/format/metrics';

// ---- Run details view ----------------------------------------------------
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
