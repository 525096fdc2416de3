/**
 * The hardware forward pass on ONNX Runtime against the same pass on tfjs:
 * the same chip, the same read-noise draws, so the two agree image by image
 * but for float summation order (which can move a value across an ADC or DAC
 * rounding boundary); on an ideal device ONNX Runtime's chip predicts exactly
 * ONNX Runtime's software classes.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/model/backend';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { loadDataset } from '../../src/engine/data/datasets';
import type { Dataset } from '../../src/engine/data/dataset';
import { MaskedMLP } from '../../src/engine/model/mlp';
import { train } from '../../src/engine/train/loop';
import { loadPreset } from '../../src/engine/hardware/presets';
import { NON_IDEALITIES, simulatedDevice } from '../../src/engine/hardware/device';
import { buildChip } from '../../src/engine/hardware/chip';
import { accuracyOf, chipPredictions, softwarePredictions } from '../../src/engine/hardware/hardwareAccuracy';
import { inputScales } from '../../src/engine/hardware/chipEvaluation';
import { denseMapping } from '../../src/engine/transform/mapping/schemes';
import { tmpDir } from '../helpers/files';

let data: Dataset;
let weights: Float32Array[];
const layers = [64, 48, 5];
const dir = tmpDir('hw-onnx-');

before(async () => {
  const backend = await initBackend('onnx');
  assert.equal(backend.name, 'onnxruntime');
  const loaded = loadConfigObject(
    {
      name: 'synth',
      dataset: { name: 'synthetic', synthetic: { inputSize: 64, classes: 5, trainSize: 2000, testSize: 1000, noise: 0.6 } },
      network: { layers },
      training: { epochs: 3, batchSize: 50, learningRate: 0.1, workers: 1 },
    },
    dir,
  );
  const c = loaded.config;
  data = loadDataset(c.dataset, dir, 1);
  const model = MaskedMLP.create(c.network, 1);
  await train({ model, data, network: c.network, training: c.training });
  weights = model.exportWeights();
});

const fwd = (runtime: 'onnxruntime' | 'tfjs') => ({ output: 'relu' as const, runtime });
const agreement = (a: Int32Array, b: Int32Array) => a.reduce((n, v, i) => n + (v === b[i] ? 1 : 0), 0) / a.length;

test('ideal device: the chip on ONNX Runtime predicts exactly the software classes, and both runtimes agree', async () => {
  const soft = await softwarePredictions(layers, weights, data.test, fwd('onnxruntime'));
  const softTfjs = await softwarePredictions(layers, weights, data.test, fwd('tfjs'));
  assert.ok(agreement(soft, softTfjs) >= 0.995, `software: runtimes agree on ${agreement(soft, softTfjs)}`);
  assert.ok(accuracyOf(soft, data.test.labels) > 0.5);
  const scales = inputScales(layers, weights, data.train, 99.9);
  for (const name of ['resparc-45nm', 'puma-32nm', 'mnsim-130nm']) {
    const p = loadPreset(name);
    const dev = simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file, NON_IDEALITIES);
    for (const x of [16, 32]) {
      const mapping = layers.slice(1).map((n, l) => denseMapping(n, layers[l], x).crossbars);
      const hard = await chipPredictions(buildChip(layers, weights, mapping, x, dev, 1), dev, data.test, scales, fwd('onnxruntime'));
      assert.deepEqual(Array.from(hard), Array.from(soft), `${name} at ${x}×${x}`);
    }
  }
});

test('every non-ideality on: ONNX Runtime and tfjs read the same chip alike (ADC, DAC, noise, IR drop)', async () => {
  const scales = inputScales(layers, weights, data.train, 99.9);
  for (const name of ['resparc-45nm', 'puma-32nm', 'mnsim-130nm']) {
    const p = loadPreset(name);
    const dev = simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file);
    // 24×24 leaves partly filled crossbars (64 = 24 + 24 + 16 inputs): the padded ADC layout is exercised.
    const x = 24;
    const mapping = layers.slice(1).map((n, l) => denseMapping(n, layers[l], x).crossbars);
    const chip = buildChip(layers, weights, mapping, x, dev, 3);
    const onnx = await chipPredictions(chip, dev, data.test, scales, fwd('onnxruntime'));
    const tfjs = await chipPredictions(chip, dev, data.test, scales, fwd('tfjs'));
    assert.ok(agreement(onnx, tfjs) >= 0.99, `${name}: runtimes agree on ${agreement(onnx, tfjs)}`);
    const [a, b] = [accuracyOf(onnx, data.test.labels), accuracyOf(tfjs, data.test.labels)];
    assert.ok(Math.abs(a - b) <= 0.005, `${name}: ${a} vs ${b}`);
    // And it repeats exactly.
    assert.deepEqual(await chipPredictions(chip, dev, data.test, scales, fwd('onnxruntime')), onnx);
  }
});

test('read noise matters: with it off the same chip predicts differently on some images', async () => {
  const scales = inputScales(layers, weights, data.train, 99.9);
  const p = loadPreset('resparc-45nm');
  const noisy = simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file);
  const quiet = { ...noisy, readNoiseSigma: 0 };
  const loud = { ...noisy, readNoiseSigma: 0.3 };
  const mapping = layers.slice(1).map((n, l) => denseMapping(n, layers[l], 32).crossbars);
  const chip = buildChip(layers, weights, mapping, 32, loud, 1);
  const a = await chipPredictions(chip, quiet, data.test, scales, fwd('onnxruntime'));
  const b = await chipPredictions(chip, loud, data.test, scales, fwd('onnxruntime'));
  assert.ok(agreement(a, b) < 1, 'noise σ_r = 0.3 changes some predictions');
  assert.deepEqual(await chipPredictions(chip, loud, data.test, scales, fwd('tfjs')).then((t) => agreement(t, b) >= 0.99), true);
});
