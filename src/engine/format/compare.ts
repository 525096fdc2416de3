/**
 * A comparison of modes: what `compare.json` holds.
 * Types only: browser-safe, shared by the engine, the extension and the webviews.
 */
import type { TransformMode } from '../config/schema';
import type { RunResult } from './run';

export interface CompareRow {
  mode: TransformMode;
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
  reductionVsOriginal?: number;
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
export interface CompareResult {
  name: string;
  crossbarSize: number;
  epochs: number;
  rows: CompareRow[];
  dir: string;
}
