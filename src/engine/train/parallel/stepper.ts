/**
 * Synchronous data-parallel SGD across threads: the training thread computes
 * the first share of each batch itself while N−1 workers compute the rest;
 * the shares' gradients (each scaled by share/batch, so the sum is the
 * gradient of the whole batch's mean loss) are summed through shared memory
 * and every replica applies the same update. On a 2-core machine this puts
 * both cores to work (single-threaded wasm uses one).
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../../config/schema';
import type { MaskedMLP, StepResult } from '../../model/mlp';
import type { Stepper } from '../loop';
import type { FromWorker, ReplicaState, ToWorker } from './messages';

/** A worker thread running the bundled worker beside this file, or its TypeScript source (tests run through tsx). */
function spawnWorker(): Worker {
  const bundled = path.join(__dirname, 'trainWorker.js');
  if (fs.existsSync(bundled)) return new Worker(bundled);
  const source = path.join(__dirname, 'worker.ts');
  if (fs.existsSync(source)) {
    // Worker threads do not inherit tsx's --import hook on Node 20: register it inside the worker.
    const tsx = require.resolve('tsx/cjs');
    return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, { eval: true });
  }
  throw new Error(`training worker script not found beside ${__dirname} (run "npm run build")`);
}

/** The part of a worker thread a handle needs (a real Worker, or a fake in tests). */
export interface WorkerLike {
  on(event: 'message', f: (m: FromWorker) => void): unknown;
  on(event: 'error', f: (e: Error) => void): unknown;
  on(event: 'exit', f: (code: number) => void): unknown;
  postMessage(m: ToWorker, transfer?: ArrayBuffer[]): void;
  terminate(): Promise<number>;
}

/**
 * One worker's replies, in order. A reply that arrives before anyone waits
 * for it is queued, never dropped (with three or more workers, a later
 * worker's `ready` used to arrive while the first was awaited, and start-up
 * hung).
 */
export class WorkerHandle {
  private waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | undefined;
  private readonly queue: FromWorker[] = [];
  private failure: Error | undefined;

  constructor(readonly worker: WorkerLike) {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'error') this.fail(new Error(`training worker failed: ${m.message}`));
      else if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w.resolve(m);
      } else this.queue.push(m);
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`training worker exited (code ${code})`)));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(this.failure);
  }

  post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(m, transfer);
  }

  next(): Promise<FromWorker> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('internal: two waits on one training worker'));
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Give up waiting (start-up aborted): the pending wait rejects with `e`. */
  abort(e: Error): void {
    this.fail(e);
  }
}

/** Start-up of the workers was stopped by the caller's signal. */
export class StartAborted extends Error {
  constructor() {
    super('stopped while the training workers were starting');
  }
}

export class ParallelStepper implements Stepper {
  private readonly offsets: number[];
  private readonly sum: Float32Array;
  private readonly grads: Float32Array[];
  private closed = false;

  private constructor(
    private readonly model: MaskedMLP,
    private readonly config: ExperimentConfig,
    private readonly workers: WorkerHandle[],
    sumBuf: SharedArrayBuffer,
    gradBufs: SharedArrayBuffer[],
  ) {
    const layers = model.layers;
    this.offsets = [0];
    for (let l = 0; l + 1 < layers.length; l++) this.offsets.push(this.offsets[l] + layers[l] * layers[l + 1]);
    this.sum = new Float32Array(sumBuf);
    this.grads = gradBufs.map((b) => new Float32Array(b));
  }

  /** Start threads − 1 workers and wait until each is ready; an abort (Ctrl-C, SIGTERM) during start-up stops them all and rejects. */
  static async start(model: MaskedMLP, config: ExperimentConfig, backend: string, threads: number, signal?: AbortSignal): Promise<ParallelStepper> {
    const total = model.layers.slice(1).reduce((a, n, l) => a + n * model.layers[l], 0);
    const sumBuf = new SharedArrayBuffer(total * 4);
    const gradBufs: SharedArrayBuffer[] = [];
    const handles: WorkerHandle[] = [];
    const state = ParallelStepper.state(model);
    try {
      for (let k = 1; k < threads; k++) {
        const buf = new SharedArrayBuffer(total * 4);
        gradBufs.push(buf);
        const h = new WorkerHandle(spawnWorker());
        handles.push(h);
        h.post({ type: 'init', backend, layers: model.layers, output: model.output, grad: buf, sum: sumBuf, state });
      }
      const onAbort = () => handles.forEach((h) => h.abort(new StartAborted()));
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        if (signal?.aborted) onAbort();
        for (const h of handles) await h.next();
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    } catch (e) {
      await Promise.all(handles.map((h) => h.worker.terminate()));
      throw e;
    }
    return new ParallelStepper(model, config, handles, sumBuf, gradBufs);
  }

  private static state(model: MaskedMLP): ReplicaState {
    const read = (ts: tf.Tensor[]) => ts.map((t) => Float32Array.from(t.dataSync() as Float32Array));
    return { W: read(model.W), V: read(model.V), masks: read(model.masks) };
  }

  async step(x: Float32Array, labels: Int32Array, count: number, dropoutSeed: number): Promise<StepResult> {
    const n = this.workers.length + 1;
    const inputSize = this.model.layers[0];
    const share = (k: number) => Math.floor((count * (k + 1)) / n) - Math.floor((count * k) / n);
    const start = (k: number) => Math.floor((count * k) / n);
    const net = this.config.network;
    const drop = (k: number) => ({ dropout: net.dropout, inputDropout: net.inputDropout, seed: (dropoutSeed + k * 0x9e3779b1) >>> 0 });
    const replies = this.workers.map((h, i) => {
      const k = i + 1;
      const xs = x.slice(start(k) * inputSize, (start(k) + share(k)) * inputSize);
      const ys = labels.slice(start(k), start(k) + share(k));
      const reply = h.next();
      h.post({ type: 'grad', x: xs, labels: ys, count: share(k), scale: share(k) / count, drop: drop(k) }, [xs.buffer, ys.buffer]);
      return reply;
    });
    // Our own share, computed while the workers compute theirs.
    const n0 = share(0);
    const xt = tf.tensor2d(x.subarray(0, n0 * inputSize), [n0, inputSize]);
    const yt = tf.tensor1d(labels.subarray(0, n0), 'int32');
    const own = this.model.gradients(xt, yt, drop(0));
    tf.dispose([xt, yt]);
    const mine = own.grads.map((g) => g.dataSync() as Float32Array);
    let lossSum = own.lossSum.dataSync()[0];
    let correct = own.correct.dataSync()[0];
    tf.dispose([...own.grads, own.lossSum, own.correct]);
    // Only once every worker has replied is it past the previous 'apply', and the shared sum free to overwrite.
    const results = await Promise.all(replies);
    for (const r of results) {
      if (r.type !== 'grads') throw new Error(`unexpected worker reply ${r.type}`);
      lossSum += r.lossSum;
      correct += r.correct;
    }
    const scale0 = n0 / count;
    for (let l = 0; l < mine.length; l++) {
      const g = mine[l];
      const o = this.offsets[l];
      for (let i = 0; i < g.length; i++) this.sum[o + i] = g[i] * scale0;
    }
    for (const g of this.grads) for (let i = 0; i < g.length; i++) this.sum[i] += g[i];
    for (const h of this.workers) h.post({ type: 'apply', learningRate: this.config.training.learningRate, momentum: this.config.training.momentum });
    const layers = this.model.layers;
    const summed = this.model.W.map((_, l) => tf.tensor2d(this.sum.subarray(this.offsets[l], this.offsets[l + 1]), [layers[l], layers[l + 1]]));
    this.model.applyUpdate(summed, this.config.training.learningRate, this.config.training.momentum);
    return { lossSum, correct };
  }

  /** Copy the training thread's weights, velocities and masks to every worker (after pruning changed them). */
  syncFromModel(): void {
    const state = ParallelStepper.state(this.model);
    for (const h of this.workers) h.post({ type: 'sync', state });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.workers.map(async (h) => {
        try {
          h.post({ type: 'close' });
        } catch {
          /* already gone */
        }
        await h.worker.terminate();
      }),
    );
  }
}
