/**
 * Test accuracy of a network on simulated chips, against the same network in
 * software, both through one forward pass: on ONNX Runtime when it is the
 * engine's backend (`chipGraph.ts`: one graph and session per chip), else on
 * tfjs with the same operations in the same order.
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
 *    current fluctuating independently by σ_r — drawn from streams keyed by
 *    chip, layer, crossbar and image (`readNoise.ts`), so an evaluation repeats
 *    exactly and both backends draw the same numbers.
 * Hidden layers apply ReLU; the class is the argmax of the last layer (ReLU
 * applied too when the network's output is relu, as in training).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Split } from '../data/dataset';
import { activeBackend } from '../model/backend';
import { coreCount, createSession, requireOrt } from '../model/onnx/runtime';
import type { Chip } from './chip';
import { adcCodes, buildForwardGraph, graphNames, packAdcLayer, type GraphLayer } from './chipGraph';
import type { Device } from './device';
import { NOISE_BLOCK, readNoise } from './readNoise';

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

export interface ForwardOptions {
  /** Test images evaluated (the first N; default all). */
  images?: number;
  output: 'relu' | 'softmax';
  /** Where the forward pass runs (default: ONNX Runtime when it is the engine's backend, else tfjs). */
  runtime?: 'onnxruntime' | 'tfjs';
}

/** Floats of one batched ADC intermediate [K, batch, slices·columns] at most (≈ 16 MB). */
const ADC_BATCH_FLOATS = 1 << 22;

/** Images per batch: 1,000, fewer for wide ADC layers (bounded memory); a multiple of the noise block. */
export function batchImages(layers: readonly GraphLayer[]): number {
  const widest = Math.max(0, ...layers.map((L) => (L.adc ? L.adc.pack.crossbars.length * L.adc.pack.slices * L.adc.pack.columns : 0)));
  const fit = widest ? Math.floor(ADC_BATCH_FLOATS / widest / NOISE_BLOCK) * NOISE_BLOCK : 1000;
  return Math.min(1000, Math.max(NOISE_BLOCK, fit));
}

/** A batch of test images (bytes scaled to [0, 1]). */
function batchPixels(split: Split, inputSize: number, start: number, b: number): Float32Array {
  const x = new Float32Array(b * inputSize);
  const src = split.images.subarray(start * inputSize, (start + b) * inputSize);
  for (let q = 0; q < x.length; q++) x[q] = BYTE_TO_UNIT[src[q]];
  return x;
}

/** The read-noise draws of layer l for images [start, start + b): [b, outputs], or [K, b, slices·columns] with an ADC. */
function noiseFor(L: GraphLayer, l: number, seed: number, start: number, b: number): Float32Array | undefined {
  if (L.noiseVar) {
    const out = new Float32Array(b * L.outputs);
    readNoise(out, seed, l, -1, start, b, L.outputs);
    return out;
  }
  const pack = L.adc?.pack;
  if (!pack?.noise) return undefined;
  const C = pack.slices * pack.columns;
  const out = new Float32Array(pack.crossbars.length * b * C);
  pack.crossbars.forEach((key, k) => {
    const w = pack.widths[k];
    if (w === pack.columns) return readNoise(out, seed, l, key, start, b, C, k * b * C);
    // A narrower crossbar: its own draws [image][slice·w], placed in the padded layout.
    const own = new Float32Array(b * pack.slices * w);
    readNoise(own, seed, l, key, start, b, pack.slices * w);
    for (let i = 0; i < b; i++) for (let s = 0; s < pack.slices; s++) out.set(own.subarray((i * pack.slices + s) * w, (i * pack.slices + s + 1) * w), (k * b + i) * C + s * pack.columns);
  });
  return out;
}

/** Predicted classes of the first `images` test images through `layers`; `seed` keys the read noise. */
export async function predict(layers: readonly GraphLayer[], split: Split, o: ForwardOptions, seed = 0): Promise<Int32Array> {
  const n = Math.min(o.images ?? split.count, split.count);
  const bs = batchImages(layers);
  const out = new Int32Array(n);
  const run = (o.runtime ?? (activeBackend()?.name === 'onnxruntime' ? 'onnxruntime' : 'tfjs')) === 'onnxruntime' ? await ortExecutor(layers, o.output) : tfjsExecutor(layers, o.output);
  try {
    for (let s = 0; s < n; s += bs) {
      const b = Math.min(bs, n - s);
      const noise = layers.map((L, l) => noiseFor(L, l, seed, s, b));
      out.set(await run.batch(batchPixels(split, layers[0].inputs, s, b), b, noise), s);
    }
  } finally {
    await run.release();
  }
  return out;
}

interface Executor {
  batch(x: Float32Array, b: number, noise: (Float32Array | undefined)[]): Promise<Int32Array>;
  release(): Promise<void>;
}

/** ONNX Runtime: the graph of `chipGraph.ts`, one session. */
async function ortExecutor(layers: readonly GraphLayer[], output: 'relu' | 'softmax'): Promise<Executor> {
  const ort = requireOrt();
  const session: InferenceSession = await createSession(buildForwardGraph(layers, output), coreCount());
  return {
    async batch(x, b, noise) {
      const feeds: Record<string, Tensor> = { [graphNames.x]: new ort.Tensor('float32', x, [b, layers[0].inputs]) };
      noise.forEach((v, l) => {
        if (!v) return;
        const L = layers[l];
        const dims = L.adc ? [L.adc.pack.crossbars.length, b, L.adc.pack.slices * L.adc.pack.columns] : [b, L.outputs];
        feeds[graphNames.noise(l)] = new ort.Tensor('float32', v, dims);
      });
      const r = await session.run(feeds);
      const classes = r[graphNames.classes].data as BigInt64Array;
      return Int32Array.from(classes, (c) => Number(c));
    },
    release: () => session.release(),
  };
}

/** tfjs: the same operations, tensors kept for the evaluation. */
function tfjsExecutor(layers: readonly GraphLayer[], output: 'relu' | 'softmax'): Executor {
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const consts = layers.map((L) => {
    if (!L.adc) return { dense: keep(tf.tensor2d(L.dense!, [L.inputs, L.outputs])), noiseVar: L.noiseVar ? keep(tf.tensor2d(L.noiseVar, [L.inputs, L.outputs])) : undefined };
    const p = L.adc.pack;
    const K = p.crossbars.length;
    const C = p.slices * p.columns;
    return {
      gather: keep(tf.tensor1d(Int32Array.from(p.gather), 'int32')),
      m: keep(tf.tensor3d(p.m, [K, p.rows, C])),
      noiseVar: p.noise ? keep(tf.tensor3d(p.noise, [K, p.rows, C])) : undefined,
      toCode: keep(tf.tensor3d(p.toCode, [K, 1, C])),
      fromCode: keep(tf.tensor3d(p.fromCode, [K, 1, C])),
      scatter: keep(tf.tensor2d(Int32Array.from(p.scatter), [p.scatter.length, 1], 'int32')),
    };
  });
  const layer = (h: tf.Tensor2D, L: GraphLayer, l: number, b: number, noise: Float32Array | undefined): tf.Tensor2D => {
    const c = consts[l];
    if (L.dacSteps) h = tf.mul(tf.div(tf.round(tf.mul(tf.clipByValue(h, 0, L.scale), L.dacSteps / L.scale)), L.dacSteps), L.scale) as tf.Tensor2D;
    if (!L.adc) {
      const z: tf.Tensor2D = tf.matMul(h, c.dense!);
      if (!c.noiseVar || !noise) return z;
      return tf.add(z, tf.mul(tf.sqrt(tf.matMul(tf.mul(h, h), c.noiseVar as tf.Tensor2D)), tf.tensor2d(noise, [b, L.outputs]))) as tf.Tensor2D;
    }
    const p = L.adc.pack;
    const K = p.crossbars.length;
    if (K === 0) return tf.zeros([b, L.outputs]) as tf.Tensor2D;
    const C = p.slices * p.columns;
    const x3 = tf.transpose(tf.reshape(tf.gather(h, c.gather!, 1), [b, K, p.rows]), [1, 0, 2]) as tf.Tensor3D;
    let i: tf.Tensor3D = tf.matMul(x3, c.m!);
    if (c.noiseVar && noise) i = tf.add(i, tf.mul(tf.sqrt(tf.matMul(tf.mul(x3, x3), c.noiseVar as tf.Tensor3D)), tf.tensor3d(noise, [K, b, C])));
    const codes = L.adc.codes;
    let q: tf.Tensor = tf.mul(tf.clipByValue(tf.round(tf.mul(i, c.toCode!)), -codes, codes), c.fromCode!);
    if (p.slices > 1) q = tf.sum(tf.reshape(q, [K, b, p.slices, p.columns]), 2);
    const updates = tf.reshape(tf.transpose(q, [0, 2, 1]), [K * p.columns, b]);
    // Scatter with duplicate indices adds: each output neuron gets the sum of its crossbars' partial sums.
    const sums = tf.scatterND(c.scatter!, updates, [L.outputs + 1, b]);
    return tf.transpose(tf.slice(sums, [0, 0], [L.outputs, b])) as tf.Tensor2D;
  };
  return {
    async batch(x, b, noise) {
      const pred = tf.tidy(() => {
        let h = tf.tensor2d(x, [b, layers[0].inputs]);
        layers.forEach((L, l) => {
          const z = layer(h, L, l, b, noise[l]);
          h = l < layers.length - 1 || output === 'relu' ? tf.relu(z) : z;
        });
        return tf.argMax(h, 1).dataSync();
      });
      return Int32Array.from(pred);
    },
    release: async () => tf.dispose(owned),
  };
}

export const accuracyOf = (pred: Int32Array, labels: Uint8Array): number => pred.reduce((a, p, i) => a + (p === labels[i] ? 1 : 0), 0) / pred.length;

/** [rows × cols] → [cols × rows]. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

/** Software predictions: `weights[l]` [outputs × inputs], masked. */
export function softwarePredictions(layers: readonly number[], weights: readonly Float32Array[], test: Split, o: ForwardOptions): Promise<Int32Array> {
  const graph = weights.map((w, l): GraphLayer => ({ inputs: layers[l], outputs: layers[l + 1], dense: transpose(w, layers[l + 1], layers[l]), dacSteps: 0, scale: 1 }));
  return predict(graph, test, o);
}

/** A chip's layers as the forward pass reads them; `scales[l]` is layer l's input range (DAC and ADC). */
export function chipLayers(chip: Chip, dev: Device, scales: readonly number[]): GraphLayer[] {
  const dacSteps = dev.dacBits > 0 ? 2 ** dev.dacBits - 1 : 0;
  const sigma2 = dev.readNoiseSigma ** 2;
  return chip.layers.map((L, l): GraphLayer => {
    const base = { inputs: L.inputs, outputs: L.outputs, dacSteps, scale: scales[l] };
    if (dev.adcBits > 0 && L.crossbars) return { ...base, adc: { pack: packAdcLayer(L, dev.adcBits, dev.readNoiseSigma, scales[l]), codes: adcCodes(dev.adcBits) } };
    return { ...base, dense: L.dense, ...(L.noiseVar && dev.readNoiseSigma > 0 ? { noiseVar: L.noiseVar.map((v) => v * sigma2) } : {}) };
  });
}

/** Predictions of one chip; `scales[l]` is layer l's input range (DAC and ADC). */
export function chipPredictions(chip: Chip, dev: Device, test: Split, scales: readonly number[], o: ForwardOptions): Promise<Int32Array> {
  return predict(chipLayers(chip, dev, scales), test, o, chip.seed);
}
