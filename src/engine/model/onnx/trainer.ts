/**
 * Training and evaluating the masked MLP on ONNX Runtime: the weights and
 * velocities live here between steps (each step's outputs become the next
 * step's inputs, written into two preallocated sets of buffers used in
 * turn), so a step costs one `session.run` and no copies of the weights.
 *
 * Dropout keep-masks are drawn from the engine's seeded generator (one stream
 * per layer and batch), so a run is reproducible from its seed.
 */
import type * as Ort from 'onnxruntime-node';
import { Rng } from '../../core/rng';
import type { ForwardWeights, OutputKind, StepResult } from '../mlp';
import { buildEvalGraph, buildTrainGraph, names } from './graph';
import { coreCount, createSession, requireOrt, type OrtModule } from './runtime';

export interface OnnxTrainerOptions {
  layers: number[];
  output: OutputKind;
  /** Dropout rate of hidden layers' activations and of the input. */
  dropout: number;
  inputDropout: number;
  learningRate: number;
  momentum: number;
  /** Intra-op threads (default: every core). */
  threads?: number;
}

/** Stream of layer l's dropout masks in the engine's generator. */
const DROPOUT_STREAM = 0xd20b;

/**
 * Fill `buf` with a scaled keep-mask: `keep` with probability 1 − p, else 0.
 * The engine's generator (seeded per batch and layer) supplies the 128-bit
 * state of the same sfc32 generator, run here inline: a batch of the paper
 * network needs a million values, and a method call per value costs ten
 * times as much. Each 32-bit draw gives two 16-bit uniforms u, kept where
 * u ≥ p·2¹⁶ (the rate resolved to 1/65536); the sign bit of u − p·2¹⁶ picks
 * the value from a table, because a data-dependent branch mispredicts half
 * the time.
 */
function fillKeepMask(buf: Float32Array, p: number, keep: number, rng: Rng): void {
  let a = rng.nextUint32() | 0;
  let b = rng.nextUint32() | 0;
  let c = rng.nextUint32() | 0;
  let d = rng.nextUint32() | 0;
  const threshold = Math.round(p * 65536);
  const value = Float32Array.of(keep, 0); // [u ≥ threshold, u < threshold]
  const n = buf.length;
  const pairs = n >> 1;
  let t = 0;
  for (let i = 0; i <= pairs; i++) {
    t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    if (i === pairs) break;
    buf[2 * i] = value[((t & 0xffff) - threshold) >>> 31];
    buf[2 * i + 1] = value[((t >>> 16) - threshold) >>> 31];
  }
  if (n & 1) buf[n - 1] = value[((t & 0xffff) - threshold) >>> 31];
}

/**
 * Scaled keep-masks (inverted dropout) for one batch, from the seeded
 * generator: entry is 1/(1−p) with probability 1−p, else 0. Index l is the
 * mask of the activations entering layer l; undefined where the rate is 0.
 * `into` offers buffers to reuse.
 */
export function dropoutMasks(layers: number[], count: number, rate: number, inputRate: number, seed: number, into?: (Float32Array | undefined)[]): (Float32Array | undefined)[] {
  const masks: (Float32Array | undefined)[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const p = l === 0 ? inputRate : rate;
    if (p <= 0) {
      masks.push(undefined);
      continue;
    }
    const n = count * layers[l];
    const own = into?.[l];
    const buf = own && own.length >= n ? own.subarray(0, n) : new Float32Array(n);
    fillKeepMask(buf, p, Math.fround(1 / (1 - p)), new Rng(seed, DROPOUT_STREAM + l));
    masks.push(buf);
  }
  return masks;
}

function checkState(layers: number[], what: string, arrays: Float32Array[]): void {
  if (arrays.length !== layers.length - 1) throw new Error(`${what}: expected ${layers.length - 1} layers, got ${arrays.length}`);
  arrays.forEach((a, l) => {
    if (a.length !== layers[l] * layers[l + 1]) throw new Error(`${what}[${l}]: expected ${layers[l]}×${layers[l + 1]} = ${layers[l] * layers[l + 1]} values, got ${a.length}`);
  });
}

export class OnnxTrainer {
  /** Current weights and velocities, [inputs, outputs] row-major per layer. */
  private W: Float32Array[];
  private V: Float32Array[];
  /** The other set of buffers: the next step's outputs are written here. */
  private spareW: Float32Array[];
  private spareV: Float32Array[];
  private maskBufs: (Float32Array | undefined)[] = [];
  private onehot = new Float32Array(0);
  private closed = false;
  private forward?: ForwardWeights;
  /** The step graph with separate forward weights, built when hardware-aware training starts. */
  private hwaSession?: Ort.InferenceSession;

  private constructor(
    private readonly ort: OrtModule,
    readonly options: OnnxTrainerOptions,
    readonly threads: number,
    private readonly trainSession: Ort.InferenceSession,
    private readonly evalSession: Ort.InferenceSession,
  ) {
    const sizes = options.layers.slice(1).map((n, l) => n * options.layers[l]);
    this.W = sizes.map((n) => new Float32Array(n));
    this.V = sizes.map((n) => new Float32Array(n));
    this.spareW = sizes.map((n) => new Float32Array(n));
    this.spareV = sizes.map((n) => new Float32Array(n));
  }

  static async create(options: OnnxTrainerOptions): Promise<OnnxTrainer> {
    const ort = requireOrt();
    const threads = options.threads ?? coreCount();
    const depth = options.layers.length - 1;
    const dropout = Array.from({ length: depth }, (_, l) => (l === 0 ? options.inputDropout : options.dropout) > 0);
    const train = await createSession(buildTrainGraph({ layers: options.layers, output: options.output, dropout, learningRate: options.learningRate, momentum: options.momentum }), threads);
    const evaluate = await createSession(buildEvalGraph(options.layers, options.output), threads);
    return new OnnxTrainer(ort, options, threads, train, evaluate);
  }

  get layers(): number[] {
    return this.options.layers;
  }

  /** Replace weights and velocities ([inputs, outputs] per layer; copied). */
  setState(W: Float32Array[], V: Float32Array[]): void {
    checkState(this.layers, 'weights', W);
    checkState(this.layers, 'velocities', V);
    W.forEach((w, l) => this.W[l].set(w));
    V.forEach((v, l) => this.V[l].set(v));
  }

  /** From now on each step's passes use `forward(W, seed)` (undefined: the float weights again). */
  async setForwardWeights(forward: ForwardWeights | undefined): Promise<void> {
    if (forward && !this.hwaSession) {
      const o = this.options;
      const dropout = Array.from({ length: o.layers.length - 1 }, (_, l) => (l === 0 ? o.inputDropout : o.dropout) > 0);
      this.hwaSession = await createSession(buildTrainGraph({ layers: o.layers, output: o.output, dropout, learningRate: o.learningRate, momentum: o.momentum, forwardWeights: true }), this.threads);
    }
    this.forward = forward;
  }

  /** Current weights and velocities (views of internal buffers: copy before the next step). */
  state(): { W: Float32Array[]; V: Float32Array[] } {
    return { W: this.W, V: this.V };
  }

  private tensor(data: Float32Array, dims: number[]): Ort.Tensor {
    return new this.ort.Tensor('float32', data, dims);
  }

  private batchInputs(x: Float32Array, labels: Int32Array, count: number): Record<string, Ort.Tensor> {
    const layers = this.layers;
    const n0 = layers[0];
    const classes = layers[layers.length - 1];
    if (x.length < count * n0) throw new Error(`batch of ${count} needs ${count * n0} input values, got ${x.length}`);
    if (labels.length < count) throw new Error(`batch of ${count} needs ${count} labels, got ${labels.length}`);
    if (this.onehot.length < count * classes) this.onehot = new Float32Array(count * classes);
    const y = this.onehot.subarray(0, count * classes);
    y.fill(0);
    for (let b = 0; b < count; b++) {
      const k = labels[b];
      if (!(k >= 0 && k < classes)) throw new Error(`label ${k} of batch sample ${b} is outside 0…${classes - 1}`);
      y[b * classes + k] = 1;
    }
    return {
      [names.x]: this.tensor(x.subarray(0, count * n0), [count, n0]),
      [names.y]: this.tensor(y, [count, classes]),
      [names.labels]: new this.ort.Tensor('int32', labels.subarray(0, count), [count]),
    };
  }

  /**
   * One SGD step on `count` samples. `masks` gives the scaled keep-masks
   * explicitly (tests); by default they are drawn from `dropoutSeed`.
   */
  async step(x: Float32Array, labels: Int32Array, count: number, dropoutSeed: number, masks?: (Float32Array | undefined)[]): Promise<StepResult> {
    if (this.closed) throw new Error('ONNX trainer used after close()');
    const { layers, dropout, inputDropout } = this.options;
    const depth = layers.length - 1;
    const feeds = this.batchInputs(x, labels, count);
    feeds[names.batch] = this.tensor(Float32Array.of(count), []);
    if (!masks) masks = this.maskBufs = dropoutMasks(layers, count, dropout, inputDropout, dropoutSeed, this.maskBufs);
    for (let l = 0; l < depth; l++) {
      const p = l === 0 ? inputDropout : dropout;
      if (p <= 0) continue;
      const m = masks[l];
      if (!m || m.length < count * layers[l]) throw new Error(`dropout mask of layer ${l} missing or shorter than ${count}×${layers[l]}`);
      feeds[names.D(l)] = this.tensor(m.subarray(0, count * layers[l]), [count, layers[l]]);
    }
    const fetches: Record<string, Ort.Tensor | null> = {};
    for (let l = 0; l < depth; l++) {
      const dims = [layers[l], layers[l + 1]];
      feeds[names.W(l)] = this.tensor(this.W[l], dims);
      feeds[names.V(l)] = this.tensor(this.V[l], dims);
      fetches[names.newW(l)] = this.tensor(this.spareW[l], dims);
      fetches[names.newV(l)] = this.tensor(this.spareV[l], dims);
    }
    fetches[names.loss] = null;
    fetches[names.correct] = null;
    if (this.forward) this.forward(this.W, dropoutSeed).forEach((wf, l) => (feeds[names.Wf(l)] = this.tensor(wf, [layers[l], layers[l + 1]])));
    const out = await (this.forward ? this.hwaSession! : this.trainSession).run(feeds, fetches as Ort.InferenceSession.FetchesType);
    [this.W, this.spareW] = [this.spareW, this.W];
    [this.V, this.spareV] = [this.spareV, this.V];
    return { lossSum: (out[names.loss].data as Float32Array)[0], correct: (out[names.correct].data as Float32Array)[0] };
  }

  /** Summed loss and correct count on a batch, no dropout, with the current weights (or `W`). */
  async evaluateBatch(x: Float32Array, labels: Int32Array, count: number, W: Float32Array[] = this.W): Promise<StepResult> {
    if (this.closed) throw new Error('ONNX trainer used after close()');
    const layers = this.layers;
    checkState(layers, 'weights', W);
    const feeds = this.batchInputs(x, labels, count);
    W.forEach((w, l) => (feeds[names.W(l)] = this.tensor(w, [layers[l], layers[l + 1]])));
    const out = await this.evalSession.run(feeds);
    return { lossSum: (out[names.loss].data as Float32Array)[0], correct: (out[names.correct].data as Float32Array)[0] };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.trainSession.release();
    await this.evalSession.release();
    await this.hwaSession?.release();
  }
}
