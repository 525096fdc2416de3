/**
 * The run folder's `result.json` and its summaries.
 * Types only: browser-safe, shared by the engine, the extension and the webviews.
 */
import type { ExperimentConfig } from '../config/schema';
import type { EpochMetrics } from './metrics';

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'failed';
export interface RunResult {
  format: 'trannsformer-run';
  formatVersion: number;
  name: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Process that owns a running run (to tell a live run from a crashed one). */
  pid: number;
  /** The owning process as any reader on its machine can check it (pid reuse is told apart by start time on Linux). */
  owner?: { pid: number; hostname?: string; startTime?: string };
  host: { node: string; platform: string; cpus: number; cpuModel: string };
  configFile?: string;
  /** SHA-256 of config.json as the run started (or last accepted a change): a resume refuses an edited config. */
  configSha256?: string;
  backend?: { name: string; detail: string };
  dataset?: { name: string; source: string; train: number; test: number; inputSize: number; classes: number; notes: string[] };
  layers: number[];
  epochsPlanned: number;
  epochsCompleted: number;
  /** Batches of an unfinished epoch that ran before an interruption. */
  batchesIntoEpoch: number;
  /** Metrics of the last completed epoch. */
  final?: Pick<EpochMetrics, 'testAccuracy' | 'testLoss' | 'trainAccuracy' | 'trainLoss' | 'keptFraction'>;
  best?: { epoch: number; testAccuracy: number };
  /** Wall-clock seconds since the run started. */
  seconds: number;
  /** Present once weights were written. */
  weightsFile?: string;
  weightsNote?: string;
  error?: { message: string; where?: string };
  /** The latest checkpoint to resume from (checkpoint.tnsr): epochs completed and batches into the next. */
  checkpoint?: { file: string; epoch: number; batchesIntoEpoch: number; at: string };
  /** A sweep's forked run: its first `epoch` epochs are another run's (`run`), saved in `checkpoint`. */
  forkedFrom?: { checkpoint: string; epoch: number; run?: string };
  /** Each time the run was resumed: when, from where, and how it had ended. */
  resumes?: { at: string; fromEpoch: number; batchesIntoEpoch: number; previousStatus: RunStatus; configChange?: RunConfigChange }[];
  /** Crossbar mapping of the final network (see mapping.json for placements). */
  mapping?: RunMappingSummary;
  /** Spiking conversion, area and energy at the configured size and preset (see evaluation.json). */
  hardware?: RunHardwareSummary | { error: string };
}
/** A config change a resume accepted (--accept-config-change): the fields that differ and the fingerprints before and after. */
export interface RunConfigChange {
  fields: string[];
  from?: string;
  to: string;
}
export interface RunHardwareSummary {
  preset: string;
  crossbarSize: number;
  snnAccuracy: number;
  annAccuracy: number;
  images: number;
  timesteps: number;
  area_mm2: number;
  energy_uJ: number;
  crossbar_uJ: number;
  neuron_uJ: number;
  communication_uJ: number;
  adcEnergy_uJ?: number;
  /** Accuracy on simulated chips at this preset and size, when evaluated (`evaluate --chips`). */
  hardwareAccuracy?: { softwareAccuracy: number; mean: number; std?: number; min: number; max: number; chips: number; reliableCrossbar?: number; claimedCrossbar: number; lossLimit: number };
}
export interface RunMappingSummary {
  mode: string;
  crossbarSize: number;
  /** The scheme shown by default for this mode. */
  shown: string;
  /** mPEs with the shown scheme. */
  mpes: number;
  utilisation: number;
  schemes: Record<string, { total: number; perLayer: number[]; utilisation: number; taken?: string[] }>;
  /** Per layer: clusters and the fraction of kept synapses inside them. */
  clusters: number[];
  clusteredFraction: number[];
  keptFraction: number[];
  /** 1 − mpes ÷ dense mPEs. */
  reductionVsOriginal: number;
  // Ratios against pruning need both runs: they live in the comparison record (format/compare.ts).
}

export interface RunRecord {
  dir: string;
  /** "ok", or "corrupt" when the folder cannot be read as a run (see `problem`). */
  state: 'ok' | 'corrupt';
  problem?: string;
  result?: RunResult;
  config?: ExperimentConfig;
  /** True when status says running but its process is gone on this machine (crashed or killed). */
  stale?: boolean;
}
