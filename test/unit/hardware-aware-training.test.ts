// Hardware-aware training (train/hardwareAware.ts): the effective weights a
// batch trains through, on planted cases with known answers; training through
// a device with every non-ideality off equals plain training bit for bit, on
// tfjs (wasm) and on ONNX Runtime; a run stopped mid-epoch while training
// through the chip resumes to the same weights as one that never stopped.
import { test, describe, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../src/engine/model/backend';
import { MaskedMLP } from '../../src/engine/model/mlp';
import { validateConfig } from '../../src/engine/config/validate';
import { loadConfigFile } from '../../src/engine/config/resolve';
import { loadDataset } from '../../src/engine/data/datasets';
import { train, localStepper, fillBatch } from '../../src/engine/train/loop';
import { OnnxTrainer } from '../../src/engine/model/onnx/trainer';
import { effectiveWeights, hardwareView, injects, type HardwareView } from '../../src/engine/train/hardwareAware';
import { buildChip } from '../../src/engine/hardware/chip';
import { synapseOwners } from '../../src/engine/hardware/program';
import type { Device } from '../../src/engine/hardware/device';
import type { Crossbar } from '../../src/engine/format/mapping';
import { executeRun } from '../../src/engine/experiment/run';
import { readModel } from '../../src/engine/store/runFolder';
import { Rng } from '../../src/engine/core/rng';
import type { ExperimentConfig } from '../../src/engine/config/schema';
import type { EngineEvent } from '../../src/engine/events';

/** A device with every non-ideality off: what each test switches on. */
const ideal: Device = {
  gOn: 1e-4,
  gOff: 1e-6,
  bitsPerCell: 4,
  weightBits: 0,
  programmingSigma: 0,
  variationModel: 'normal',
  readNoiseSigma: 0,
  driftNu: 0,
  driftTime_s: 1,
  stuckOnRate: 0,
  stuckOffRate: 0,
  wireRow_ohm: 0,
  wireCol_ohm: 0,
  driver_ohm: 0,
  sense_ohm: 0,
  adcBits: 0,
  dacBits: 0,
};

/** Every synapse on a crossbar, no IR error. */
const open = (sizes: number[]): HardwareView => ({ irError: sizes.map((n) => new Float32Array(n)), cover: sizes.map((n) => new Uint8Array(n).fill(1)) });

const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
const std = (a: ArrayLike<number>) => {
  const m = mean(a);
  return Math.sqrt(Array.from(a).reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1));
};

before(async () => {
  await initBackend('wasm');
});

describe('effective weights of a batch', () => {
  test('every non-ideality off: the weights themselves, and nothing injected', () => {
    const w = Float32Array.from([0.3, -0.7, 0.0001, 1.5, -2]);
    const [o] = effectiveWeights([w], open([5]), ideal, 7);
    assert.deepEqual(Array.from(o), Array.from(w));
    assert.equal(injects(ideal), false);
    for (const k of ['weightBits', 'programmingSigma', 'readNoiseSigma', 'driftNu', 'stuckOnRate', 'wireRow_ohm'] as const) assert.equal(injects({ ...ideal, [k]: 1 }), true, k);
  });

  test('levels: |w|/w_max rounded to 2^B − 1 steps, sign kept; drift scales; a synapse on no crossbar is 0', () => {
    const w = Float32Array.from([0.1, 0.5, -1, 0.9, -0.2]);
    const view = open([5]);
    view.cover[0][3] = 0; // 0.9 is on no crossbar: w_max is 1 from the others
    const [o] = effectiveWeights([w], view, { ...ideal, weightBits: 2, bitsPerCell: 2 }, 1);
    const want = [0, 2 / 3, -1, 0, -1 / 3];
    want.forEach((v, i) => assert.ok(Math.abs(o[i] - v) < 1e-6, `${i}: ${o[i]} vs ${v}`));
    const d = 10 ** -0.1; // (t/t0)^-ν with t = 10 s, ν = 0.1
    const [od] = effectiveWeights([w], view, { ...ideal, weightBits: 2, bitsPerCell: 2, driftNu: 0.1, driftTime_s: 10 }, 1);
    want.forEach((v, i) => assert.ok(Math.abs(od[i] - v * d) < 1e-6, `drift ${i}: ${od[i]} vs ${v * d}`));
  });

  test('the IR error of the view is added to the programmed weight', () => {
    const w = Float32Array.from([0.5, -0.25]);
    const view = open([2]);
    view.irError[0].set([-0.01, 0.002]);
    const [o] = effectiveWeights([w], view, { ...ideal, wireRow_ohm: 1, wireCol_ohm: 1 }, 1);
    assert.ok(Math.abs(o[0] - 0.49) < 1e-7 && Math.abs(o[1] + 0.248) < 1e-7, `${o[0]}, ${o[1]}`);
  });

  for (const model of ['normal', 'lognormal'] as const)
    test(`variation and read noise (${model}): the pair's spread, σ·k·sqrt(G⁺² + G⁻²), mean unchanged`, () => {
      const n = 40000;
      const w = new Float32Array(n).fill(0.5);
      w[0] = 1; // w_max
      const dev: Device = { ...ideal, programmingSigma: 0.1, readNoiseSigma: 0.05, variationModel: model };
      const [o] = effectiveWeights([w], open([n]), dev, 3);
      const dG = dev.gOn - dev.gOff;
      const k = 1 / dG;
      const gp = dev.gOff + 0.5 * dG;
      const varProg = model === 'lognormal' ? Math.expm1(0.01) : 0.01;
      const want = Math.sqrt(varProg + 0.05 ** 2) * k * Math.sqrt(gp * gp + dev.gOff ** 2);
      const sample = o.subarray(1);
      const s = std(sample);
      assert.ok(Math.abs(s / want - 1) < 0.03, `std ${s} vs ${want}`);
      assert.ok(Math.abs(mean(sample) - 0.5) < 4 * (want / Math.sqrt(n)), `mean ${mean(sample)}`);
    });

  test('stuck cells: each of a synapse\'s two cells stuck at the preset\'s rates, moving it by ±k·(G_stuck − G)', () => {
    const n = 100000;
    const w = new Float32Array(n); // pruned synapses on crossbars: both cells at G_off
    w[0] = 1;
    const dev: Device = { ...ideal, stuckOnRate: 0.01 };
    const [o] = effectiveWeights([w], open([n]), dev, 11);
    let changed = 0;
    for (let q = 1; q < n; q++)
      if (o[q] !== 0) {
        changed++;
        // One stuck-on cell of a zero weight: ±w_max·(G_on − G_off)/ΔG = ±1; both: 0 (rare).
        assert.ok(Math.abs(Math.abs(o[q]) - 1) < 1e-6, `synapse ${q}: ${o[q]}`);
      }
    const p = 1 - 0.99 ** 2 - 0.01 ** 2; // exactly one of the two cells stuck
    const expected = p * (n - 1);
    assert.ok(Math.abs(changed - expected) < 4 * Math.sqrt(expected), `${changed} synapses changed, expected ${expected.toFixed(0)}`);
  });

  test('a batch seed is one draw: the same seed repeats exactly, another differs', () => {
    const rng = new Rng(5);
    const w = Float32Array.from({ length: 500 }, () => rng.normal());
    const dev: Device = { ...ideal, weightBits: 4, programmingSigma: 0.05, stuckOnRate: 0.01, stuckOffRate: 0.01 };
    const a = Array.from(effectiveWeights([w], open([500]), dev, 42)[0]);
    const b = Array.from(effectiveWeights([w], open([500]), dev, 42)[0]);
    const c = Array.from(effectiveWeights([w], open([500]), dev, 43)[0]);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});

describe('the epoch\'s chip view', () => {
  const layers = [12, 10, 3];
  const rng = new Rng(9);
  // Masked weights [outputs × inputs]; layer 0 on two overlapping crossbars that leave input 11 off.
  const weights = layers.slice(1).map((nout, l) => Float32Array.from({ length: nout * layers[l] }, () => (rng.next() < 0.2 ? 0 : rng.normal())));
  const mapping: Crossbar[][] = [
    [
      { rows: [0, 1, 2, 3, 4, 5, 6, 7], cols: [0, 1, 2, 3, 4, 5, 6, 7], synapses: 0, kind: 'tile' },
      { rows: [4, 5, 6, 7, 8, 9], cols: [4, 5, 6, 7, 8, 9, 10], synapses: 0, kind: 'tile' },
    ],
    [{ rows: [0, 1, 2], cols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], synapses: 0, kind: 'tile' }],
  ];
  test('without wires: no IR error; covered exactly where a crossbar holds the synapse', () => {
    const v = hardwareView(layers, weights, mapping, 16, ideal);
    v.irError.forEach((e) => assert.ok(e.every((x) => x === 0)));
    v.cover.forEach((c, l) => {
      const owners = synapseOwners(mapping[l], layers[l + 1], layers[l]);
      for (let i = 0; i < layers[l]; i++) for (let o = 0; o < layers[l + 1]; o++) assert.equal(c[i * layers[l + 1] + o], owners[o * layers[l] + i] >= 0 ? 1 : 0);
    });
    assert.equal(v.cover[0][11 * 10 + 0], 0, 'input 11 is on no crossbar');
  });
  test('with wires: the IR error is the solved chip\'s effective weight minus the weight', () => {
    const dev = { ...ideal, wireRow_ohm: 5, wireCol_ohm: 5, weightBits: 4, programmingSigma: 0.1, stuckOnRate: 0.1 };
    const v = hardwareView(layers, weights, mapping, 16, dev);
    // Solved on nominal analog cells, whatever the device's levels, variation and faults.
    const chip = buildChip(layers, weights, mapping, 16, { ...ideal, wireRow_ohm: 5, wireCol_ohm: 5 }, 0, { tolerance: 1e-6 });
    let largest = 0;
    v.irError.forEach((e, l) => {
      const nin = layers[l];
      const nout = layers[l + 1];
      for (let i = 0; i < nin; i++)
        for (let o = 0; o < nout; o++) {
          const q = i * nout + o;
          const want = v.cover[l][q] ? chip.layers[l].dense[q] - weights[l][o * nin + i] : 0;
          assert.ok(Math.abs(e[q] - want) < 1e-6, `layer ${l} (${i}, ${o}): ${e[q]} vs ${want}`);
          largest = Math.max(largest, Math.abs(e[q]));
        }
    });
    assert.ok(largest > 1e-4, `IR drop made no error (${largest})`);
  });
});

function cfg(over: Record<string, unknown> = {}): ExperimentConfig {
  const { config, problems } = validateConfig({
    dataset: { name: 'synthetic', synthetic: { inputSize: 32, classes: 4, trainSize: 800, testSize: 400, noise: 0.3 } },
    network: { layers: [32, 24, 4], init: { distribution: 'he' }, dropout: 0.2 },
    training: { epochs: 2, batchSize: 50, learningRate: 0.1, momentum: 0.5 },
    ...over,
  });
  assert.ok(config, JSON.stringify(problems));
  return config;
}

describe('training through a device with every non-ideality off is plain training, bit for bit', () => {
  test('tfjs (wasm): the epoch loop', async () => {
    const c = cfg();
    const data = loadDataset(c.dataset, '.', 1);
    const plain = MaskedMLP.create(c.network, 4);
    await train({ model: plain, data, network: c.network, training: c.training });
    const through = MaskedMLP.create(c.network, 4);
    const stepper = localStepper(through, c.network, c.training, data.inputSize);
    let calls = 0;
    const bufs: Float32Array[] = [];
    stepper.setForwardWeights!((W, seed) => {
      calls++;
      return effectiveWeights(W, open(W.map((w) => w.length)), ideal, seed, bufs);
    });
    await train({ model: through, data, network: c.network, training: c.training, stepper });
    assert.equal(calls, 2 * 16, 'every batch went through the device');
    const [a, b] = [plain.exportWeights(), through.exportWeights()];
    a.forEach((w, l) => assert.deepEqual(Buffer.from(b[l].buffer), Buffer.from(w.buffer), `layer ${l}`));
    // …and a device with levels trains otherwise.
    const quantised = MaskedMLP.create(c.network, 4);
    const qs = localStepper(quantised, c.network, c.training, data.inputSize);
    qs.setForwardWeights!((W, seed) => effectiveWeights(W, open(W.map((w) => w.length)), { ...ideal, weightBits: 2, bitsPerCell: 2 }, seed));
    await train({ model: quantised, data, network: c.network, training: c.training, stepper: qs });
    assert.notDeepEqual(Array.from(quantised.exportWeights()[0]), Array.from(a[0]));
    for (const m of [plain, through, quantised]) m.dispose();
  });

  test('ONNX Runtime: the step graph with separate forward weights', async () => {
    const layers = [32, 24, 4];
    const c = cfg();
    const data = loadDataset(c.dataset, '.', 1);
    const make = () => OnnxTrainer.create({ layers, output: 'relu', dropout: 0.2, inputDropout: 0, learningRate: 0.1, momentum: 0.5, threads: 1 });
    const [plain, through, quantised] = [await make(), await make(), await make()];
    try {
      const init = MaskedMLP.create(c.network, 4);
      const W = init.W.map((w) => Float32Array.from(w.dataSync()));
      const V = W.map((w) => new Float32Array(w.length));
      init.dispose();
      for (const t of [plain, through, quantised]) t.setState(W, V);
      await through.setForwardWeights((Ws, seed) => effectiveWeights(Ws, open(Ws.map((w) => w.length)), ideal, seed));
      await quantised.setForwardWeights((Ws, seed) => effectiveWeights(Ws, open(Ws.map((w) => w.length)), { ...ideal, weightBits: 2, bitsPerCell: 2 }, seed));
      const order = Int32Array.from({ length: 800 }, (_, i) => i);
      const x = new Float32Array(50 * 32);
      const y = new Int32Array(50);
      for (let b = 0; b < 16; b++) {
        fillBatch(data.train, 32, order, b * 50, 50, x, y);
        const r1 = await plain.step(x, y, 50, 1000 + b);
        const r2 = await through.step(x, y, 50, 1000 + b);
        await quantised.step(x, y, 50, 1000 + b);
        assert.equal(r2.lossSum, r1.lossSum, `batch ${b} loss`);
      }
      plain.state().W.forEach((w, l) => assert.deepEqual(Buffer.from(through.state().W[l].buffer), Buffer.from(w.buffer), `layer ${l}`));
      assert.notDeepEqual(Array.from(quantised.state().W[0]), Array.from(plain.state().W[0]));
    } finally {
      for (const t of [plain, through, quantised]) await t.close();
    }
  });
});

test('a run training through the chip stopped mid-epoch resumes to the weights of one that never stopped', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwa-run-'));
  const file = path.join(dir, 'exp.trannsformer.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      name: 'hwa',
      dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 1000, testSize: 300, noise: 0.3 } },
      network: { layers: [48, 40, 5], init: { distribution: 'he' } },
      training: { epochs: 3, batchSize: 50, learningRate: 0.1 },
      // resparc-45nm: 4-bit levels, 5 % variation, stuck cells, wires.
      transform: { mode: 'pruning', crossbar: 16, hardwareAwareFrom: 2 },
      hardware: { evaluate: false, device: { wireRow_ohm: 5, wireCol_ohm: 5 } },
      backend: 'wasm',
    }),
  );
  const loaded = loadConfigFile(file);
  const logs: string[] = [];
  const emit = (e: EngineEvent) => void (e.type === 'log' && logs.push(e.message));
  const whole = await executeRun({ loaded, outRoot: path.join(dir, 'whole'), emit });
  assert.equal(whole.result.status, 'completed');
  assert.ok(logs.some((m) => /^hardware-aware training: the chip view for epoch 2 \(resparc-45nm, 16×16\), IR drop solved in/.test(m)), logs.join('\n'));
  assert.ok(!logs.some((m) => /chip view for epoch 1 /.test(m)), 'epoch 1 is plain');
  const ctl = new AbortController();
  const stopped = await executeRun({
    loaded,
    outRoot: path.join(dir, 'stopped'),
    emit: (e) => void (e.type === 'progress' && e.epoch === 2 && e.batch >= 3 && ctl.abort()),
    signal: ctl.signal,
  });
  assert.equal(stopped.result.status, 'interrupted');
  const resumed = await executeRun({ loaded, outRoot: path.join(dir, 'stopped'), resumeDir: stopped.dir, emit: () => undefined });
  assert.equal(resumed.result.status, 'completed');
  const [a, b] = [readModel(whole.dir), readModel(resumed.dir)];
  a.weights.forEach((w, l) => assert.deepEqual(Buffer.from(b.weights[l].buffer), Buffer.from(w.buffer), `layer ${l}`));
  // Plain training differs: the chip changed what was learnt.
  const plainFile = path.join(dir, 'plain.trannsformer.json');
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  raw.transform.hardwareAwareOff = ['all'];
  fs.writeFileSync(plainFile, JSON.stringify(raw));
  const plain = await executeRun({ loaded: loadConfigFile(plainFile), outRoot: path.join(dir, 'plain'), emit: () => undefined });
  assert.notDeepEqual(Array.from(readModel(plain.dir).weights[0]), Array.from(a.weights[0]));
  fs.rmSync(dir, { recursive: true, force: true });
});
