/**
 * A comparison of modes: what `compare.json` holds.
 * Types only: browser-safe, shared by the engine, the extension and the webviews.
 */
import type { TransformMode } from '../config/schema';
import type { RunResult } from './run';

/** One training run of a comparison: a mode at a seed. */
export interface CompareRow {
  mode: TransformMode;
  /** training.seed of this run (absent in records written before comparisons had seeds). */
  seed?: number;
  status: RunResult['status'];
  runDir: string;
  testAccuracy?: number;
  /** mPEs with the mode's default mapping (dense, compact, or packed). */
  mpes?: number;
  shown?: string;
  /** mPEs with the published TraNNsformer mapping (clusters on crossbars of their own). */
  paperMpes?: number;
  /** Pruning's stronger baseline: compaction that skips empty tiles. */
  compactSkipMpes?: number;
  utilisation?: number;
  keptFraction?: number[];
  clusteredFraction?: number[];
  /** 1 − mPEs ÷ the original's mPEs at the same seed. */
  reductionVsOriginal?: number;
  /** 1 − mPEs ÷ pruning's mPEs at the same seed. */
  reductionVsPruning?: number;
  seconds: number;
  hardware?: {
    preset: string;
    snnAccuracy: number;
    area_mm2: number;
    energy_uJ: number;
    crossbar_uJ: number;
    neuron_uJ: number;
    communication_uJ: number;
    areaVsOriginal?: number;
    energyVsOriginal?: number;
    areaVsPruning?: number;
    energyVsPruning?: number;
  };
}
/** Values over seeds: mean, sample standard deviation (n − 1; absent for one value), minimum and maximum. */
export interface Spread {
  n: number;
  mean: number;
  std?: number;
  min: number;
  max: number;
}

/**
 * A mode's accuracy against the original's, in words. Differences no larger
 * than the spread (the larger sample standard deviation of the two modes'
 * accuracies) are "no-measurable-loss"; with one seed the spread is unknown.
 */
export interface AccuracyVerdict {
  kind: 'reference' | 'no-measurable-loss' | 'loss' | 'gain' | 'single-seed' | 'unavailable';
  text: string;
}

/** One mode over every seed of the comparison (completed runs only). */
export interface CompareModeSummary {
  mode: TransformMode;
  /** Seeds this mode was run with. */
  seeds: (number | undefined)[];
  /** How many of them completed (the spreads are over these). */
  completed: number;
  /** Test accuracy (fraction). */
  testAccuracy?: Spread;
  mpes?: Spread;
  paperMpes?: Spread;
  /** Test accuracy minus the original's at the same seed (fraction; paired differences). */
  deltaAccuracy?: Spread;
  verdict: AccuracyVerdict;
  /** 1 − mean mPEs ÷ the original's mean mPEs. */
  reductionVsOriginal?: number;
  /** 1 − mean mPEs ÷ pruning's mean mPEs. */
  reductionVsPruning?: number;
}

export interface CompareResult {
  name: string;
  crossbarSize: number;
  epochs: number;
  /** Seeds every mode was trained with (absent in older records: one seed, the config's). */
  seeds?: number[];
  /** One run per mode and seed, in the order they ran. */
  rows: CompareRow[];
  /** Per mode over the seeds (absent in older records). */
  summary?: CompareModeSummary[];
  dir: string;
}
