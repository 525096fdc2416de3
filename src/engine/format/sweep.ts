/**
 * A sweep: what `sweep.json`, the job records, `pareto.json` and `points.csv`
 * of a sweep folder hold.
 * Types only: browser-safe, shared by the engine, the runner, the extension and the webviews.
 */
import type { AccuracyVerdict, Spread } from './compare';
import type { JsonPath } from '../config/validate';
import type { TransformMode } from '../config/schema';

/** What a sweep point is judged on; area, energy and mpes are minimised, accuracies maximised. */
export type SweepObjective = 'area' | 'energy' | 'accuracy' | 'snnAccuracy' | 'mpes' | 'hwAccuracy';

/** One value an axis takes at a point, with the config path it sets. */
export interface SweepAxisValue {
  /** The axis as written in `sweep.grid` / `sweep.random.ranges` ("crossbar", "training.learningRate"). */
  axis: string;
  path: JsonPath;
  value: unknown;
}

/** One design point: the base config with these overrides. */
export interface SweepPoint {
  id: string;
  axes: SweepAxisValue[];
  mode: TransformMode;
  crossbar: number;
  preset: string;
  epochs: number;
  seed: number;
  /** The training job whose network this point prices. */
  jobId: string;
  /** The original-mode point this point's accuracy loss is measured against (same training settings but the mode). */
  referenceId?: string;
}

/**
 * One training: a normal run folder, trained once for every point that
 * differs from it only in what acts after training (crossbar size and preset
 * for original and pruning; the preset for TraNNsformer).
 */
export interface SweepJob {
  id: string;
  /** Run name (folder name suffix). */
  name: string;
  /** Overrides of the training run: its representative point's, plus name and threads. */
  overrides: { path: JsonPath; value: unknown; source: string }[];
  /** Training threads the run uses (counted against the core budget). */
  threads: number;
  pointIds: string[];
  /** Crossbar sizes and presets the finished network is priced at (re-priced without retraining). */
  crossbars: number[];
  presets: string[];
  /** Epochs of the training, for progress and ETA. */
  epochs: number;
  /**
   * Checkpoint forking: a parent saves its training state after `epoch`
   * (the last epoch before any of the settings its children change acts);
   * each child starts from it instead of epoch 1.
   */
  fork?: SweepFork;
}

export type SweepFork = { role: 'parent'; epoch: number; crossbars: number[]; children: string[] } | { role: 'child'; parent: string; epoch: number };

export interface SweepSharing {
  points: number;
  trainings: number;
  /** Trainings saved against one training per point. */
  trainingsSaved: number;
  /** Plain sentences: what trained once and was re-priced for which points. */
  notes: string[];
  /** Whether some trainings start from another's checkpoint (points sharing the epochs before a setting acts). */
  checkpointForking: boolean;
  /** Training epochs skipped by forking, against every training from epoch 1. */
  epochsSaved?: number;
}

export type SweepStatus = 'running' | 'completed' | 'interrupted' | 'failed';

/** `sweep.json`: the spec, the plan and what was shared; rewritten atomically. */
export interface SweepRecord {
  format: 'trannsformer-sweep';
  formatVersion: number;
  name: string;
  /** "sweep", or "compare" for a comparison of modes. */
  kind: 'sweep' | 'compare';
  createdAt: string;
  updatedAt: string;
  status: SweepStatus;
  /** The process driving the sweep now (pid, host, start time). */
  owner?: { pid: number; hostname?: string; startTime?: string };
  /** The config file and the folder its relative paths resolve against. */
  configFile: string;
  baseDir: string;
  /** The config as written, without its sweep section (each point resolves it again with its overrides). */
  raw: unknown;
  /** Hash of the plan: a resume must plan exactly the same points. */
  fingerprint: string;
  objectives: SweepObjective[];
  accuracyLossLimit: number;
  points: SweepPoint[];
  jobs: SweepJob[];
  sharing: SweepSharing;
  /** How often it was resumed. */
  resumes: number;
}

/** The figures of one priced point. */
export interface SweepFigures {
  testAccuracy?: number;
  snnAccuracy?: number;
  /** Test accuracy on simulated chips at the point's preset and size: the mean over chips (with the hwAccuracy objective). */
  hwAccuracy?: number;
  /** Its spread over the chips: sample std (undefined with one chip), min–max, the number of chips. */
  hwAccuracySpread?: { std?: number; min: number; max: number; chips: number };
  mpes: number;
  utilisation: number;
  area_mm2: number;
  energy_uJ: number;
  /** Seconds the point's network took to train: the sum over its epochs (a forked run's shared epochs included; the end-of-run pricing not). */
  trainSeconds?: number;
  /** "adc": area and energy are the bit-serial ANN's with ADCs (hwAccuracy was measured through them); absent: the spiking implementation's. */
  machine?: 'adc';
  /** Pricing warnings (a crossbar larger than the preset's largest reliable one): such a point is never recommended. */
  warnings?: string[];
  /**
   * A crossbar larger than the preset's claimed largest reliable one whose
   * accuracy was measured on simulated chips (hwAccuracy): the measurement,
   * not the source's claim, decides whether it is recommended; this says so.
   */
  beyondClaim?: string;
}

export type SweepJobStatus = 'running' | 'completed' | 'interrupted' | 'failed';

/** `job-<id>.json`: one training's state, written by the process that runs it. */
export interface SweepJobRecord {
  jobId: string;
  status: SweepJobStatus;
  owner: { pid: number; hostname?: string; startTime?: string };
  startedAt: string;
  finishedAt?: string;
  seconds?: number;
  runDir?: string;
  error?: { message: string; where?: string };
  /** Per point of the job: its figures, or why it could not be priced. */
  priced?: Record<string, SweepFigures | { error: string }>;
}

export type SweepPointStatus = 'pending' | 'running' | 'completed' | 'interrupted' | 'failed';

/** A point as the front and the CSV show it. */
export interface SweepPointResult {
  id: string;
  jobId: string;
  status: SweepPointStatus;
  mode: TransformMode;
  crossbar: number;
  preset: string;
  epochs: number;
  axes: Record<string, unknown>;
  runDir?: string;
  /** True when the point's network was trained for another point of its job and re-priced. */
  repriced: boolean;
  figures?: SweepFigures;
  /** Accuracy lost against the original at the same training settings (fraction; negative = gained); with the hwAccuracy objective, the original's software accuracy minus this point's hardware accuracy. */
  accuracyLoss?: number;
  error?: string;
  /** Pareto rank over the objectives: 0 = on the front; undefined when not ranked (unfinished, missing values). */
  rank?: number;
}

/**
 * A design: the points of a sweep that differ only in their seed (a
 * `seed` axis with several values), summarised over the seeds: mean,
 * sample std and range of each figure, the accuracy lost against the
 * original (paired by seed), and the verdict in words.
 */
export interface SweepDesign {
  id: string;
  pointIds: string[];
  seeds: number[];
  mode: TransformMode;
  crossbar: number;
  preset: string;
  /** The axes but the seed. */
  axes: Record<string, unknown>;
  /** Seeds priced / planned. */
  done: number;
  testAccuracy?: Spread;
  snnAccuracy?: Spread;
  hwAccuracy?: Spread;
  mpes?: Spread;
  area_mm2?: Spread;
  energy_uJ?: Spread;
  /** Accuracy lost against the original at the same seed (fraction). */
  accuracyLoss?: Spread;
  verdict?: AccuracyVerdict;
  /** Pareto rank of the means; 0 = on the front. */
  rank?: number;
  /** Some point was priced beyond its preset's largest reliable crossbar. */
  warnings?: boolean;
}

/** `pareto.json`. */
export interface SweepFront {
  format: 'trannsformer-pareto';
  formatVersion: number;
  name: string;
  objectives: SweepObjective[];
  accuracyLossLimit: number;
  /** Points done / planned. */
  done: number;
  planned: number;
  /** Ids of the non-dominated points, by area. */
  front: string[];
  /** Lowest area × energy among finished points within the accuracy-loss limit. */
  recommended?: string;
  /** Why there is no recommendation, when there is none. */
  noRecommendation?: string;
  points: SweepPointResult[];
  /** With a seed axis of several values: the designs (points but for the seed), their front by mean and the recommended one. */
  designs?: SweepDesign[];
  designFront?: string[];
  recommendedDesign?: string;
  sharing: SweepSharing;
}
