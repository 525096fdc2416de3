/**
 * The device model of the presets (sources, borrowing, errors naming file and
 * field) and the hardware a mapped network becomes (programming, slicing,
 * chips from seeds; with every non-ideality off, the software weights exactly).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/engine/core/rng';
import { listPresets, loadPreset, presetCaveats } from '../../src/engine/hardware/presets';
import { DEVICE_FIELDS, NON_IDEALITIES, parseIdeal, simulatedDevice, type Device } from '../../src/engine/hardware/device';
import { buildChip } from '../../src/engine/hardware/chip';
import { programCrossbar, slicing } from '../../src/engine/hardware/program';
import { denseMapping } from '../../src/engine/transform/mapping/schemes';

const deviceOf = (name: string, off: string[] = []): Device => {
  const p = loadPreset(name);
  return simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file, parseIdeal(off));
};

test('every preset has a device model whose fields say where they come from', () => {
  for (const name of listPresets()) {
    const p = loadPreset(name);
    assert.ok(p.device.fields.rOn_ohm && p.device.fields.rOff_ohm, `${name}: rOn/rOff`);
    for (const k of DEVICE_FIELDS) {
      const f = p.device.fields[k];
      if (f) assert.ok(f.source.length > 5, `${name}: device.${k} has a source`);
    }
    const d = deviceOf(name);
    assert.ok(d.gOn > d.gOff && d.wireRow_ohm > 0, name);
  }
  // puma borrows what it lacks from resparc, marked as borrowed in the caveats.
  const puma = loadPreset('puma-32nm');
  assert.equal(puma.device.fields.programmingSigma?.borrowedFrom, 'resparc-45nm');
  assert.ok(presetCaveats(puma).some((c) => /^device\.programmingSigma = 0\.05 borrowed from resparc-45nm/.test(c)));
  // The spiking preset has no ADC and no DAC; the others have both.
  assert.equal(deviceOf('resparc-45nm').adcBits, 0);
  assert.equal(deviceOf('resparc-45nm').dacBits, 0);
  assert.equal(deviceOf('puma-32nm').adcBits, 8);
});

function writePreset(device: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'device-'));
  const file = path.join(dir, 'mine.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'mine', maxCrossbar: 64, borrowFrom: 'resparc-45nm', fields: {}, device }));
  return file;
}

test('bad device values are refused, naming the file and the field', () => {
  const cases: [unknown, RegExp][] = [
    [{ rOn_ohm: { value: -5, source: 'x' } }, /mine\.json: device\.rOn_ohm\.value: must be an on-resistance/],
    [{ rOff_ohm: { value: 1000, source: 'x' } }, /mine\.json: device\.rOff_ohm\.value: must be above rOn_ohm \(20000 Ω\)/],
    [{ weightBits: { value: 2.5, source: 'x' } }, /device\.weightBits\.value: must be weight bits/],
    [{ stuckOnRate: { value: 0.6, source: 'x' }, stuckOffRate: { value: 0.6, source: 'x' } }, /device\.stuckOffRate\.value: stuckOnRate \+ stuckOffRate is 1\.2/],
    [{ programmingSigma: { value: 0.1 } }, /device\.programmingSigma\.source: say where the value comes from/],
    [{ variationModel: { value: 'uniform', source: 'x' } }, /device\.variationModel\.value: must be one of normal, lognormal/],
    [{ wireResistance: { value: 1, source: 'x' } }, /device\.wireResistance: unknown device field/],
    [{ driver_ohm: { value: 100, source: 'x' }, wireRow_ohm: { value: 0, source: 'x' }, wireCol_ohm: { value: 0, source: 'x' } }, /device: driver and sense resistance need wire resistance > 0/],
    [{ wireRow_ohm: { value: 0, source: 'x' } }, /device: give row and column wires both a resistance or neither \(wireRow_ohm 0, wireCol_ohm 0\.668\)/],
    [[1, 2], /mine\.json: device: must be an object/],
  ];
  for (const [device, want] of cases) assert.throws(() => loadPreset(writePreset(device)), want);
  assert.throws(() => parseIdeal(['wires', 'heat']), /--ideal: unknown non-ideality "heat"/);
  assert.deepEqual(parseIdeal(['all']), [...NON_IDEALITIES]);
});

/** A random masked layer [outputs × inputs]. */
function layerWeights(outputs: number, inputs: number, rng: Rng, keep = 0.6): Float32Array {
  return Float32Array.from({ length: outputs * inputs }, () => (rng.next() < keep ? Math.fround(rng.normal() * 0.1) : 0));
}

test('with every non-ideality off the chip holds the software weights exactly', () => {
  const rng = new Rng(11);
  const layers = [50, 40, 10];
  const weights = [layerWeights(40, 50, rng), layerWeights(10, 40, rng)];
  const mapping = weights.map((_, l) => denseMapping(layers[l + 1], layers[l], 16).crossbars);
  for (const name of listPresets()) {
    const chip = buildChip(layers, weights, mapping, 16, deviceOf(name, ['all']), 1);
    chip.layers.forEach((L, l) => {
      for (let o = 0; o < layers[l + 1]; o++) for (let i = 0; i < layers[l]; i++) assert.equal(L.dense[i * layers[l + 1] + o], weights[l][o * layers[l] + i], `${name} layer ${l} (${o}, ${i})`);
    });
  }
});

test('weights sliced over cells read back as their quantised values', () => {
  const dev: Device = { ...deviceOf('puma-32nm', ['all']), weightBits: 6, bitsPerCell: 2 };
  assert.deepEqual(slicing(dev), { slices: 3, digitBits: 2, levels: 3 });
  const w = Float32Array.from([0.5, -1, 0.26, 0]); // 2 outputs × 2 inputs
  const xb = { rows: [0, 1], cols: [0, 1], synapses: 4, kind: 'tile' as const };
  const p = programCrossbar(w, 2, xb, 4, 1, dev, new Rng(1));
  assert.equal(p.arrays.length, 3);
  const read = (i: number, j: number) => p.arrays.reduce((s, [pos, neg], k) => s + p.sliceWeight[k] * (pos[i * 4 + j] - neg[i * 4 + j]), 0);
  // q = round(|w|·63): 0.5 → 32, 1 → 63, 0.26 → 16; w = ±q/63.
  // Cell (word line i, bit line j) holds input i → output j, i.e. w[j·2 + i].
  assert.ok(Math.abs(read(0, 0) - 32 / 63) < 1e-12);
  assert.ok(Math.abs(read(1, 0) - -1) < 1e-12);
  assert.ok(Math.abs(read(0, 1) - 16 / 63) < 1e-12);
  assert.ok(Math.abs(read(1, 1) - 0) < 1e-12);
});

test('one chip seed is one chip; another seed is another chip', () => {
  const rng = new Rng(5);
  const layers = [20, 10];
  const weights = [layerWeights(10, 20, rng)];
  const mapping = [denseMapping(10, 20, 8).crossbars];
  const dev = deviceOf('mnsim-130nm');
  const a = buildChip(layers, weights, mapping, 8, dev, 3);
  const b = buildChip(layers, weights, mapping, 8, dev, 3);
  const c = buildChip(layers, weights, mapping, 8, dev, 4);
  assert.deepEqual(a.layers[0].dense, b.layers[0].dense);
  assert.notDeepEqual(a.layers[0].dense, c.layers[0].dense);
  assert.ok(a.solver.sweeps > 0, 'the wires were solved');
});
