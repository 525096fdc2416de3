/**
 * Training a MaskedMLP on ONNX Runtime inside the epoch loop. The stepper
 * owns the weights and velocities during an epoch; the tfjs model stays the
 * run's record of them (pruning reads its weights, sets its masks, applies
 * them). So, like a data-parallel pool, the stepper is kept in step with the
 * model at the epoch's end:
 *
 *   flush()  before the epoch-end hooks: the stepper's W and V → the model
 *   sync()   after the masks are re-applied: the model's W and V → the stepper
 *
 * Test-set evaluation runs through the same runtime, on the weights just
 * synchronised from the model.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkConfig, TrainingConfig } from '../../config/schema';
import type { Split } from '../../data/dataset';
import type { ForwardWeights, MaskedMLP, StepResult } from '../mlp';
import { OnnxTrainer } from './trainer';

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

export class OnnxStepper {
  private constructor(
    private readonly model: MaskedMLP,
    readonly trainer: OnnxTrainer,
  ) {}

  static async start(model: MaskedMLP, network: NetworkConfig, training: TrainingConfig, threads?: number): Promise<OnnxStepper> {
    const trainer = await OnnxTrainer.create({
      layers: model.layers,
      output: model.output,
      dropout: network.dropout,
      inputDropout: network.inputDropout,
      learningRate: training.learningRate,
      momentum: training.momentum,
      threads,
    });
    const s = new OnnxStepper(model, trainer);
    s.sync();
    return s;
  }

  get threads(): number {
    return this.trainer.threads;
  }

  /** Hardware-aware training: each step's passes through `forward` (undefined: off). */
  setForwardWeights(forward: ForwardWeights | undefined): Promise<void> {
    return this.trainer.setForwardWeights(forward);
  }

  step(x: Float32Array, labels: Int32Array, count: number, dropoutSeed: number): Promise<StepResult> {
    return this.trainer.step(x, labels, count, dropoutSeed);
  }

  /** Write the stepper's weights and velocities into the model. */
  flush(): void {
    const { W, V } = this.trainer.state();
    const layers = this.model.layers;
    for (let l = 0; l < this.model.depth; l++) {
      const shape: [number, number] = [layers[l], layers[l + 1]];
      const w = tf.tensor2d(W[l], shape);
      const v = tf.tensor2d(V[l], shape);
      this.model.W[l].dispose();
      this.model.V[l].dispose();
      this.model.W[l] = w;
      this.model.V[l] = v;
    }
  }

  /** Load the model's weights and velocities (after pruning changed them). */
  sync(): void {
    const read = (ts: tf.Tensor[]) => ts.map((t) => t.dataSync() as Float32Array);
    this.trainer.setState(read(this.model.W), read(this.model.V));
  }

  /** Loss and accuracy on a whole split, no dropout, with the stepper's weights. */
  async evaluate(split: Split, inputSize: number, batchSize: number): Promise<{ loss: number; accuracy: number }> {
    const x = new Float32Array(Math.min(batchSize, split.count) * inputSize);
    const y = new Int32Array(Math.min(batchSize, split.count));
    let loss = 0;
    let correct = 0;
    for (let s = 0; s < split.count; s += batchSize) {
      const n = Math.min(batchSize, split.count - s);
      const src = split.images.subarray(s * inputSize, (s + n) * inputSize);
      for (let i = 0; i < src.length; i++) x[i] = BYTE_TO_UNIT[src[i]];
      for (let b = 0; b < n; b++) y[b] = split.labels[s + b];
      const r = await this.trainer.evaluateBatch(x, y, n);
      loss += r.lossSum;
      correct += r.correct;
    }
    return { loss: loss / split.count, accuracy: correct / split.count };
  }

  close(): Promise<void> {
    return this.trainer.close();
  }
}
