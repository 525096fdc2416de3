/**
 * Test accuracy of a network on simulated chips, against the same network in
 * software, both through the same tfjs matrix products the engine's other
 * evaluations use (one product per layer and batch).
 *
 * Per layer, in order:
 *  - DAC (dacBits > 0): inputs are clipped to [0, s_l] and quantised to
 *    2^dacBits − 1 steps; s_0 = 1 (pixels), s_l = the percentile of layer l's
 *    software activations over training images (as the spiking conversion);
 *  - no ADC: one product with the chip's dense effective matrix;
 *  - ADC (adcBits > 0): per crossbar and weight slice, the differential column
 *    currents are quantised by a signed ADC of adcBits bits whose range is the
 *    array's worst-case current, s_l·max_j Σ_i |E_ij| (never clipping — the
 *    conservative range choice), then shifted and added digitally, and the
 *    crossbars' partial sums are added per output neuron;
 *  - read noise (readNoiseSigma σ_r > 0): a fresh Gaussian per read on each
 *    column current, std σ_r·sqrt(Σ_i x_i²·Σ_cells(slice weight·E)²) — every cell's
 *    current fluctuating independently by σ_r — drawn from a stream seeded by
 *    the chip, so an evaluation repeats exactly.
 * Hidden layers apply ReLU; the class is the argmax of the last layer (ReLU
 * applied too when the network's output is relu, as in training).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data/dataset';
import type { Chip, ChipLayer } from './chip';
import type { Device } from './device';

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

export interface ForwardOptions {
  /** Test images evaluated (the first N; default all). */
  images?: number;
  batchSize?: number;
  output: 'relu' | 'softmax';
}

/** A batch of test images as a [b, inputs] tensor (bytes scaled to [0, 1]). */
function batchTensor(split: Split, inputSize: number, start: number, b: number): tf.Tensor2D {
  const x = new Float32Array(b * inputSize);
  const src = split.images.subarray(start * inputSize, (start + b) * inputSize);
  for (let q = 0; q < x.length; q++) x[q] = BYTE_TO_UNIT[src[q]];
  return tf.tensor2d(x, [b, inputSize]);
}

/** Predicted classes of every image, one layer function per layer (given h, returns the layer's pre-activation). */
function predict(split: Split, inputSize: number, layerFns: ((h: tf.Tensor2D, l: number, batch: number) => tf.Tensor2D)[], o: ForwardOptions): Int32Array {
  const n = Math.min(o.images ?? split.count, split.count);
  const bs = o.batchSize ?? 1000;
  const out = new Int32Array(n);
  for (let s = 0, batch = 0; s < n; s += bs, batch++) {
    const b = Math.min(bs, n - s);
    const pred = tf.tidy(() => {
      let h = batchTensor(split, inputSize, s, b);
      layerFns.forEach((f, l) => {
        const z = f(h, l, batch);
        h = l < layerFns.length - 1 || o.output === 'relu' ? tf.relu(z) : z;
      });
      return tf.argMax(h, 1).dataSync();
    });
    out.set(pred as Int32Array, s);
  }
  return out;
}

export const accuracyOf = (pred: Int32Array, labels: Uint8Array): number => pred.reduce((a, p, i) => a + (p === labels[i] ? 1 : 0), 0) / pred.length;

/** Software predictions: `weights[l]` [outputs × inputs], masked. */
export function softwarePredictions(layers: readonly number[], weights: readonly Float32Array[], test: Split, o: ForwardOptions): Int32Array {
  const W = weights.map((w, l) => tf.tensor2d(transpose(w, layers[l + 1], layers[l]), [layers[l], layers[l + 1]]));
  try {
    return predict(test, layers[0], W.map((w) => (h: tf.Tensor2D) => tf.matMul(h, w)), o);
  } finally {
    tf.dispose(W);
  }
}

/** [rows × cols] → [cols × rows]. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

/** Predictions of one chip; `scales[l]` is layer l's input range (DAC and ADC). */
export function chipPredictions(chip: Chip, dev: Device, test: Split, scales: readonly number[], o: ForwardOptions): Int32Array {
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const fns = chip.layers.map((L, l) => layerFn(L, l, dev, scales[l], chip.seed, keep));
  try {
    return predict(test, chip.layers[0].inputs, fns, o);
  } finally {
    tf.dispose(owned);
  }
}

function layerFn(L: ChipLayer, l: number, dev: Device, scale: number, seed: number, keep: <T extends tf.Tensor>(t: T) => T) {
  const dense = keep(tf.tensor2d(L.dense, [L.inputs, L.outputs]));
  const noiseVar = L.noiseVar && dev.readNoiseSigma > 0 ? keep(tf.tensor2d(L.noiseVar, [L.inputs, L.outputs])) : undefined;
  const adc = dev.adcBits > 0 && L.crossbars ? adcLayer(L, dev, scale, keep) : undefined;
  const dacSteps = dev.dacBits > 0 ? 2 ** dev.dacBits - 1 : 0;
  return (h: tf.Tensor2D, _l: number, batch: number): tf.Tensor2D => {
    const x = dacSteps ? (tf.mul(tf.div(tf.round(tf.mul(tf.clipByValue(h, 0, scale), dacSteps / scale)), dacSteps), scale) as tf.Tensor2D) : h;
    if (adc) return adc(x, seed * 7919 + l * 104729 + batch);
    const z: tf.Tensor2D = tf.matMul(x, dense);
    if (!noiseVar) return z;
    const std = tf.mul(tf.sqrt(tf.matMul(tf.square(x), noiseVar)), dev.readNoiseSigma);
    return tf.add(z, tf.mul(std, tf.randomNormal(z.shape, 0, 1, 'float32', seed * 7919 + l * 104729 + batch))) as tf.Tensor2D;
  };
}

/** A layer read through per-crossbar ADCs: quantise each slice's partial sums, shift-add, then add crossbars per output. */
function adcLayer(L: ChipLayer, dev: Device, scale: number, keep: <T extends tf.Tensor>(t: T) => T) {
  const Q = 2 ** (dev.adcBits - 1) - 1;
  const parts = L.crossbars!.filter((c) => c.cols.length && c.rows.length).map((c) => {
    const a = c.cols.length;
    const b = c.rows.length;
    const S = c.diff.length;
    // Slices side by side: [a, S·b]; per column: its slice's full scale and weight.
    const stacked = new Float32Array(a * S * b);
    const sq = c.sumSq ? new Float32Array(a * S * b) : undefined;
    const fs = new Float32Array(S * b);
    const sw = new Float32Array(S * b);
    c.diff.forEach((d, s) => {
      let worst = 0;
      for (let j = 0; j < b; j++) {
        let sum = 0;
        for (let i = 0; i < a; i++) sum += Math.abs(d[i * b + j]);
        worst = Math.max(worst, sum);
      }
      for (let i = 0; i < a; i++)
        for (let j = 0; j < b; j++) {
          stacked[i * S * b + s * b + j] = d[i * b + j];
          if (sq) sq[i * S * b + s * b + j] = c.sumSq![s][i * b + j];
        }
      for (let j = 0; j < b; j++) {
        fs[s * b + j] = worst * scale > 0 ? worst * scale : 1;
        sw[s * b + j] = c.sliceWeight[s];
      }
    });
    // σ_r² folded into the variance matrix, and the quantiser's constants per column: codes = round(i·Q/fs), value = code·fs·sw/Q (fewer element-wise passes).
    const sigma2 = dev.readNoiseSigma ** 2;
    const noise = sq && dev.readNoiseSigma > 0 ? keep(tf.tensor2d(sq.map((v) => v * sigma2), [a, S * b])) : undefined;
    return {
      cols: keep(tf.tensor1d(Int32Array.from(c.cols), 'int32')),
      rows: Int32Array.from(c.rows),
      S,
      b,
      m: keep(tf.tensor2d(stacked, [a, S * b])),
      toCode: keep(tf.tensor1d(fs.map((f) => Q / f))),
      fromCode: keep(tf.tensor1d(fs.map((f, q) => (f * sw[q]) / Q))),
      noise,
    };
  });
  // Crossbars in groups: each crossbar's intermediates freed as soon as its partial sums exist (bounded memory).
  const GROUP = 64;
  const groups = Array.from({ length: Math.ceil(parts.length / GROUP) }, (_, g) => {
    const ps = parts.slice(g * GROUP, (g + 1) * GROUP);
    const rows = Int32Array.from(ps.flatMap((p) => Array.from(p.rows)));
    return { ps, segments: keep(tf.tensor2d(rows, [rows.length, 1], 'int32')) };
  });
  return (x: tf.Tensor2D, seed: number): tf.Tensor2D => {
    let acc: tf.Tensor2D | undefined;
    groups.forEach(({ ps, segments }, g) => {
      const part = tf.tidy(() => {
        const outs = ps.map((p, k) =>
          tf.tidy(() => {
            const xp = tf.gather(x, p.cols, 1);
            let i: tf.Tensor2D = tf.matMul(xp, p.m);
            if (p.noise) i = tf.add<tf.Tensor2D>(i, tf.mul(tf.sqrt(tf.matMul(tf.square(xp), p.noise)), tf.randomNormal(i.shape, 0, 1, 'float32', seed * 31 + g * GROUP + k)));
            const w = tf.mul(tf.clipByValue(tf.round(tf.mul(i, p.toCode)), -Q, Q), p.fromCode) as tf.Tensor2D;
            return p.S === 1 ? w : (tf.sum(tf.reshape(w, [x.shape[0], p.S, p.b]), 1) as tf.Tensor2D);
          }),
        );
        // Scatter with duplicate indices adds: each output neuron gets the sum of its crossbars' partial sums.
        return tf.scatterND(segments, tf.transpose(tf.concat(outs, 1)), [L.outputs, x.shape[0]]) as tf.Tensor2D;
      });
      if (!acc) acc = part;
      else {
        const next = tf.add(acc, part) as tf.Tensor2D;
        tf.dispose([acc, part]);
        acc = next;
      }
    });
    return acc ? (tf.transpose(acc) as tf.Tensor2D) : (tf.zeros([x.shape[0], L.outputs]) as tf.Tensor2D);
  };
}
