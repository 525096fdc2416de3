/**
 * Spare lines for fault-aware remapping (issue 23, item 3): with S spares
 * every array is (size + S)², the spares hold G_off until a faulty line moves
 * there. Planted cases: no stuck cells is still the identity; a stuck-on
 * cell under a zero weight of a full crossbar cannot be helped without a
 * spare and is gone with one (the chip then holds the software weights
 * exactly); the core's faults are the same cells with or without spares, so
 * spares only add places to move to.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/engine/core/rng';
import { loadPreset } from '../../src/engine/hardware/presets';
import { simulatedDevice, type Device, type NonIdeality } from '../../src/engine/hardware/device';
import { buildChip } from '../../src/engine/hardware/chip';
import { crossbarRng, programCrossbar, stuckCells, STUCK_OFF, STUCK_ON } from '../../src/engine/hardware/program';
import { remapCrossbar, remapNetwork } from '../../src/engine/hardware/faultRemap';
import { denseMapping } from '../../src/engine/transform/mapping/schemes';

const device = (name: string, over: Partial<Device> = {}, off: NonIdeality[] = []): Device => {
  const p = loadPreset(name);
  return { ...simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file, off), ...over };
};

test('spares and no stuck cells: remapping is the identity (one crossbar, and a network)', () => {
  const dev = device('resparc-45nm', { programmingSigma: 0, stuckOnRate: 0, stuckOffRate: 0 });
  const rng = new Rng(2);
  const nin = 8;
  const w = Float32Array.from({ length: 8 * nin }, () => rng.normal());
  const xb = { rows: [...Array(8).keys()], cols: [...Array(nin).keys()], synapses: 64, kind: 'tile' as const };
  const r = remapCrossbar(w, nin, xb, 8, 3, dev, new Int8Array(2 * 11 * 11), undefined, { spares: 3 });
  assert.equal(r.xb, xb);
  assert.equal(r.lines, undefined);
  assert.equal(r.before, 0);
  assert.equal(r.after, 0);
  const layers = [40, 20, 6];
  const weights = layers.slice(1).map((o, l) => Float32Array.from({ length: o * layers[l] }, () => (rng.next() < 0.5 ? 0 : rng.normal())));
  const mapping = layers.slice(1).map((o, l) => denseMapping(o, layers[l], 16).crossbars);
  const net = remapNetwork(layers, weights, mapping, 16, dev, 3, { spares: 4 });
  net.mapping.forEach((xbs, l) => xbs.forEach((x, k) => assert.equal(x, mapping[l][k])));
  assert.ok(net.lines.flat().every((x) => x === undefined));
  assert.deepEqual(net.stats, { crossbars: mapping.flat().length, remapped: 0, errorBefore: 0, errorAfter: 0 });
});

test('a stuck-on cell under a zero weight of a full crossbar: no help without a spare, gone with one, and the chip holds the software weights', () => {
  // Every non-ideality off (analog weights, no wires): only the planted fault can spoil the chip.
  const dev = device('resparc-45nm', {}, ['levels', 'variation', 'readNoise', 'drift', 'stuckAt', 'wires', 'adc', 'dac']);
  const size = 8;
  const nin = 8;
  const nout = 8;
  // All weights negative, but output 3 ← input 5, which is zero: on the positive array a
  // stuck-on cell costs the same (one unit) under every weight, so permuting cannot help.
  const w = new Float32Array(nout * nin).fill(-0.5);
  w[3 * nin + 5] = 0;
  const xb = { rows: [...Array(nout).keys()], cols: [...Array(nin).keys()], synapses: 63, kind: 'tile' as const };
  const plant = (spares: number) => {
    const side = size + spares;
    const f = new Int8Array(2 * side * side);
    f[5 * side + 3] = STUCK_ON; // positive array, word line 5 (input 5), bit line 3 (output 3)
    return f;
  };
  const without = remapCrossbar(w, nin, xb, size, 0.5, dev, plant(0));
  assert.equal(without.before, 1);
  assert.equal(without.after, 1, 'every cell of a full crossbar costs the same: nothing to gain');
  assert.equal(without.xb, xb);

  const r = remapCrossbar(w, nin, xb, size, 0.5, dev, plant(1), undefined, { spares: 1 });
  assert.equal(r.before, 1);
  assert.equal(r.after, 0, 'the faulty line moved onto the spare');
  assert.ok(r.lines, 'a line sits on the spare');
  const moved = [...r.lines.wordLines, ...r.lines.bitLines].filter((x) => x === size);
  assert.equal(moved.length, 1, `one line on spare line ${size}: ${JSON.stringify(r.lines)}`);
  // Which line moved: word line 5's input or bit line 3's output; every other line stays where it was.
  const wordMoved = r.lines.wordLines.includes(size);
  assert.deepEqual(r.lines.wordLines, wordMoved ? [0, 1, 2, 3, 4, 6, 7, 8] : [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(r.lines.bitLines, wordMoved ? [0, 1, 2, 3, 4, 5, 6, 7] : [0, 1, 2, 4, 5, 6, 7, 8]);
  assert.deepEqual(wordMoved ? r.xb.cols : r.xb.rows, [0, 1, 2, 3, 4, 6, 7, 5]);

  // On the chip (side 9, the planted fault measured): the remapped crossbar reads back the software weights exactly.
  const layers = [nin, nout];
  const faults = () => plant(1);
  const plain = buildChip(layers, [w], [[xb]], size, dev, 1, { spares: 1, faults, threads: 1 });
  const remapped = buildChip(layers, [w], [[r.xb]], size, dev, 1, { spares: 1, faults, lines: [[r.lines]], threads: 1 });
  for (let o = 0; o < nout; o++)
    for (let i = 0; i < nin; i++) {
      assert.equal(remapped.layers[0].dense[i * nout + o], w[o * nin + i], `remapped (${o}, ${i})`);
      if (o !== 3 || i !== 5) assert.equal(plain.layers[0].dense[i * nout + o], w[o * nin + i], `plain (${o}, ${i})`);
    }
  assert.ok(plain.layers[0].dense[5 * nout + 3] > 0.49, `without remapping the stuck-on cell reads ${plain.layers[0].dense[5 * nout + 3]}, not 0`);
});

test('the core of an array has the same faults with or without spares; programming sticks exactly the drawn cells of the whole (size+S)² array', () => {
  const dev = device('puma-32nm', { programmingSigma: 0.03, stuckOnRate: 0.03, stuckOffRate: 0.04 });
  const size = 16;
  const S = 3;
  const side = size + S;
  const core = stuckCells(dev, crossbarRng(5, 0, 2), size);
  const grown = stuckCells(dev, crossbarRng(5, 0, 2), size, S);
  const arrays = core.length / (size * size);
  assert.equal(grown.length, arrays * side * side);
  let spareFaults = 0;
  for (let k = 0; k < arrays; k++)
    for (let i = 0; i < side; i++)
      for (let j = 0; j < side; j++) {
        const g = grown[k * side * side + i * side + j];
        if (i < size && j < size) assert.equal(g, core[k * size * size + i * size + j], `array ${k} cell (${i}, ${j})`);
        else if (g) spareFaults++;
      }
  assert.ok(spareFaults > 5, `${spareFaults} stuck cells on the spare lines`);
  const rng = new Rng(4);
  const nin = 16;
  const w = Float32Array.from({ length: 10 * nin }, () => rng.normal());
  const xb = { rows: [...Array(10).keys()], cols: [...Array(nin).keys()], synapses: 160, kind: 'tile' as const };
  const prog = programCrossbar(w, nin, xb, size, 3, dev, crossbarRng(5, 0, 2), undefined, { spares: S });
  assert.equal(prog.size, side);
  prog.arrays.flat().forEach((g, k) =>
    g.forEach((v, q) => {
      const f = grown[k * side * side + q];
      if (f === STUCK_ON) assert.equal(v, dev.gOn);
      if (f === STUCK_OFF) assert.equal(v, dev.gOff);
      if (!f) assert.ok(v !== dev.gOn && v !== dev.gOff, `array ${k} cell ${q}: ${v}`);
    }),
  );
});

test('a faulty random network: the same faults before remapping with spares, fewer after', () => {
  const rng = new Rng(9);
  const dev = device('puma-32nm', { programmingSigma: 0.02, stuckOnRate: 0.01, stuckOffRate: 0.04 });
  const layers = [64, 32, 10];
  const weights = layers.slice(1).map((o, l) => Float32Array.from({ length: o * layers[l] }, () => (rng.next() < 0.4 ? 0 : rng.normal())));
  const mapping = layers.slice(1).map((o, l) => denseMapping(o, layers[l], 16).crossbars);
  const none = remapNetwork(layers, weights, mapping, 16, dev, 6).stats;
  const spared = remapNetwork(layers, weights, mapping, 16, dev, 6, { spares: 4 });
  assert.equal(spared.stats.errorBefore, none.errorBefore, 'the same core faults under the same lines');
  assert.ok(spared.stats.errorAfter < 0.8 * none.errorAfter, `spares: ${spared.stats.errorAfter} vs ${none.errorAfter} without`);
  assert.ok(spared.lines.flat().some((x) => x && [...x.wordLines, ...x.bitLines].some((v) => v >= 16)), 'some line sits on a spare');
  assert.equal(spared.mapping.flat().length, mapping.flat().length, 'the crossbar count never changes');
});
