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
  /** 1 − mPEs ÷ pruning's mPEs, from the comparison record when the run belongs to one. */
  vsPruning?: number;
  hardware?: RunHardwareSummary | { error: string };
  error?: string;
  metrics: EpochMetrics[];
}

/** What the Run details view shows of a selected sweep: its pareto.json's summary. */
export interface DetailsSweep {
  dir: string;
  name: string;
  /** Points finished (priced or failed), failed, and planned. */
  done: number;
  failed: number;
  planned: number;
  /** Done points priced beyond their preset's largest reliable crossbar (invalid designs, never recommended). */
  invalid: number;
  accuracyLossLimit: number;
  /** The recommended design, with its figures; or why there is none. */
  recommended?: { id: string; label: string; testAccuracy?: number; accuracyLoss?: number; mpes: number; area_mm2: number; energy_uJ: number };
  noRecommendation?: string;
}

export type HostToDetails =
  | { type: 'show'; run: DetailsRun | undefined; sweep?: DetailsSweep }
  | { type: 'progress'; dir: string; progress: TrainProgress };

export type DetailsToHost =
  | { type: 'ready' }
  | { type: 'openReport'; dir: string }
  | { type: 'reveal'; dir: string }
  | { type: 'openMapping'; dir: string }
  | { type: 'openCurves'; dir: string };

// ---- Crossbar mapping panel ----------------------------------------------
/** One crossbar of the chosen scheme: neuron indices of the layer it holds. */
export interface MappingCrossbarView {
  rows: number[];
  cols: number[];
  synapses: number;
  kind: 'tile' | 'cluster' | 'leftover';
}
export interface MappingLayerView {
  rows: number;
  cols: number;
  /** Connectivity (outputs × inputs, row-major), bit-packed most significant bit first, base64. */
  bits: string;
  synapses: number;
  /** Valid clusters (neuron indices). */
  clusters: { outputs: number[]; inputs: number[]; quality: number }[];
  /** Neuron orders that make every cluster contiguous (first cluster first), the rest after. */
  permutation: { outputs: number[]; inputs: number[] };
  /** Crossbars of the chosen scheme; absent for a snapshot (placements exist only for the final network). */
  crossbars?: MappingCrossbarView[];
}
export interface MappingView {
  /** The run folder: the panel's key. */
  key: string;
  name: string;
  mode: string;
  status: string;
  crossbarSize: number;
  /** Schemes with placements in mapping.json (the chosen one first in `scheme`). */
  schemes: string[];
  scheme?: string;
  /** Snapshot shown (undefined: the final network). */
  epoch?: number;
  snapshots: { epoch: number; reasons: string[] }[];
  /** Runs of the same comparison (this one included), for the toggle. */
  siblings: { key: string; mode: string }[];
  layers: MappingLayerView[];
  notes: string[];
}
export type HostToMapping = { type: 'show'; view: MappingView } | { type: 'error'; message: string };
export type MappingToHost =
  | { type: 'ready' }
  /** Show another run of the same comparison, another scheme or another snapshot (epoch undefined: final). */
  | { type: 'select'; key: string; scheme?: string; epoch?: number }
  | { type: 'openReport'; key: string };

// ---- Pareto panel ----------------------------------------------------------
export type ParetoMetric = 'area' | 'energy' | 'accuracy' | 'accuracyLoss' | 'mpes' | 'hwAccuracy';
export interface ParetoPoint {
  /** The run folder. */
  key: string;
  name: string;
  mode: string;
  crossbar: number;
  preset?: string;
  /** Folder name of the comparison it belongs to. */
  compare?: string;
  epochs: number;
  values: Partial<Record<ParetoMetric, number>>;
  /** Per ordered axis pair "x|y": dominated on those two objectives (absent: a value is missing). */
  dominated: Record<string, boolean>;
  /** A sweep's design point (a training priced at one crossbar size and preset); `key` is its training's run folder. */
  sweep?: ParetoSweepPoint;
  /** A design over several seeds: `values` are the means, this their sample std and range (drawn as error bars). */
  spread?: Partial<Record<ParetoMetric, ParetoSpread>>;
  /** Pricing warnings (a crossbar beyond its preset's largest reliable one): an invalid design, never recommended. */
  warnings?: string[];
  /** Beyond the preset's claimed largest crossbar but measured on chips: the measurement decides (said in the tooltip). */
  beyondClaim?: string;
  /** `values.hwAccuracy` of one network: the mean over this many simulated chips, with its spread over them (not over seeds). */
  hwChips?: { chips: number; std?: number; min: number; max: number };
  /** A sweep point's cost in time: the seconds its training took (points.csv train_s). */
  trainSeconds?: number;
}
export interface ParetoSpread {
  /** Seeds the figure is over. */
  n: number;
  std?: number;
  min: number;
  max: number;
}
export interface ParetoSweepPoint {
  /** Point id in the sweep ("p003"). */
  id: string;
  /** Folder name of the sweep. */
  folder: string;
  /** The axis values that make the point ("crossbar" → 64, "mode" → "pruning"), as text. */
  axes: Record<string, string>;
  /** Trained for another point of its training and re-priced (its run folder's mapping is at that point's crossbar size). */
  repriced: boolean;
  /** The sweep's recommended design (lowest area × energy within the accuracy-loss limit). */
  recommended: boolean;
  /** A design over several seeds: the seeds, and the verdict on its accuracy against the original's. */
  seeds?: number[];
  verdict?: string;
  /** On the sweep's own front over all its objectives (pareto.json's front; a design's rank 0 with several seeds). */
  onFront?: boolean;
}
/** The sweep a Pareto panel is scoped to (opened on a sweep node): what pareto.json says of it. */
export interface ParetoSweepSummary {
  dir: string;
  name: string;
  /** Points finished (priced or failed) and planned. */
  done: number;
  planned: number;
  failed: number;
  accuracyLossLimit: number;
  /** The objectives its front is over (pareto.json's objectives). */
  objectives?: string[];
  /** The recommended point's id, or why there is none. */
  recommended?: string;
  noRecommendation?: string;
  /** "damaged: pareto.json: …": records left out of the plot (which file, why). */
  damaged?: string[];
}
export interface ParetoView {
  points: ParetoPoint[];
  /** Set when the panel shows one sweep (else: every completed run and every sweep point of the runs folders). */
  sweep?: ParetoSweepSummary;
  /** Per axis pair "x|y": indices of the non-dominated points, in ascending x. */
  fronts: Record<string, number[]>;
  /** Whether each metric is minimised (true) or maximised. */
  minimise: Record<ParetoMetric, boolean>;
}
export type HostToPareto = { type: 'show'; view: ParetoView };
export type ParetoToHost =
  | { type: 'ready' }
  | { type: 'openMapping'; key: string }
  /** Save the points as CSV, flagged for the axes shown. */
  | { type: 'exportCsv'; x: ParetoMetric; y: ParetoMetric }
  | { type: 'exportPng'; dataUrl: string };

// ---- Training curves panel -------------------------------------------------
export interface CurvesView {
  key: string;
  name: string;
  mode: string;
  status: string;
  live: boolean;
  crossbar: number;
  epochsPlanned: number;
  metrics: EpochMetrics[];
}
export type HostToCurves = { type: 'show'; view: CurvesView } | { type: 'epoch'; key: string; metrics: EpochMetrics };
export type CurvesToHost = { type: 'ready' } | { type: 'openMapping'; key: string };
