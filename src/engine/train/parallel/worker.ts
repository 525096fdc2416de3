/**
 * A gradient worker: holds a replica of the model, computes the (scaled)
 * gradients of its share of each batch into shared memory, and applies the
 * summed update the training thread publishes, so replicas stay identical.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../model/backend';
import { MaskedMLP } from '../../model/mlp';
import type { FromWorker, ReplicaState, ToWorker } from './messages';

let model: MaskedMLP | undefined;
let grad: Float32Array;
let sum: Float32Array;

function post(m: FromWorker): void {
  parentPort!.postMessage(m);
}

function load(state: ReplicaState, layers: number[]): void {
  const m = model!;
  for (const t of [...m.W, ...m.V, ...m.masks]) t.dispose();
  const shape = (l: number): [number, number] => [layers[l], layers[l + 1]];
  m.W = state.W.map((w, l) => tf.tensor2d(w, shape(l)));
  m.V = state.V.map((v, l) => tf.tensor2d(v, shape(l)));
  m.masks = state.masks.map((k, l) => tf.tensor2d(k, shape(l)));
}

/** Offsets of each layer's gradient in the flat shared buffers. */
function offsets(layers: number[]): number[] {
  const o = [0];
  for (let l = 0; l + 1 < layers.length; l++) o.push(o[l] + layers[l] * layers[l + 1]);
  return o;
}

let off: number[] = [];

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init': {
      await initBackend(msg.backend === 'tensorflow' ? 'node' : (msg.backend as 'wasm' | 'cpu'));
      model = new MaskedMLP(msg.layers, msg.output);
      load(msg.state, msg.layers);
      grad = new Float32Array(msg.grad);
      sum = new Float32Array(msg.sum);
      off = offsets(msg.layers);
      post({ type: 'ready' });
      return;
    }
    case 'grad': {
      const m = model!;
      const inputSize = m.layers[0];
      const x = tf.tensor2d(msg.x, [msg.count, inputSize]);
      const y = tf.tensor1d(msg.labels, 'int32');
      const { grads, lossSum, correct } = m.gradients(x, y, msg.drop);
      for (let l = 0; l < grads.length; l++) {
        const g = tf.mul(grads[l], msg.scale);
        grad.set(g.dataSync() as Float32Array, off[l]);
        g.dispose();
        grads[l].dispose();
      }
      const r = { lossSum: lossSum.dataSync()[0], correct: correct.dataSync()[0] };
      tf.dispose([x, y, lossSum, correct]);
      post({ type: 'grads', ...r });
      return;
    }
    case 'apply': {
      const m = model!;
      const g = m.W.map((_, l) => tf.tensor2d(sum.subarray(off[l], off[l + 1]), [m.layers[l], m.layers[l + 1]]));
      m.applyUpdate(g, msg.learningRate, msg.momentum);
      return;
    }
    case 'sync':
      load(msg.state, model!.layers);
      return;
    case 'close':
      model?.dispose();
      process.exit(0);
  }
}

// Messages are handled strictly in order: an 'apply' must finish before the next 'grad'.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (msg: ToWorker) => {
  queue = queue.then(() => handle(msg)).catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) }));
});
