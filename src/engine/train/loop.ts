/**
 * The epoch loop: shuffle (seeded), minibatch SGD, masks re-applied at the
 * end of the epoch, test evaluation, metrics. Stops between batches when the
 * caller's AbortSignal fires, reporting how far it got.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkConfig, TrainingConfig } from '../config/schema';
import type { Dataset, Split } from '../data/dataset';
import type { ForwardWeights, MaskedMLP, StepResult } from '../model/mlp';
import { permutation, Rng } from '../core/rng';
import { SHUFFLE_STREAM, type LoopState } from './checkpoint';

import type { EpochMetrics, EpochTransformMetrics, TrainProgress } from '../format/metrics';
export interface TrainOutcome {
  status: 'completed' | 'interrupted';
  epochsCompleted: number;
  /** Batches of the unfinished epoch that ran before the stop (0 when completed). */
  batchesIntoEpoch: number;
  history: EpochMetrics[];
}

/** Anything that can take one SGD step on a batch: the in-process model, a pool of workers, ONNX Runtime. */
export interface Stepper {
  step(x: Float32Array, labels: Int32Array, count: number, dropoutSeed: number): Promise<StepResult>;
  /** A stepper that holds the weights itself writes them into the model: before the epoch-end hooks, and when a run stops. */
  flush?(): Promise<void> | void;
  /** …and reloads them from the model once its masks are re-applied. */
  sync?(): Promise<void> | void;
  /** Hardware-aware training: from now on each step's passes use `forward(W, seed)` (undefined: the float weights). */
  setForwardWeights?(forward: ForwardWeights | undefined): Promise<void> | void;
  /** Test evaluation through the stepper's own runtime (after `sync`); default: the model in this process. */
  evaluate?(split: Split, inputSize: number, batchSize: number): Promise<{ loss: number; accuracy: number }>;
}

export interface TrainOptions {
  model: MaskedMLP;
  data: Dataset;
  network: NetworkConfig;
  training: TrainingConfig;
  /** Defaults to stepping `model` in this process. */
  stepper?: Stepper;
  /** Called after the epoch's SGD, before the masks are re-applied: the pruning step sets new masks here. */
  afterEpochTraining?: (epoch: number, trainLoss: number) => Promise<void> | void;
  /** Called once the masks are re-applied (data-parallel replicas are synchronised here). */
  afterMasksApplied?: (epoch: number) => Promise<void> | void;
  /** Extra figures for the epoch's metrics line, after evaluation. */
  epochTransformMetrics?: () => EpochTransformMetrics | undefined;
  onProgress?: (p: TrainProgress) => void;
  onEpoch?: (m: EpochMetrics) => void | Promise<void>;
  signal?: AbortSignal;
  /** Minimum milliseconds between progress callbacks. */
  progressIntervalMs?: number;
  /** Continue from a checkpoint's loop state (the model and schedule were restored by the caller). */
  resumeFrom?: LoopState;
  /**
   * Called with the loop's state at each epoch's end (after `onEpoch`) and
   * when stopping (after the stepper flushed its weights into the model), to
   * write a checkpoint; `final` is true for the stop.
   */
  onCheckpoint?: (state: LoopState, final: boolean) => Promise<void> | void;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** Copy samples `order[start … start+count)` of a split into a float batch scaled to [0, 1]. */
export function fillBatch(split: Split, inputSize: number, order: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array): void {
  for (let b = 0; b < count; b++) {
    const i = order[start + b];
    const src = i * inputSize;
    const dst = b * inputSize;
    for (let p = 0; p < inputSize; p++) x[dst + p] = BYTE_TO_UNIT[split.images[src + p]];
    y[b] = split.labels[i];
  }
}

/** In-process stepping of the model. */
export function localStepper(model: MaskedMLP, network: NetworkConfig, training: TrainingConfig, inputSize: number): Stepper {
  let forward: ForwardWeights | undefined;
  return {
    setForwardWeights(f) {
      forward = f;
    },
    async step(x, labels, count, dropoutSeed) {
      const xt = tf.tensor2d(x.subarray(0, count * inputSize), [count, inputSize]);
      const yt = tf.tensor1d(labels.subarray(0, count), 'int32');
      // Hardware-aware: the batch's effective weights from the model's float ones.
      const fw = forward?.(model.W.map((w) => w.dataSync() as Float32Array), dropoutSeed).map((w, l) => tf.tensor2d(w, model.W[l].shape));
      try {
        return model.step(xt, yt, training.learningRate, training.momentum, {
          dropout: network.dropout,
          inputDropout: network.inputDropout,
          seed: dropoutSeed,
          ...(fw ? { forwardWeights: fw } : {}),
        });
      } finally {
        xt.dispose();
        yt.dispose();
        fw?.forEach((t) => t.dispose());
      }
    },
  };
}

/** Loss and accuracy of the model on a whole split, no dropout. */
export function evaluate(model: MaskedMLP, split: Split, inputSize: number, batchSize: number): { loss: number; accuracy: number } {
  const order = Int32Array.from({ length: split.count }, (_, i) => i);
  const x = new Float32Array(batchSize * inputSize);
  const y = new Int32Array(batchSize);
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < split.count; s += batchSize) {
    const n = Math.min(batchSize, split.count - s);
    fillBatch(split, inputSize, order, s, n, x, y);
    const xt = tf.tensor2d(x.subarray(0, n * inputSize), [n, inputSize]);
    const yt = tf.tensor1d(y.subarray(0, n), 'int32');
    const r = model.evaluateBatch(xt, yt);
    xt.dispose();
    yt.dispose();
    loss += r.lossSum;
    correct += r.correct;
  }
  return { loss: loss / split.count, accuracy: correct / split.count };
}

export async function train(opts: TrainOptions): Promise<TrainOutcome> {
  const { model, data, training } = opts;
  const inputSize = data.inputSize;
  const B = training.batchSize;
  const n = data.train.count;
  const batches = Math.ceil(n / B);
  const stepper = opts.stepper ?? localStepper(model, opts.network, training, inputSize);
  const from = opts.resumeFrom;
  const shuffleRng = from ? Rng.fromState(from.shuffle) : new Rng(training.seed, SHUFFLE_STREAM);
  const x = new Float32Array(B * inputSize);
  const y = new Int32Array(B);
  const history: EpochMetrics[] = [];
  const interval = opts.progressIntervalMs ?? 250;
  let secondsPerSample = 0; // measured training time per sample
  let evalSecondsPerEpoch = 0;

  for (let epoch = (from?.epochsCompleted ?? 0) + 1; epoch <= training.epochs; epoch++) {
    const shuffleAtStart = shuffleRng.state();
    const order = permutation(n, shuffleRng);
    const t0 = performance.now();
    // A resumed epoch picks up its running sums and its next batch.
    const resumed = from && epoch === from.epochsCompleted + 1 && from.batchesIntoEpoch > 0 ? from : undefined;
    let lossSum = resumed?.lossSum ?? 0;
    let correct = resumed?.correct ?? 0;
    let seen = resumed?.seen ?? 0;
    let lastReport = 0;
    let lastYield = 0;
    for (let b = resumed?.batchesIntoEpoch ?? 0; b < batches; b++) {
      // Let the event loop run: signals, stdout to a pipe and worker messages are handled there.
      if (performance.now() - lastYield > 20) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      if (opts.signal?.aborted) {
        await stepper.flush?.();
        await opts.onCheckpoint?.({ epochsCompleted: epoch - 1, batchesIntoEpoch: b, shuffle: shuffleAtStart, lossSum, correct, seen }, true);
        return { status: 'interrupted', epochsCompleted: epoch - 1, batchesIntoEpoch: b, history };
      }
      const count = Math.min(B, n - b * B);
      fillBatch(data.train, inputSize, order, b * B, count, x, y);
      const r = await stepper.step(x, y, count, (training.seed * 1000003 + epoch * 65537 + b) >>> 0);
      lossSum += r.lossSum;
      correct += r.correct;
      seen += count;
      const now = performance.now();
      if (opts.onProgress && (now - lastReport >= interval || b === batches - 1)) {
        lastReport = now;
        const rate = (seen - (resumed?.seen ?? 0)) / ((now - t0) / 1000);
        const perSample = secondsPerSample || 1 / rate;
        const remainingSamples = n - seen + (training.epochs - epoch) * n;
        const evalLeft = (training.epochs - epoch + 1) * (evalSecondsPerEpoch || (data.test.count * perSample) / 3);
        opts.onProgress({ epoch, epochs: training.epochs, batch: b + 1, batches, loss: lossSum / seen, samplesPerSecond: rate, etaSeconds: remainingSamples * perSample + evalLeft });
      }
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const trained = n - (resumed?.seen ?? 0); // samples this process trained in this epoch
    secondsPerSample = trainSeconds / trained;
    await stepper.flush?.();
    await opts.afterEpochTraining?.(epoch, lossSum / n);
    model.applyMasks();
    await opts.afterMasksApplied?.(epoch);
    await stepper.sync?.();
    const te = performance.now();
    const test = stepper.evaluate ? await stepper.evaluate(data.test, inputSize, training.evalBatchSize) : evaluate(model, data.test, inputSize, training.evalBatchSize);
    evalSecondsPerEpoch = (performance.now() - te) / 1000;
    const m: EpochMetrics = {
      epoch,
      trainLoss: lossSum / n,
      trainAccuracy: correct / n,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      seconds: (performance.now() - t0) / 1000,
      trainSeconds,
      samplesPerSecond: trained / trainSeconds,
      keptFraction: model.keptFractions(),
    };
    const tm = opts.epochTransformMetrics?.();
    if (tm) m.transform = tm;
    history.push(m);
    await opts.onEpoch?.(m);
    await opts.onCheckpoint?.({ epochsCompleted: epoch, batchesIntoEpoch: 0, shuffle: shuffleRng.state(), lossSum: 0, correct: 0, seen: 0 }, false);
  }
  return { status: 'completed', epochsCompleted: training.epochs, batchesIntoEpoch: 0, history };
}
