import { test, describe, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { initBackend } from '../../src/engine/model/backend';
import { MaskedMLP, transposeArray } from '../../src/engine/model/mlp';
import { validateConfig } from '../../src/engine/config/validate';
import { loadDataset } from '../../src/engine/data/datasets';
import { evaluate, train } from '../../src/engine/train/loop';
import { ParallelStepper } from '../../src/engine/train/parallel/stepper';
import { Rng } from '../../src/engine/core/rng';
import type { ExperimentConfig } from '../../src/engine/config/schema';

function cfg(over: Record<string, unknown> = {}, net: Record<string, unknown> = {}, training: Record<string, unknown> = {}): ExperimentConfig {
  const { config, problems } = validateConfig({
    dataset: { name: 'synthetic', synthetic: { inputSize: 32, classes: 4, trainSize: 800, testSize: 400, noise: 0.3 } },
    network: { layers: [32, 24, 16, 4], init: { distribution: 'he' }, ...net },
    training: { epochs: 3, batchSize: 50, learningRate: 0.1, momentum: 0.5, ...training },
    ...over,
  });
  assert.ok(config, JSON.stringify(problems));
  return config;
}

function randomTensor(shape: [number, number], rng: Rng, scale = 1): tf.Tensor2D {
  const a = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < a.length; i++) a[i] = (2 * rng.next() - 1) * scale;
  return tf.tensor2d(a, shape);
}

before(async () => {
  await initBackend('wasm');
});

describe('hand-written backward pass', () => {
  for (const output of ['relu', 'softmax'] as const)
    for (const withDropout of [false, true])
      test(`matches tf.grads (${output} output${withDropout ? ', dropout' : ''})`, () => {
        const rng = new Rng(42);
        const layers = [7, 6, 5, 3];
        const model = new MaskedMLP(layers, output);
        for (let l = 0; l < 3; l++) model.W.push(randomTensor([layers[l], layers[l + 1]], rng, 0.8));
        const B = 9;
        const x = tf.abs(randomTensor([B, 7], rng)) as tf.Tensor2D;
        const labels = tf.tensor1d(Int32Array.from({ length: B }, (_, i) => i % 3), 'int32');
        const y = tf.cast(tf.oneHot(labels, 3), 'float32') as tf.Tensor2D;
        const drop = withDropout ? model.dropoutMasks(B, 0.4, 0.2, 5) : [];
        const mine = model.lossAndGradients(x, y, drop);
        // The same network written with tf ops, differentiated by tfjs.
        const lossOf = (...W: tf.Tensor[]) => {
          let h: tf.Tensor = drop[0] ? tf.mul(x, drop[0]) : x;
          for (let l = 0; l < 3; l++) {
            h = tf.matMul(h, W[l] as tf.Tensor2D);
            if (l < 2) {
              h = tf.relu(h);
              if (drop[l + 1]) h = tf.mul(h, drop[l + 1]!);
            }
          }
          if (output === 'softmax') return tf.div(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(h)))), B) as tf.Scalar;
          return tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.relu(h), y)))), B) as tf.Scalar;
        };
        const ref = tf.grads(lossOf)(model.W);
        assert.ok(Math.abs(mine.lossSum.dataSync()[0] / B - lossOf(...model.W).dataSync()[0]) < 1e-5);
        for (let l = 0; l < 3; l++) {
          const a = mine.grads[l].dataSync();
          const b = ref[l].dataSync();
          const scale = Math.max(...Array.from(b, Math.abs));
          assert.ok(scale > 1e-4, `layer ${l} gradient should not vanish in this check`);
          for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-4 * scale + 1e-7, `layer ${l}[${i}]: ${a[i]} vs ${b[i]}`);
        }
      });
});

describe('training', () => {
  test('learns the synthetic task; no tensors leak across epochs', async () => {
    const c = cfg({}, {}, { epochs: 6 });
    const data = loadDataset(c.dataset, '.', 1);
    const model = MaskedMLP.create(c.network, 1);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const out = await train({ model, data, network: c.network, training: c.training, onEpoch: () => void counts.push(tf.memory().numTensors) });
    assert.equal(out.status, 'completed');
    assert.deepEqual(counts, new Array(6).fill(before), 'tensor count must stay constant');
    assert.ok(out.history[5].testAccuracy > 0.9, `test accuracy ${out.history[5].testAccuracy}`);
    assert.ok(out.history[5].trainLoss < out.history[0].trainLoss);
    model.dispose();
  });

  test('same seed, same weights; another seed, other weights', async () => {
    const run = async (seed: number) => {
      const c = cfg({}, {}, { epochs: 2, seed });
      const data = loadDataset(c.dataset, '.', 1);
      const model = MaskedMLP.create(c.network, seed);
      await train({ model, data, network: c.network, training: c.training });
      const w = model.exportWeights();
      model.dispose();
      return w;
    };
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('masks are re-applied at the end of each epoch and exported in [out, in] orientation', async () => {
    const c = cfg({}, { dropout: 0 }, { epochs: 1 });
    const data = loadDataset(c.dataset, '.', 1);
    const model = MaskedMLP.create(c.network, 1);
    const mask = new Uint8Array(24 * 32); // layer 0 is 24 outputs × 32 inputs
    for (let o = 0; o < 24; o++) for (let i = 0; i < 32; i++) mask[o * 32 + i] = (o + i) % 3 === 0 ? 1 : 0;
    model.setMask(0, mask);
    await train({ model, data, network: c.network, training: c.training });
    const w = model.exportWeights()[0];
    for (let k = 0; k < mask.length; k++) if (!mask[k]) assert.ok(w[k] === 0, `pruned weight ${k} is ${w[k]}`);
    assert.deepEqual(model.exportMasks()[0], mask);
    assert.ok(Math.abs(model.keptFractions()[0] - mask.reduce((a, b) => a + b, 0) / mask.length) < 1e-6);
    model.dispose();
  });

  test('an AbortSignal stops between batches and reports how far it got', async () => {
    const c = cfg({}, {}, { epochs: 5 });
    const data = loadDataset(c.dataset, '.', 1);
    const model = MaskedMLP.create(c.network, 1);
    const ctl = new AbortController();
    const out = await train({ model, data, network: c.network, training: c.training, signal: ctl.signal, onEpoch: (m) => void (m.epoch === 2 && ctl.abort()) });
    assert.equal(out.status, 'interrupted');
    assert.equal(out.epochsCompleted, 2);
    assert.equal(out.history.length, 2);
    model.dispose();
  });

  test('data-parallel steps equal single-thread steps (no dropout)', async () => {
    const c = cfg({}, { dropout: 0 }, { epochs: 2, workers: 2 });
    const data = loadDataset(c.dataset, '.', 1);
    const single = MaskedMLP.create(c.network, 9);
    await train({ model: single, data, network: c.network, training: c.training });
    const par = MaskedMLP.create(c.network, 9);
    const pool = await ParallelStepper.start(par, c, 'wasm', 2);
    try {
      const out = await train({ model: par, data, network: c.network, training: c.training, stepper: pool, afterEpochTraining: () => pool.syncFromModel() });
      assert.equal(out.status, 'completed');
    } finally {
      await pool.close();
    }
    const [a, b] = [single.exportWeights(), par.exportWeights()];
    for (let l = 0; l < a.length; l++) {
      let maxDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < a[l].length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[l][i] - b[l][i]));
        maxAbs = Math.max(maxAbs, Math.abs(a[l][i]));
      }
      assert.ok(maxDiff < 1e-4 * maxAbs, `layer ${l}: max difference ${maxDiff} (weights up to ${maxAbs})`);
    }
    const acc = evaluate(par, data.test, data.inputSize, 100).accuracy;
    assert.ok(Math.abs(acc - evaluate(single, data.test, data.inputSize, 100).accuracy) <= 0.01);
    single.dispose();
    par.dispose();
  });

  test('weights round-trip through the paper orientation', () => {
    const a = Float32Array.from({ length: 6 }, (_, i) => i);
    assert.deepEqual(Array.from(transposeArray(a, 2, 3)), [0, 3, 1, 4, 2, 5]);
    const c = cfg();
    const m = MaskedMLP.create(c.network, 1);
    const w = m.exportWeights();
    const m2 = MaskedMLP.fromArrays(c.network.layers, c.network.output, w, m.exportMasks());
    assert.deepEqual(m2.exportWeights(), w);
    m.dispose();
    m2.dispose();
  });
});
