/**
 * The masked MLP of the paper: one weight matrix per layer, no biases, ReLU
 * hidden layers with optional dropout, ReLU+squared error (the reference) or
 * softmax+cross-entropy output, trained by minibatch SGD with momentum.
 *
 * Each layer also holds a keep-mask (1 = synapse present). Following the
 * reference, all weights are updated during an epoch and the masks are
 * re-applied at its end (`applyMasks`), so a pruned weight may regrow until
 * the pruning step removes it again.
 *
 * Layout: internally W[l] is [inputs, outputs], so the forward pass is a
 * plain `h·W`. The backward pass is written out by hand with materialised
 * transposes: on the wasm backend a matMul with a transpose flag is about ten
 * times slower than a plain one. Exported weights use the paper's
 * orientation: rows = output neurons, columns = inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkConfig } from '../config/schema';
import { Rng } from '../core/rng';

export type OutputKind = 'relu' | 'softmax';

/** Hardware-aware training: the effective weights of a batch from the float ones ([inputs, outputs] per layer) and its seed. */
export type ForwardWeights = (W: readonly Float32Array[], batchSeed: number) => Float32Array[];

export interface StepResult {
  /** Summed (not averaged) loss over the batch. */
  lossSum: number;
  correct: number;
}

/** Row-major [out, in] ↔ [in, out]. */
export function transposeArray(a: Float32Array | Uint8Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

export class MaskedMLP {
  W: tf.Tensor2D[] = [];
  V: tf.Tensor2D[] = [];
  masks: tf.Tensor2D[] = [];

  constructor(
    readonly layers: number[],
    readonly output: OutputKind,
  ) {}

  get depth(): number {
    return this.layers.length - 1;
  }

  /** A fresh network with weights drawn as the config says. */
  static create(net: NetworkConfig, seed: number): MaskedMLP {
    const m = new MaskedMLP(net.layers, net.output);
    const rng = new Rng(seed, 0x1417);
    for (let l = 0; l < m.depth; l++) {
      const [nin, nout] = [net.layers[l], net.layers[l + 1]];
      const w = new Float32Array(nin * nout);
      const { distribution, scale } = net.init;
      const he = Math.sqrt(2 / nin);
      for (let i = 0; i < w.length; i++)
        w[i] = distribution === 'uniform' ? (2 * rng.next() - 1) * scale : (distribution === 'normal' ? scale : he) * rng.normal();
      m.W.push(tf.tensor2d(w, [nin, nout]));
      m.V.push(tf.zeros([nin, nout]));
      m.masks.push(tf.ones([nin, nout]));
    }
    return m;
  }

  /** Build from exported weights/masks in the paper's [out, in] orientation. */
  static fromArrays(layers: number[], output: OutputKind, weights: Float32Array[], masks?: Uint8Array[]): MaskedMLP {
    const m = new MaskedMLP(layers, output);
    for (let l = 0; l < m.depth; l++) {
      const [nin, nout] = [layers[l], layers[l + 1]];
      m.W.push(tf.tensor2d(transposeArray(weights[l], nout, nin), [nin, nout]));
      m.V.push(tf.zeros([nin, nout]));
      m.masks.push(masks ? tf.tensor2d(transposeArray(masks[l], nout, nin), [nin, nout]) : tf.ones([nin, nout]));
    }
    return m;
  }

  /**
   * Forward and hand-written backward pass. `dropMasks[l]` (scaled keep-masks,
   * inverted dropout) multiplies the activations entering layer l; pass
   * undefined entries for no dropout. Returns summed loss, per-layer weight
   * gradients of the *mean* loss, and the output.
   */
  lossAndGradients(
    x: tf.Tensor2D,
    yOneHot: tf.Tensor2D,
    dropMasks: (tf.Tensor2D | undefined)[] = [],
    forward: readonly tf.Tensor2D[] = this.W,
  ): { lossSum: tf.Scalar; grads: tf.Tensor2D[]; out: tf.Tensor2D } {
    const B = x.shape[0];
    const acts: tf.Tensor2D[] = []; // input to each layer
    const gates: (tf.Tensor2D | undefined)[] = []; // d(act)/d(z) for hidden layers: step(z) · dropout mask
    let h: tf.Tensor2D = dropMasks[0] ? tf.mul(x, dropMasks[0]) : x;
    let z: tf.Tensor2D = x;
    for (let l = 0; l < this.depth; l++) {
      acts.push(h);
      z = tf.matMul(h, forward[l]);
      if (l < this.depth - 1) {
        const on = tf.step(z);
        const dm = dropMasks[l + 1];
        gates.push(dm ? (tf.mul(on, dm) as tf.Tensor2D) : on);
        h = tf.mul(z, gates[l]!);
      }
    }
    let out: tf.Tensor2D;
    let delta: tf.Tensor2D;
    let lossSum: tf.Scalar;
    if (this.output === 'softmax') {
      out = tf.softmax(z);
      // Cross-entropy with log-softmax for stability; dL/dz = (p − y)/B.
      lossSum = tf.neg(tf.sum(tf.mul(yOneHot, tf.logSoftmax(z)))) as tf.Scalar;
      delta = tf.div(tf.sub(out, yOneHot), B);
    } else {
      out = tf.relu(z);
      const err = tf.sub(out, yOneHot);
      lossSum = tf.mul(0.5, tf.sum(tf.square(err)));
      delta = tf.div(tf.mul(err, tf.step(z)), B);
    }
    const grads: tf.Tensor2D[] = new Array(this.depth);
    for (let l = this.depth - 1; l >= 0; l--) {
      grads[l] = tf.matMul(tf.transpose(acts[l]), delta);
      if (l > 0) delta = tf.mul(tf.matMul(delta, tf.transpose(forward[l])), gates[l - 1]!);
    }
    return { lossSum, grads, out };
  }

  /** Dropout keep-masks for one batch, scaled by 1/keep (inverted dropout). */
  dropoutMasks(batch: number, rate: number, inputRate: number, seed: number): (tf.Tensor2D | undefined)[] {
    const masks: (tf.Tensor2D | undefined)[] = [];
    for (let l = 0; l < this.depth; l++) {
      const p = l === 0 ? inputRate : rate;
      if (p <= 0) masks.push(undefined);
      else {
        const r = tf.randomUniform([batch, this.layers[l]], 0, 1, 'float32', seed * 31 + l);
        masks.push(tf.mul(tf.cast(tf.greaterEqual(r, p), 'float32'), 1 / (1 - p)) as tf.Tensor2D);
      }
    }
    return masks;
  }

  /** Gradients of one batch (used by data-parallel workers, which apply a shared update). */
  gradients(x: tf.Tensor2D, labels: tf.Tensor1D, train: DropoutSpec): { grads: tf.Tensor2D[]; lossSum: tf.Scalar; correct: tf.Scalar } {
    return tf.tidy(() => {
      const y = tf.cast(tf.oneHot(labels, this.layers[this.depth]), 'float32') as tf.Tensor2D;
      const drop = this.dropoutMasks(x.shape[0], train.dropout, train.inputDropout, train.seed);
      const { lossSum, grads, out } = this.lossAndGradients(x, y, drop, train.forwardWeights ?? this.W);
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(out, 1), labels), 'float32')) as tf.Scalar;
      return { grads, lossSum, correct };
    });
  }

  /** V ← μV − ηG; W ← W + V. Disposes the gradients. */
  applyUpdate(grads: tf.Tensor2D[], lr: number, momentum: number): void {
    for (let l = 0; l < this.depth; l++) {
      const [V, W] = tf.tidy(() => {
        const v = tf.sub(tf.mul(this.V[l], momentum), tf.mul(grads[l], lr)) as tf.Tensor2D;
        return [v, tf.add(this.W[l], v) as tf.Tensor2D];
      });
      this.V[l].dispose();
      this.W[l].dispose();
      grads[l].dispose();
      this.V[l] = V;
      this.W[l] = W;
    }
  }

  /** One SGD step on a batch; returns its summed loss and number of correct predictions. */
  step(x: tf.Tensor2D, labels: tf.Tensor1D, lr: number, momentum: number, drop: DropoutSpec): StepResult {
    const { grads, lossSum, correct } = this.gradients(x, labels, drop);
    this.applyUpdate(grads, lr, momentum);
    const r = { lossSum: lossSum.dataSync()[0], correct: correct.dataSync()[0] };
    lossSum.dispose();
    correct.dispose();
    return r;
  }

  /** W ← W ⊙ mask for every layer. */
  applyMasks(): void {
    for (let l = 0; l < this.depth; l++) {
      const w = tf.mul(this.W[l], this.masks[l]) as tf.Tensor2D;
      this.W[l].dispose();
      this.W[l] = w;
    }
  }

  /** Replace layer l's keep-mask (paper orientation [out, in], 1 = keep). */
  setMask(l: number, mask: Uint8Array): void {
    this.masks[l].dispose();
    this.masks[l] = tf.tensor2d(transposeArray(mask, this.layers[l + 1], this.layers[l]), [this.layers[l], this.layers[l + 1]]);
  }

  /** Output for a batch, no dropout. */
  predict(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      for (let l = 0; l < this.depth; l++) {
        h = tf.matMul(h, this.W[l]);
        if (l < this.depth - 1 || this.output === 'relu') h = tf.relu(h);
      }
      return this.output === 'softmax' ? tf.softmax(h) : h;
    });
  }

  /** Loss (summed) and correct count on a batch, no dropout. */
  evaluateBatch(x: tf.Tensor2D, labels: tf.Tensor1D): StepResult {
    const [loss, correct] = tf.tidy(() => {
      const out = this.predict(x);
      const y = tf.cast(tf.oneHot(labels, this.layers[this.depth]), 'float32');
      const loss =
        this.output === 'softmax'
          ? tf.neg(tf.sum(tf.mul(y, tf.log(tf.add(out, 1e-12)))))
          : tf.mul(0.5, tf.sum(tf.square(tf.sub(out, y))));
      return [loss, tf.sum(tf.cast(tf.equal(tf.argMax(out, 1), labels), 'float32'))];
    });
    const r = { lossSum: loss.dataSync()[0], correct: correct.dataSync()[0] };
    loss.dispose();
    correct.dispose();
    return r;
  }

  /** Weights in paper orientation [out, in], row-major. */
  exportWeights(): Float32Array[] {
    return this.W.map((w, l) => transposeArray(w.dataSync() as Float32Array, this.layers[l], this.layers[l + 1]));
  }

  /** Masks in paper orientation [out, in], 1 = synapse kept. */
  exportMasks(): Uint8Array[] {
    return this.masks.map((m, l) => {
      const t = transposeArray(m.dataSync() as Float32Array, this.layers[l], this.layers[l + 1]);
      return Uint8Array.from(t, (v) => (v !== 0 ? 1 : 0));
    });
  }

  /** Weights, velocities and masks exactly as held ([inputs, outputs]), for a checkpoint. */
  exportState(): ModelState {
    const read = (ts: tf.Tensor2D[]) => ts.map((t) => Float32Array.from(t.dataSync() as Float32Array));
    return { W: read(this.W), V: read(this.V), masks: this.masks.map((m) => Uint8Array.from(m.dataSync() as Float32Array, (v) => (v !== 0 ? 1 : 0))) };
  }

  /** Continue from a checkpoint's state: the same weights, momentum and masks, bit for bit. */
  static fromState(layers: number[], output: OutputKind, s: ModelState): MaskedMLP {
    const m = new MaskedMLP(layers, output);
    for (let l = 0; l < m.depth; l++) {
      const shape: [number, number] = [layers[l], layers[l + 1]];
      m.W.push(tf.tensor2d(s.W[l], shape));
      m.V.push(tf.tensor2d(s.V[l], shape));
      m.masks.push(tf.tensor2d(Float32Array.from(s.masks[l]), shape));
    }
    return m;
  }

  /** Fraction of each layer's synapses that the mask keeps. */
  keptFractions(): number[] {
    return this.masks.map((m) => tf.tidy(() => tf.mean(m).dataSync()[0]));
  }

  dispose(): void {
    for (const t of [...this.W, ...this.V, ...this.masks]) t.dispose();
    this.W = [];
    this.V = [];
    this.masks = [];
  }
}

/** A model's training state in its own layout ([inputs, outputs] per layer). */
export interface ModelState {
  W: Float32Array[];
  V: Float32Array[];
  masks: Uint8Array[];
}

export interface DropoutSpec {
  dropout: number;
  inputDropout: number;
  /** Seed of this batch's dropout masks. */
  seed: number;
  /** Hardware-aware training: the weights the passes use ([inputs, outputs]); the update goes to W (straight-through). */
  forwardWeights?: readonly tf.Tensor2D[];
}
