/**
 * The validator refuses networks whose training cannot fit in memory, with
 * the estimate, before any run folder exists: `[16, 100000, 100000, 100000,
 * 4]` used to pass validation and crash after creating its folder.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateConfig } from '../../src/engine/config/validate';
import { BYTES_PER_SYNAPSE, ENGINE_BYTES, formatMemory, memoryEstimate } from '../../src/engine/config/estimate';

const synthetic = (layers: number[], training: object = {}) => ({
  dataset: { name: 'synthetic', synthetic: { inputSize: layers[0], classes: layers[layers.length - 1] } },
  network: { layers },
  training: { epochs: 1, ...training },
});

test('[16, 100000, 100000, 100000, 4] is refused with its estimate (error network.memory) and the matrix cap', () => {
  const { config, problems } = validateConfig(synthetic([16, 100000, 100000, 100000, 4]));
  assert.equal(config, undefined);
  const mem = problems.find((p) => p.code === 'network.memory');
  assert.ok(mem, JSON.stringify(problems));
  assert.equal(mem.severity, 'error');
  assert.deepEqual(mem.path, ['network', 'layers']);
  // 2.0002e10 synapses × 100 bytes (measured) ≈ 2.0 TB
  assert.match(mem.message, /needs about 2\.0 TB of memory, more than this machine's .* 20,002,000,000 synapses at 100 bytes each/);
  const layer = problems.find((p) => p.code === 'network.layer-too-large');
  assert.ok(layer);
  assert.deepEqual(layer.path, ['network', 'layers', 2]);
  assert.match(layer.message, /100000×100000\) 10,000,000,000 synapses/);
});

test('the estimate adds its parts as the code allocates them', () => {
  const e = memoryEstimate({ layers: [10, 20, 5], batchSize: 4, evalBatchSize: 8, workers: 3, mode: 'trannsformer', datasetBytes: 1000 });
  const synapses = 10 * 20 + 20 * 5;
  const per = BYTES_PER_SYNAPSE.training + BYTES_PER_SYNAPSE.cluster;
  const expected = synapses * per + 2 * synapses * BYTES_PER_SYNAPSE.worker + 4 * 35 * 12 + 8 * 35 * 8 + 1000 + ENGINE_BYTES;
  assert.equal(e.total, expected);
  assert.deepEqual(e.largestLayer, { layer: 0, elements: 200 });
  assert.equal(formatMemory(1.5e9), '1.5 GB');
});

test('huge batches are refused at the batch size, not the layers', (t) => {
  // 65536 images × 100,794 neurons × 12 bytes ≈ 79 GB of training activations; the weights 7.9 GB.
  const cfg = synthetic([784, 100000, 10], { batchSize: 65536 });
  const est = memoryEstimate({ layers: [784, 100000, 10], batchSize: 65536, evalBatchSize: 2000, workers: 1 });
  if (est.total <= os.totalmem()) return t.skip(`this machine has ${formatMemory(os.totalmem())}: the network fits`);
  const mem = validateConfig(cfg).problems.find((p) => p.code === 'network.memory');
  assert.ok(mem);
  assert.equal(mem.severity, 'error');
  assert.deepEqual(mem.path, ['training', 'batchSize']);
  assert.match(mem.message, /activations of a 65536-image training batch: 79\.3 GB/);
});

test('every shipped example is accepted without a memory problem', () => {
  const dir = path.join(__dirname, '..', '..', 'examples');
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.trannsformer.json'))) {
    const { problems } = validateConfig(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    assert.deepEqual(problems.filter((p) => p.code.startsWith('network.')), [], f);
  }
});
