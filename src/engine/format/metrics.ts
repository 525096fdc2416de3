/**
 * Per-epoch records: what `metrics.jsonl` holds one line of, and live training progress.
 * Types only: browser-safe, shared by the engine, the extension and the webviews.
 */
export interface EpochMetrics {
  epoch: number;
  /** Mean loss over the epoch's batches, with dropout (what SGD saw). */
  trainLoss: number;
  /** Accuracy of the predictions made during the epoch's training passes (with dropout). */
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** Wall-clock seconds for the epoch: training plus evaluation. */
  seconds: number;
  trainSeconds: number;
  samplesPerSecond: number;
  /** Fraction of each layer's synapses kept by its mask. */
  keptFraction: number[];
  /** Transformation state after the epoch's pruning step (pruning, trannsformer and offline modes). */
  transform?: EpochTransformMetrics;
}
export interface EpochTransformMetrics {
  /** Fraction of each layer's synapses pruned. */
  prunedFraction: number[];
  /** Synapses outside every cluster ÷ layer size. */
  unclusteredFraction: number[];
  /** Valid clusters per layer. */
  clusters: number[];
  /** mPEs needed at the configured crossbar size, with the run's default mapping. */
  mpes: number;
  mapping: string;
}
export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Running mean loss of this epoch so far. */
  loss: number;
  samplesPerSecond: number;
  /** Estimated seconds until the last epoch ends. */
  etaSeconds: number;
}
