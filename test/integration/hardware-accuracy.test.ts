/**
 * Accuracy on simulated chips, end to end on a small synthetic network
 * trained here: with every non-ideality off a chip predicts exactly what the
 * software network predicts, image by image; with wire resistance on (a
 * planted, high-resistance preset) accuracy falls as the crossbars grow, and
 * the derived reliable size says so beside the preset's claim.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../../src/engine/model/backend';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { loadDataset } from '../../src/engine/data/datasets';
import type { Dataset } from '../../src/engine/data/dataset';
import { MaskedMLP } from '../../src/engine/model/mlp';
import { train } from '../../src/engine/train/loop';
import { evaluateNetwork, formatEvaluation, hardwareSummary } from '../../src/engine/experiment/evaluate';
import type { ExperimentConfig } from '../../src/engine/config/schema';
import type { Evaluation } from '../../src/engine/format/evaluation';
import { loadPreset } from '../../src/engine/hardware/presets';
import { NON_IDEALITIES, simulatedDevice } from '../../src/engine/hardware/device';
import { buildChip } from '../../src/engine/hardware/chip';
import { chipPredictions, softwarePredictions } from '../../src/engine/hardware/hardwareAccuracy';
import { inputScales } from '../../src/engine/hardware/chipEvaluation';
import { denseMapping } from '../../src/engine/transform/mapping/schemes';
import { spawnSync } from 'node:child_process';
import { tmpDir } from '../helpers/files';

let config: ExperimentConfig;
let data: Dataset;
let weights: Float32Array[];
let masks: Uint8Array[];
const dir = tmpDir('hw-acc-');

before(async () => {
  await initBackend('wasm');
  const loaded = loadConfigObject(
    {
      name: 'synth',
      dataset: { name: 'synthetic', synthetic: { inputSize: 64, classes: 5, trainSize: 2000, testSize: 1000, noise: 0.6 } },
      network: { layers: [64, 48, 5] },
      training: { epochs: 3, batchSize: 50, learningRate: 0.1, workers: 1 },
      hardware: { snnImages: 50, timesteps: 20 },
      backend: 'wasm',
    },
    dir,
  );
  config = loaded.config;
  data = loadDataset(config.dataset, dir, 1);
  const model = MaskedMLP.create(config.network, 1);
  await train({ model, data, network: config.network, training: config.training });
  weights = model.exportWeights();
  masks = model.exportMasks();
});

const input = () => ({
  runDir: dir,
  config,
  baseDir: dir,
  status: 'completed' as const,
  layers: config.network.layers,
  weights,
  masks,
  connectivity: weights.map((_, l) => ({ rows: config.network.layers[l + 1], cols: config.network.layers[l], map: masks[l], clusters: [] })),
});

test('every non-ideality off: each chip predicts exactly the software classes on the whole test set', async () => {
  const layers = config.network.layers;
  const fwd = { output: config.network.output };
  const soft = await softwarePredictions(layers, weights, data.test, fwd);
  const scales = inputScales(layers, weights, data.train, 99.9);
  for (const name of ['resparc-45nm', 'puma-32nm', 'mnsim-130nm']) {
    const p = loadPreset(name);
    const dev = simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file, NON_IDEALITIES);
    for (const x of [16, 32]) {
      const mapping = layers.slice(1).map((n, l) => denseMapping(n, layers[l], x).crossbars);
      const hard = await chipPredictions(buildChip(layers, weights, mapping, x, dev, 1), dev, data.test, scales, fwd);
      assert.deepEqual(Array.from(hard), Array.from(soft), `${name} at ${x}×${x}`);
    }
  }
  // Overlapping crossbars (cluster blocks with fillCrossbars/refillCrossbars overlap): a synapse is one device, never counted twice.
  for (const name of ['resparc-45nm', 'puma-32nm']) {
    const p = loadPreset(name);
    const dev = simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file, NON_IDEALITIES);
    const overlapping = layers.slice(1).map((n, l) => {
      const tiles = denseMapping(n, layers[l], 16).crossbars;
      // Every tile again, then a block straddling the first two tiles' inputs.
      const straddle = { rows: tiles[0].rows, cols: [...tiles[0].cols.slice(8), ...(tiles[1]?.cols ?? []).slice(0, 8)], synapses: 0, kind: 'cluster' as const };
      return [...tiles, ...tiles, straddle];
    });
    const hard = await chipPredictions(buildChip(layers, weights, overlapping, 16, dev, 1), dev, data.test, scales, fwd);
    assert.deepEqual(Array.from(hard), Array.from(soft), `${name}: overlapping crossbars`);
  }
  // And through the evaluation the CLI runs: accuracy on every chip equals software's.
  const e = await evaluateNetwork(input(), { crossbars: [16], chips: 2, ideal: [...NON_IDEALITIES], data, hardwareSnn: true });
  const h = e.hardwareAccuracy!;
  assert.ok(h.softwareAccuracy > 0.5, `software ${h.softwareAccuracy}`);
  assert.deepEqual(h.results[0].perChip, [h.softwareAccuracy, h.softwareAccuracy]);
  // The spiking preset's rate-coded network on an ideal chip is the software SNN, spike for spike.
  assert.deepEqual(h.results[0].snnPerChip, [e.snn.accuracy, e.snn.accuracy]);
  assert.equal(h.images, 1000);
});

/** A planted preset file: resparc-45nm with `ohm` per wire segment (claimed reliable to 64×64). */
function lossyWires(name: string, ohm: number): string {
  const file = path.join(dir, `${name}.json`);
  const wire = { value: ohm, source: 'test: planted' };
  fs.writeFileSync(file, JSON.stringify({ name, maxCrossbar: 64, borrowFrom: 'resparc-45nm', device: { wireRow_ohm: wire, wireCol_ohm: wire } }));
  return file;
}

test('wire resistance on: accuracy falls with crossbar size; the derived reliable size stands beside the claim', async () => {
  // Planted: a resparc copy whose wires are 300 Ω per cell, every other non-ideality off.
  const file = lossyWires('lossy-wires', 300);
  const off = NON_IDEALITIES.filter((n) => n !== 'wires');
  const e = await evaluateNetwork(input(), { crossbars: [8, 16, 32, 64], presets: [file], chips: 1, ideal: off, data, lossLimit: 0.01 });
  const h = e.hardwareAccuracy!;
  const acc = h.results.map((r) => r.accuracy.mean);
  for (let k = 1; k < acc.length; k++) assert.ok(acc[k] <= acc[k - 1] + 0.005, `accuracy by size ${acc.map((a) => a.toFixed(3)).join(', ')}`);
  assert.ok(acc[0] >= h.softwareAccuracy - 0.01, `8×8 keeps the software accuracy (${acc[0]} vs ${h.softwareAccuracy})`);
  assert.ok(acc[3] < h.softwareAccuracy - 0.05, `64×64 loses accuracy to IR drop (${acc[3]} vs ${h.softwareAccuracy})`);
  const rel = h.reliable[0];
  assert.equal(rel.claimed, 64);
  assert.ok(rel.derived !== undefined && rel.derived < 64, `derived ${rel.derived}`);
  const text = formatEvaluation(e);
  assert.match(text, new RegExp(`lossy-wires: reliable crossbar \\(derived, within 1\\.00 pt of software\\): ${rel.derived}×${rel.derived}; the source's claim: 64×64`));
  // result.json's summary carries the configured preset's figures; here the first result's.
  const s = hardwareSummary(e);
  assert.equal(s.hardwareAccuracy?.mean, acc[0]);
  assert.equal(s.hardwareAccuracy?.claimedCrossbar, 64);
});

test('the ADC quantises each crossbar\'s partial sums: 8 bits keep the accuracy, 2 bits lose it', async () => {
  const file = path.join(dir, 'coarse-adc.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'coarse-adc', maxCrossbar: 128, borrowFrom: 'puma-32nm', fields: { adcBits: { value: 2, source: 'test: planted' } } }));
  const off = NON_IDEALITIES.filter((n) => n !== 'adc');
  const e = await evaluateNetwork(input(), { crossbars: [16], presets: ['puma-32nm', file], chips: 1, ideal: off, data });
  const h = e.hardwareAccuracy!;
  const [fine, coarse] = h.results;
  assert.deepEqual([fine.adcBits, coarse.adcBits], [8, 2]);
  assert.ok(Math.abs(fine.accuracy.mean - h.softwareAccuracy) <= 0.01, `8-bit ADC: ${fine.accuracy.mean} vs software ${h.softwareAccuracy}`);
  assert.ok(coarse.accuracy.mean < h.softwareAccuracy - 0.05, `2-bit ADC: ${coarse.accuracy.mean} vs software ${h.softwareAccuracy}`);
});

test('read noise and programming variation: chips differ from each other, and a chip seed repeats exactly', async () => {
  const e1 = await evaluateNetwork(input(), { crossbars: [16], presets: ['mnsim-130nm'], chips: 3, data });
  const e2 = await evaluateNetwork(input(), { crossbars: [16], presets: ['mnsim-130nm'], chips: 3, data });
  const r1 = e1.hardwareAccuracy!.results[0];
  assert.deepEqual(r1.perChip, e2.hardwareAccuracy!.results[0].perChip, 'same seeds, same chips, same noise draws');
  assert.ok(new Set(r1.perChip).size > 1, `chips differ: ${r1.perChip.join(', ')}`);
  assert.ok(r1.accuracy.std !== undefined && r1.accuracy.std > 0);
  assert.ok(r1.accuracy.min <= r1.accuracy.mean && r1.accuracy.mean <= r1.accuracy.max);
});

test('the CLI: evaluate --chips prints software and hardware accuracy and the reliable size, and records them', async () => {
  const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
  const work = tmpDir('hw-cli-');
  const cfg = path.join(work, 'synth.trannsformer.json');
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      name: 'synth',
      dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 1000, testSize: 300, noise: 0.3 } },
      network: { layers: [48, 40, 5] },
      training: { epochs: 2, batchSize: 50, learningRate: 0.1 },
      hardware: { snnImages: 50, timesteps: 20 },
      backend: 'wasm',
    }),
  );
  const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', timeout: 300_000 });
  const run = cli(['run', cfg, '--out', 'runs']);
  assert.equal(run.status, 0, run.stderr);
  const runDir = path.join(work, 'runs', fs.readdirSync(path.join(work, 'runs'))[0]);
  const r = cli(['evaluate', runDir, '--crossbar', '16,32', '--preset', 'resparc-45nm', '--chips', '2', '--ideal', 'all', '--loss-limit', '0.5']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Accuracy on simulated chips \(2 per preset and size, 300 test images/);
  assert.match(r.stderr, /resparc-45nm: reliable crossbar \(derived, within 0\.50 pt of software\): 32×32; the source's claim: 64×64/);
  const e = JSON.parse(fs.readFileSync(path.join(runDir, 'evaluation.json'), 'utf8')) as Evaluation;
  const h = e.hardwareAccuracy!;
  assert.deepEqual(h.off, [...NON_IDEALITIES]);
  for (const x of h.results) assert.deepEqual(x.perChip, [h.softwareAccuracy, h.softwareAccuracy]);
  // Flags that make no sense are refused, saying which.
  const noChips = cli(['evaluate', runDir, '--ideal', 'wires']);
  assert.equal(noChips.status, 2);
  assert.match(noChips.stderr, /--chips: give the number of chips to simulate/);
  const badLimit = cli(['evaluate', runDir, '--chips', '1', '--loss-limit', 'lots']);
  assert.equal(badLimit.status, 2);
  assert.match(badLimit.stderr, /--loss-limit: must be accuracy points from 0 to 100 \(got "lots"\)/);
  fs.rmSync(work, { recursive: true, force: true });
});

test('IR-aware placement: recorded per preset and size; the IR-drop error falls, the arrays are the same, accuracy does not suffer', async () => {
  const file = lossyWires('lossy-wires-placement', 100);
  const off = NON_IDEALITIES.filter((n) => n !== 'wires');
  const plain = (await evaluateNetwork(input(), { crossbars: [32], presets: [file], chips: 1, ideal: off, data })).hardwareAccuracy!.results[0];
  const e = await evaluateNetwork(input(), { crossbars: [32], presets: [file], chips: 1, ideal: off, data, placement: 'ir-aware' });
  const placed = e.hardwareAccuracy!.results[0];
  const p = placed.placement!;
  assert.ok(p, 'the placement is recorded');
  assert.equal(plain.placement, undefined);
  assert.equal(p.crossbars, 4 + 2, '64-48-5 on 32×32: 2·2 + 1·2 crossbars');
  assert.ok(p.reordered > 0 && p.errorAfter < p.errorBefore, JSON.stringify(p));
  assert.equal(placed.arrays, plain.arrays);
  assert.ok(placed.accuracy.mean >= plain.accuracy.mean - 0.01, `placed ${placed.accuracy.mean} vs ${plain.accuracy.mean}`);
  assert.match(formatEvaluation(e), /placed: IR error/);
  assert.ok(e.hardwareAccuracy!.notes.some((n) => /IR-aware placement/.test(n)));
});

test('fault-aware remapping: each chip measured with and without; the fault error falls and accuracy is recovered on a faulty device', async () => {
  // Planted: mnsim-130nm with 20% of cells stuck at G_off and 8% at G_on, every other non-ideality off.
  const file = path.join(dir, 'faulty.json');
  fs.writeFileSync(
    file,
    JSON.stringify({ name: 'faulty', maxCrossbar: 256, borrowFrom: 'mnsim-130nm', device: { stuckOffRate: { value: 0.2, source: 'test: planted' }, stuckOnRate: { value: 0.08, source: 'test: planted' } } }),
  );
  const off = NON_IDEALITIES.filter((n) => n !== 'stuckAt' && n !== 'levels');
  const e = await evaluateNetwork(input(), { crossbars: [16], presets: [file], chips: 3, ideal: off, data, remap: 'faults' });
  const r = e.hardwareAccuracy!.results[0];
  const m = r.remap!;
  assert.ok(m, 'the remapping is recorded');
  assert.equal(m.perChipWithout.length, 3);
  assert.ok(m.errorAfter < 0.9 * m.errorBefore, JSON.stringify(m));
  const gains = r.perChip.map((a, i) => a - m.perChipWithout[i]);
  assert.ok(Math.abs(m.recovered.mean - gains.reduce((a, b) => a + b, 0) / 3) < 1e-12 && m.recovered.min === Math.min(...gains));
  assert.ok(m.recovered.mean > 0.005, `accuracy recovered on average: without ${m.perChipWithout.join(', ')}, with ${r.perChip.join(', ')} (1.37 pt when written)`);
  // Without faults, remapping changes nothing: the same accuracy with and without on every chip.
  const clean = (await evaluateNetwork(input(), { crossbars: [16], presets: ['mnsim-130nm'], chips: 1, ideal: [...NON_IDEALITIES], data, remap: 'faults' })).hardwareAccuracy!.results[0];
  assert.equal(clean.remap!.remapped, 0);
  assert.deepEqual(clean.perChip, clean.remap!.perChipWithout);
  assert.match(formatEvaluation(e), /remap recovered/);
});
