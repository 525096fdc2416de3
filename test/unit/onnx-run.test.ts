// A whole run through executeRun on ONNX Runtime, in a process of its own
// (the backend is chosen once per process): the run records which backend
// trained, the data-parallel workers are not started, pruning and clustering
// see the trained weights, and the saved weights reproduce the accuracy.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigFile } from '../../src/engine/config/resolve';
import { executeRun } from '../../src/engine/experiment/run';
import { loadDataset } from '../../src/engine/data/datasets';
import { MaskedMLP } from '../../src/engine/model/mlp';
import { evaluate } from '../../src/engine/train/loop';
import { readModel } from '../../src/engine/store/runFolder';
import type { EngineEvent } from '../../src/engine/events';

test('a run with backend "onnx" trains on ONNX Runtime and says so', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-run-'));
  const file = path.join(dir, 'exp.trannsformer.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      name: 'synth-onnx',
      dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 1500, testSize: 500, noise: 0.3 } },
      network: { layers: [48, 40, 5], init: { distribution: 'he' } },
      training: { epochs: 3, batchSize: 50, learningRate: 0.1, workers: 2 },
      transform: { mode: 'pruning', crossbar: 16 },
      hardware: { evaluate: false },
      backend: 'onnx',
    }),
  );
  const loaded = loadConfigFile(file);
  const events: EngineEvent[] = [];
  const { dir: runDir, result } = await executeRun({ loaded, outRoot: path.join(dir, 'runs'), emit: (e) => events.push(e) });
  assert.equal(result.status, 'completed');
  const started = events.find((e): e is Extract<EngineEvent, { type: 'started' }> => e.type === 'started')!;
  assert.equal(started.backend.name, 'onnxruntime');
  assert.match(started.backend.detail, /^ONNX Runtime 1\.30\.0 \(CPU, \d+ intra-op threads\) trains and evaluates; tfjs wasm for the rest/);
  assert.equal(result.backend?.name, 'onnxruntime');
  const logs = events.filter((e): e is Extract<EngineEvent, { type: 'log' }> => e.type === 'log').map((e) => e.message);
  assert.ok(
    logs.some((m) => /^training on ONNX Runtime with \d+ intra-op threads \(training\.workers = 2 applies to the tfjs backends: no worker threads started\)$/.test(m)),
    logs.join('\n'),
  );
  assert.ok(!logs.some((m) => /data-parallel/.test(m)), 'no data-parallel pool');
  const epochs = events.filter((e): e is Extract<EngineEvent, { type: 'epoch' }> => e.type === 'epoch').map((e) => e.metrics);
  assert.equal(epochs.length, 3);
  const final = epochs[2];
  assert.ok(final.testAccuracy > 0.6, `accuracy ${final.testAccuracy} (chance 0.2)`);
  // Pruning ran on the weights ONNX Runtime trained: a share of the first layer is gone.
  assert.ok(final.keptFraction[0] < 0.95, `kept ${final.keptFraction[0]}`);
  // The saved weights (written from the model after the stepper's last flush) give the reported accuracy under tfjs.
  const m = readModel(runDir);
  const model = MaskedMLP.fromArrays(m.layers, 'relu', m.weights, m.masks);
  try {
    const data = loadDataset(loaded.config.dataset, dir, loaded.config.training.seed);
    const acc = evaluate(model, data.test, data.inputSize, 100).accuracy;
    assert.ok(Math.abs(acc - final.testAccuracy) < 1e-9, `saved weights give ${acc}, the run reported ${final.testAccuracy}`);
  } finally {
    model.dispose();
  }
});
