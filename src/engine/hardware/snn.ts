/**
 * ANN → SNN conversion and simulation: the trained, masked MLP becomes a
 * rate-coded network of integrate-and-fire neurons (threshold 1, reset by
 * subtraction) after data-based weight normalisation (Diehl et al. 2015; the
 * robust percentile of Rueckauer et al. 2017 by default). Inputs spike with
 * probability equal to their intensity each timestep (Poisson) or at that
 * rate deterministically. The class is the output neuron with the most
 * spikes (ties: the higher membrane potential).
 *
 * Besides accuracy, the simulation counts what the energy model needs: each
 * neuron's spikes, and for every crossbar of any number of mappings the
 * timesteps in which at least one of its inputs spiked.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data/dataset';

import { transposeArray } from '../model/mlp';
import { fillBatch } from '../train/loop';
import type { LayerSpikes } from './cost';

import type { Crossbar } from '../format/mapping';
export interface SnnOptions {
  timesteps: number;
  encoding: 'poisson' | 'rate';
  /** Percentile of activations used as each layer's scale (100 = the maximum). */
  percentile: number;
  /** Training images used for normalisation. */
  normalisationImages: number;
  /** Test images simulated. */
  images: number;
  batchSize: number;
  seed: number;
  /** Timesteps at which accuracy is recorded (the accuracy-vs-T curve); T itself is always included. */
  checkpoints: number[];
}

export const DEFAULT_SNN: SnnOptions = {
  timesteps: 100,
  encoding: 'poisson',
  percentile: 99.9,
  normalisationImages: 2000,
  images: 1000,
  batchSize: 250,
  seed: 1,
  checkpoints: [10, 20, 50, 100, 200, 500],
};

export interface SnnResult {
  timesteps: number;
  encoding: SnnOptions['encoding'];
  images: number;
  accuracy: number;
  /** ANN accuracy on the same images. */
  annAccuracy: number;
  curve: { timesteps: number; accuracy: number }[];
  /** Scale factor λ_l of each layer's activations. */
  scales: number[];
  /** Per mapping (same order as given), per layer: spike statistics per classification. */
  spikes: LayerSpikes[][];
  /** Mean spikes per neuron per classification, per layer (input layer first). */
  meanRates: number[];
}

/** Data-based normalisation: λ_l = percentile of layer l's ReLU activations over training images. */
export function activationScales(weightsInOut: tf.Tensor2D[], train: Split, inputSize: number, opts: Pick<SnnOptions, 'percentile' | 'normalisationImages' | 'batchSize'>): number[] {
  const n = Math.min(opts.normalisationImages, train.count);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const x = new Float32Array(opts.batchSize * inputSize);
  const y = new Int32Array(opts.batchSize);
  const perLayer: Float32Array[][] = weightsInOut.map(() => []);
  for (let s = 0; s < n; s += opts.batchSize) {
    const b = Math.min(opts.batchSize, n - s);
    fillBatch(train, inputSize, order, s, b, x, y);
    const acts = tf.tidy(() => {
      let h: tf.Tensor2D = tf.tensor2d(x.subarray(0, b * inputSize), [b, inputSize]);
      const out: tf.Tensor2D[] = [];
      for (const w of weightsInOut) {
        h = tf.relu(tf.matMul(h, w)) as tf.Tensor2D;
        out.push(h);
      }
      return out;
    });
    acts.forEach((a, l) => perLayer[l].push(a.dataSync() as Float32Array));
    tf.dispose(acts);
  }
  return perLayer.map((chunks) => {
    const total = chunks.reduce((a, c) => a + c.length, 0);
    const all = new Float32Array(total);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    all.sort();
    const idx = Math.min(total - 1, Math.max(0, Math.ceil((opts.percentile / 100) * total) - 1));
    return all[idx] > 0 ? all[idx] : 1;
  });
}

/**
 * Convert and simulate. `weights` and `masks` in the paper's [outputs, inputs]
 * orientation; `mappings[m][l]` are the crossbars of layer l under mapping m.
 */
export function simulateSnn(layers: number[], weights: Float32Array[], masks: Uint8Array[], train: Split, test: Split, mappings: Crossbar[][][], options: Partial<SnnOptions> = {}): SnnResult {
  const o = { ...DEFAULT_SNN, ...options };
  const depth = layers.length - 1;
  const inputSize = layers[0];
  const W = weights.map((w, l) => {
    const masked = Float32Array.from(w, (v, i) => (masks[l][i] ? v : 0));
    return tf.tensor2d(transposeArray(masked, layers[l + 1], layers[l]), [layers[l], layers[l + 1]]);
  });
  const scales = activationScales(W, train, inputSize, o);
  // W_l ← W_l · λ_{l−1} / λ_l, so that threshold 1 corresponds to each layer's activation scale.
  const Wn = W.map((w, l) => tf.tidy(() => tf.mul(w, (l === 0 ? 1 : scales[l - 1]) / scales[l]) as tf.Tensor2D));
  // Membership of inputs in crossbars: [inputs, crossbars] per mapping and layer.
  const members = mappings.map((m) =>
    m.map((xbs, l) => {
      const a = new Float32Array(layers[l] * Math.max(1, xbs.length));
      xbs.forEach((xb, p) => {
        for (const i of xb.cols) a[i * xbs.length + p] = 1;
      });
      return xbs.length ? tf.tensor2d(a, [layers[l], xbs.length]) : undefined;
    }),
  );
  const images = Math.min(o.images, test.count);
  const checkpoints = [...new Set([...o.checkpoints.filter((t) => t < o.timesteps), o.timesteps])].sort((a, b) => a - b);
  const correctAt = new Map<number, number>(checkpoints.map((t) => [t, 0]));
  let annCorrect = 0;
  const neuronSpikes = layers.map((n) => new Float64Array(n)); // layer 0 = inputs
  const active = mappings.map((m) => m.map((xbs) => new Float64Array(xbs.length)));
  const order = Int32Array.from({ length: images }, (_, i) => i);
  const x = new Float32Array(o.batchSize * inputSize);
  const y = new Int32Array(o.batchSize);
  let seed = o.seed * 1000003;
  for (let s = 0; s < images; s += o.batchSize) {
    const b = Math.min(o.batchSize, images - s);
    fillBatch(test, inputSize, order, s, b, x, y);
    const xt = tf.tensor2d(x.subarray(0, b * inputSize), [b, inputSize]);
    const labels = Array.from(y.subarray(0, b));
    // ANN on the same images, for a like-for-like comparison.
    const annPred = tf.tidy(() => {
      let h: tf.Tensor2D = xt;
      for (const w of W) h = tf.relu(tf.matMul(h, w)) as tf.Tensor2D;
      return tf.argMax(h, 1).dataSync();
    });
    labels.forEach((l, i) => (annCorrect += annPred[i] === l ? 1 : 0));
    let V = layers.slice(1).map((n) => tf.zeros([b, n]) as tf.Tensor2D);
    let acc = tf.zeros([b, inputSize]) as tf.Tensor2D;
    let outCount = tf.zeros([b, layers[depth]]) as tf.Tensor2D;
    const spikeSums = layers.map((n) => tf.zeros([n]) as tf.Tensor1D);
    const activeSums = members.map((m) => m.map((t) => (t ? (tf.zeros([t.shape[1]]) as tf.Tensor1D) : undefined)));
    for (let t = 1; t <= o.timesteps; t++) {
      const next = tf.tidy(() => {
        let sIn: tf.Tensor2D;
        let nextAcc = acc;
        if (o.encoding === 'poisson') sIn = tf.cast(tf.less(tf.randomUniform([b, inputSize], 0, 1, 'float32', seed++), xt), 'float32') as tf.Tensor2D;
        else {
          const a = tf.add(acc, xt);
          sIn = tf.cast(tf.greaterEqual(a, 1), 'float32') as tf.Tensor2D;
          nextAcc = tf.sub(a, sIn) as tf.Tensor2D;
        }
        const spikes: tf.Tensor2D[] = [sIn];
        const newV: tf.Tensor2D[] = [];
        let s: tf.Tensor2D = sIn;
        for (let l = 0; l < depth; l++) {
          const v = tf.add(V[l], tf.matMul(s, Wn[l]));
          const fired = tf.cast(tf.greaterEqual(v, 1), 'float32') as tf.Tensor2D;
          newV.push(tf.sub(v, fired) as tf.Tensor2D);
          spikes.push(fired);
          s = fired;
        }
        const sums = spikes.map((sp, l) => tf.add(spikeSums[l], tf.sum(sp, 0)) as tf.Tensor1D);
        const act = members.map((m, mi) =>
          m.map((mem, l) => (mem ? (tf.add(activeSums[mi][l]!, tf.sum(tf.cast(tf.greater(tf.matMul(spikes[l], mem), 0), 'float32'), 0)) as tf.Tensor1D) : undefined)),
        );
        return { nextAcc, newV, sums, act, out: tf.add(outCount, s) as tf.Tensor2D };
      });
      if (next.nextAcc !== acc) acc.dispose();
      acc = next.nextAcc;
      V.forEach((v) => v.dispose());
      V = next.newV;
      spikeSums.forEach((t, l) => {
        t.dispose();
        spikeSums[l] = next.sums[l];
      });
      activeSums.forEach((m, mi) =>
        m.forEach((t, l) => {
          t?.dispose();
          m[l] = next.act[mi][l];
        }),
      );
      outCount.dispose();
      outCount = next.out;
      if (correctAt.has(t)) {
        const pred = tf.tidy(() => tf.argMax(tf.add(outCount, tf.mul(V[depth - 1], 1e-3)), 1).dataSync());
        correctAt.set(t, correctAt.get(t)! + labels.reduce((a, l, i) => a + (pred[i] === l ? 1 : 0), 0));
      }
    }
    spikeSums.forEach((t, l) => {
      const d = t.dataSync();
      for (let i = 0; i < d.length; i++) neuronSpikes[l][i] += d[i];
    });
    activeSums.forEach((m, mi) =>
      m.forEach((t, l) => {
        if (!t) return;
        const d = t.dataSync();
        for (let p = 0; p < d.length; p++) active[mi][l][p] += d[p];
      }),
    );
    tf.dispose([xt, acc, outCount, ...V, ...spikeSums, ...activeSums.flat().filter((t): t is tf.Tensor1D => !!t)]);
  }
  tf.dispose([...W, ...Wn, ...members.flat().filter((t): t is tf.Tensor2D => !!t)]);
  const perImage = (a: Float64Array) => a.map((v) => v / images);
  return {
    timesteps: o.timesteps,
    encoding: o.encoding,
    images,
    accuracy: correctAt.get(o.timesteps)! / images,
    annAccuracy: annCorrect / images,
    curve: checkpoints.map((t) => ({ timesteps: t, accuracy: correctAt.get(t)! / images })),
    scales,
    spikes: mappings.map((m, mi) =>
      m.map((_, l) => ({ inputSpikes: perImage(neuronSpikes[l]), outputSpikes: perImage(neuronSpikes[l + 1]), activeSteps: perImage(active[mi][l]) })),
    ),
    meanRates: neuronSpikes.map((a) => a.reduce((s, v) => s + v, 0) / a.length / images),
  };
}
