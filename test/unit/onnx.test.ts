import { test, describe, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/model/backend';
import { MaskedMLP } from '../../src/engine/model/mlp';
import { Rng } from '../../src/engine/core/rng';
import { OnnxTrainer, dropoutMasks } from '../../src/engine/model/onnx/trainer';
import { buildTrainGraph } from '../../src/engine/model/onnx/graph';
import { loadOrt } from '../../src/engine/model/onnx/runtime';
import { OnnxStepper } from '../../src/engine/model/onnx/stepper';
import { validateConfig } from '../../src/engine/config/validate';
import { loadDataset } from '../../src/engine/data/datasets';
import { evaluate, train, type Stepper } from '../../src/engine/train/loop';
import type { ExperimentConfig } from '../../src/engine/config/schema';

function randomArray(n: number, rng: Rng, scale: number, positive = false): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = positive ? rng.next() * scale : (2 * rng.next() - 1) * scale;
  return a;
}

/** ‖a − b‖ / ‖b‖. */
function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

const read = (t: tf.Tensor) => Float32Array.from(t.dataSync() as Float32Array);

before(async () => {
  await initBackend('wasm');
  assert.ok(loadOrt().ort, `onnxruntime-node must load for these tests: ${loadOrt().failure}`);
});

describe('ONNX training graph', () => {
  for (const output of ['relu', 'softmax'] as const)
    for (const withDropout of [false, true])
      for (const layers of [
        [20, 16, 12, 5],
        [24, 18, 14, 10, 6],
      ])
        test(`one step equals the tfjs step (${layers.length - 1} layers, ${output}${withDropout ? ', dropout' : ''})`, async () => {
          const rng = new Rng(7 + layers.length);
          const depth = layers.length - 1;
          const B = 13;
          const lr = 0.3;
          const mu = 0.6;
          const W: Float32Array[] = [];
          const V: Float32Array[] = [];
          for (let l = 0; l < depth; l++) {
            W.push(randomArray(layers[l] * layers[l + 1], rng, Math.sqrt(6 / layers[l])));
            V.push(randomArray(layers[l] * layers[l + 1], rng, 0.01));
          }
          const x = randomArray(B * layers[0], rng, 1, true);
          const labels = Int32Array.from({ length: B }, (_, i) => (i * 7) % layers[depth]);
          const masks = withDropout ? dropoutMasks(layers, B, 0.4, 0.2, 99) : [];
          // Reference: the tfjs model.
          const model = new MaskedMLP(layers, output);
          for (let l = 0; l < depth; l++) {
            model.W.push(tf.tensor2d(W[l], [layers[l], layers[l + 1]]));
            model.V.push(tf.tensor2d(V[l], [layers[l], layers[l + 1]]));
          }
          const xt = tf.tensor2d(x, [B, layers[0]]);
          const lt = tf.tensor1d(labels, 'int32');
          const y = tf.tidy(() => tf.cast(tf.oneHot(lt, layers[depth]), 'float32') as tf.Tensor2D);
          const dm = masks.map((m, l) => (m ? tf.tensor2d(m, [B, layers[l]]) : undefined));
          const [lossSum, refCorrect, grads] = tf.tidy(() => {
            const r = model.lossAndGradients(xt, y, dm);
            return [r.lossSum, tf.sum(tf.cast(tf.equal(tf.argMax(r.out, 1), lt), 'float32')), r.grads] as const;
          });
          const refLoss = lossSum.dataSync()[0];
          const refCorrectN = refCorrect.dataSync()[0];
          model.applyUpdate(grads, lr, mu);

          const trainer = await OnnxTrainer.create({ layers, output, dropout: withDropout ? 0.4 : 0, inputDropout: withDropout ? 0.2 : 0, learningRate: lr, momentum: mu, threads: 1 });
          try {
            trainer.setState(W, V);
            const r = await trainer.step(x, labels, B, 0, masks);
            const s = trainer.state();
            for (let l = 0; l < depth; l++) {
              const ew = relativeError(s.W[l], read(model.W[l]));
              const ev = relativeError(s.V[l], read(model.V[l]));
              assert.ok(ew < 1e-5, `layer ${l} weights: relative error ${ew}`);
              assert.ok(ev < 1e-5, `layer ${l} velocities: relative error ${ev}`);
              // The step did move the weights.
              assert.ok(relativeError(s.W[l], W[l]) > 1e-4, `layer ${l} weights did not change`);
            }
            assert.ok(Math.abs(r.lossSum - refLoss) <= 1e-5 * Math.abs(refLoss), `loss ${r.lossSum} vs ${refLoss}`);
            assert.equal(r.correct, refCorrectN);
          } finally {
            await trainer.close();
            model.dispose();
            tf.dispose([xt, lt, y, lossSum, refCorrect, ...dm.filter((t): t is tf.Tensor2D => !!t)]);
          }
        });

  test('rejects a malformed network and bad batches clearly', async () => {
    assert.throws(() => buildTrainGraph({ layers: [4], output: 'relu', dropout: [], learningRate: 0.1, momentum: 0 }), /at least two positive integers/);
    const trainer = await OnnxTrainer.create({ layers: [3, 2], output: 'relu', dropout: 0, inputDropout: 0, learningRate: 0.1, momentum: 0, threads: 1 });
    try {
      await assert.rejects(trainer.step(new Float32Array(6), Int32Array.of(0, 5), 2, 0), /label 5 of batch sample 1/);
      await assert.rejects(trainer.step(new Float32Array(5), Int32Array.of(0, 1), 2, 0), /needs 6 input values/);
      assert.throws(() => trainer.setState([new Float32Array(5)], [new Float32Array(6)]), /weights\[0\]: expected 3×2 = 6 values, got 5/);
    } finally {
      await trainer.close();
    }
  });
});

describe('ONNX evaluation graph', () => {
  for (const output of ['relu', 'softmax'] as const)
    test(`loss and correct count equal MaskedMLP.evaluateBatch (${output})`, async () => {
      const layers = [30, 20, 8];
      const rng = new Rng(3);
      const B = 57;
      const W = [randomArray(600, rng, 0.4), randomArray(160, rng, 0.5)];
      const x = randomArray(B * 30, rng, 1, true);
      const labels = Int32Array.from({ length: B }, () => rng.int(8));
      const model = new MaskedMLP(layers, output);
      W.forEach((w, l) => {
        model.W.push(tf.tensor2d(w, [layers[l], layers[l + 1]]));
        model.V.push(tf.zeros([layers[l], layers[l + 1]]));
      });
      const xt = tf.tensor2d(x, [B, 30]);
      const lt = tf.tensor1d(labels, 'int32');
      const ref = model.evaluateBatch(xt, lt);
      const trainer = await OnnxTrainer.create({ layers, output, dropout: 0, inputDropout: 0, learningRate: 0.1, momentum: 0, threads: 1 });
      try {
        const r = await trainer.evaluateBatch(x, labels, B, W);
        assert.ok(Math.abs(r.lossSum - ref.lossSum) <= 1e-5 * Math.abs(ref.lossSum), `loss ${r.lossSum} vs ${ref.lossSum}`);
        assert.equal(r.correct, ref.correct);
        assert.ok(r.correct > 0 && r.correct < B, 'a meaningful test has some right and some wrong');
      } finally {
        await trainer.close();
        model.dispose();
        tf.dispose([xt, lt]);
      }
    });
});

describe('dropout masks from the seeded generator', () => {
  test('are reproducible, scaled and keep about 1 − p', () => {
    const a = dropoutMasks([100, 50, 3], 40, 0.3, 0, 5);
    const b = dropoutMasks([100, 50, 3], 40, 0.3, 0, 5);
    const c = dropoutMasks([100, 50, 3], 40, 0.3, 0, 6);
    assert.equal(a[0], undefined);
    assert.deepEqual(a[1], b[1]);
    assert.notDeepEqual(a[1], c[1]);
    const kept = a[1]!.filter((v) => v !== 0);
    assert.ok(kept.every((v) => v === Math.fround(1 / 0.7)));
    const frac = kept.length / a[1]!.length;
    assert.ok(Math.abs(frac - 0.7) < 0.02, `kept fraction ${frac}`);
    // Odd sizes are filled to the end; other rates keep their share.
    const odd = dropoutMasks([7, 3, 2], 301, 0.1, 0.8, 9);
    assert.equal(odd[0]!.length, 2107);
    assert.ok(odd[0]!.every((v) => v === 0 || v === Math.fround(1 / 0.2)));
    const keptIn = odd[0]!.filter((v) => v !== 0).length / 2107;
    const keptHidden = odd[1]!.filter((v) => v !== 0).length / 903;
    assert.ok(Math.abs(keptIn - 0.2) < 0.03, `input kept ${keptIn}`);
    assert.ok(Math.abs(keptHidden - 0.9) < 0.03, `hidden kept ${keptHidden}`);
  });
});

function tinyConfig(output: 'relu' | 'softmax', dropout: number): ExperimentConfig {
  const { config, problems } = validateConfig({
    dataset: { name: 'synthetic', synthetic: { inputSize: 40, classes: 8, trainSize: 1500, testSize: 1000, noise: 0.7 } },
    network: { layers: [40, 32, 24, 8], output, dropout, init: { distribution: 'he' } },
    training: { epochs: 12, batchSize: 50, learningRate: output === 'relu' ? 0.4 : 0.2, momentum: 0.5, loss: output === 'relu' ? 'squared-error' : 'cross-entropy', seed: 3 },
    backend: 'wasm',
  });
  assert.ok(config, JSON.stringify(problems));
  return config;
}

/** A tiny run with magnitude pruning of the first layer at each epoch end (so flush and sync matter). */
async function tinyRun(config: ExperimentConfig, useOnnx: boolean) {
  const data = loadDataset(config.dataset, '.', config.training.seed);
  const model = MaskedMLP.create(config.network, config.training.seed);
  const onnx = useOnnx ? await OnnxStepper.start(model, config.network, config.training, 2) : undefined;
  let prunedAt: Uint8Array | undefined;
  try {
    const outcome = await train({
      model,
      data,
      network: config.network,
      training: config.training,
      stepper: onnx as Stepper | undefined,
      afterEpochTraining: () => {
        // Keep the larger 70% of layer 0's weights: reads the weights the stepper trained.
        const w = model.exportWeights()[0];
        const cut = Float32Array.from(w, Math.abs).sort()[Math.floor(w.length * 0.3)];
        prunedAt = Uint8Array.from(w, (v) => (Math.abs(v) >= cut ? 1 : 0));
        model.setMask(0, prunedAt);
      },
    });
    const final = outcome.history[outcome.history.length - 1];
    // The model holds the weights the last evaluation saw, masked.
    const w0 = model.exportWeights()[0];
    assert.ok(prunedAt!.every((k, i) => k === 1 || w0[i] === 0), 'pruned weights are zero in the model');
    const check = evaluate(model, data.test, data.inputSize, 250);
    if (onnx) {
      const s = onnx.trainer.state();
      assert.deepEqual(s.W[0], model.W[0].dataSync(), 'stepper reloaded the masked weights');
    }
    return { final, check };
  } finally {
    await onnx?.close();
    model.dispose();
  }
}

describe('whole runs', () => {
  for (const output of ['relu', 'softmax'] as const)
    test(`a tiny run on ONNX Runtime retraces the tfjs run without dropout (${output})`, async () => {
      const config = tinyConfig(output, 0);
      const ref = await tinyRun(config, false);
      const ort = await tinyRun(config, true);
      // ONNX Runtime's test evaluation and tfjs's on the same final weights agree.
      assert.ok(Math.abs(ort.final.testAccuracy - ort.check.accuracy) < 1e-9, `${ort.final.testAccuracy} vs ${ort.check.accuracy}`);
      assert.ok(Math.abs(ort.final.testLoss - ort.check.loss) < 1e-4 * Math.abs(ort.check.loss), `${ort.final.testLoss} vs ${ort.check.loss}`);
      // Same data order, no random masks: only summation order differs, so the runs stay together (chance is 1/8).
      assert.ok(ref.final.testAccuracy > 0.6, `tfjs accuracy ${ref.final.testAccuracy}`);
      assert.ok(Math.abs(ort.final.testAccuracy - ref.final.testAccuracy) <= 0.005, `ONNX ${ort.final.testAccuracy} vs tfjs ${ref.final.testAccuracy}`);
      assert.ok(Math.abs(ort.final.trainLoss - ref.final.trainLoss) < 1e-3 * ref.final.trainLoss, `train loss ONNX ${ort.final.trainLoss} vs tfjs ${ref.final.trainLoss}`);
    });

  test('a run stopped mid-epoch leaves the weights of the stepper in the model', async () => {
    const config = tinyConfig('relu', 0.2);
    const data = loadDataset(config.dataset, '.', config.training.seed);
    const model = MaskedMLP.create(config.network, config.training.seed);
    const initial = model.exportWeights();
    const onnx = await OnnxStepper.start(model, config.network, config.training, 1);
    const stop = new AbortController();
    try {
      const outcome = await train({
        model,
        data,
        network: config.network,
        training: config.training,
        stepper: onnx,
        signal: stop.signal,
        progressIntervalMs: 0,
        onProgress: (p) => p.batch === 7 && stop.abort(),
      });
      assert.equal(outcome.status, 'interrupted');
      assert.equal(outcome.batchesIntoEpoch, 7);
      const s = onnx.trainer.state();
      for (let l = 0; l < model.depth; l++) {
        assert.deepEqual(model.W[l].dataSync(), s.W[l]);
        assert.deepEqual(model.V[l].dataSync(), s.V[l]);
      }
      assert.notDeepEqual(model.exportWeights()[0], initial[0]);
    } finally {
      await onnx.close();
      model.dispose();
    }
  });

  test('with dropout (other random masks) the runs agree within noise (softmax)', async () => {
    const config = tinyConfig('softmax', 0.2);
    const ref = await tinyRun(config, false);
    const ort = await tinyRun(config, true);
    assert.ok(Math.abs(ort.final.testAccuracy - ort.check.accuracy) < 1e-9, `${ort.final.testAccuracy} vs ${ort.check.accuracy}`);
    assert.ok(ort.final.testAccuracy > 0.7, `ONNX accuracy ${ort.final.testAccuracy}`);
    assert.ok(Math.abs(ort.final.testAccuracy - ref.final.testAccuracy) < 0.03, `ONNX ${ort.final.testAccuracy} vs tfjs ${ref.final.testAccuracy}`);
  });
});

describe('backend selection', () => {
  const backendModule = path.resolve(__dirname, '../../src/engine/model/backend.ts');
  /** initBackend(requested) in a fresh process (the choice is made once per process); optionally with onnxruntime-node unloadable. */
  function choose(requested: string, blockOrt: boolean): { info?: Record<string, unknown>; error?: string } {
    const pre: string[] = [];
    if (blockOrt) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-block-'));
      const file = path.join(dir, 'block.cjs');
      fs.writeFileSync(
        file,
        `const M = require('module'); const r = M._resolveFilename;
M._resolveFilename = function (req, ...a) { if (req === 'onnxruntime-node') throw new Error('onnxruntime-node blocked by the test'); return r.call(this, req, ...a); };`,
      );
      pre.push('--require', file);
    }
    const code = `require(${JSON.stringify(backendModule)}).initBackend(${JSON.stringify(requested)}).then((b) => console.log(JSON.stringify({ info: b })), (e) => console.log(JSON.stringify({ error: e.message })))`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', ...pre, '-e', code], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  }

  test('auto and onnx pick ONNX Runtime, and say so', () => {
    for (const requested of ['auto', 'onnx']) {
      const { info } = choose(requested, false);
      assert.equal(info?.name, 'onnxruntime');
      assert.equal(info?.tfjs, 'wasm');
      assert.match(String(info?.detail), /^ONNX Runtime 1\.30\.0 \(CPU, \d+ intra-op threads\) trains and evaluates/);
    }
  });

  test('auto falls back to tfjs when ONNX Runtime does not load, and records why', () => {
    const { info } = choose('auto', true);
    assert.equal(info?.name, 'wasm');
    assert.match(String(info?.detail), /^onnxruntime-node not available \(onnxruntime-node blocked by the test\)/);
  });

  test('onnx fails clearly when ONNX Runtime does not load', () => {
    const { error, info } = choose('onnx', true);
    assert.equal(info, undefined);
    assert.match(String(error), /backend: "onnx" needs onnxruntime-node, which did not load \(onnxruntime-node blocked by the test\)/);
  });
});

after(() => {
  assert.equal(tf.memory().numTensors, 0, 'tensors leaked');
});
