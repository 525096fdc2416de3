/**
 * Fault-aware remapping: the stuck-cell map is exactly the cells programming
 * sticks; the Hungarian method finds the cheapest assignment (against brute
 * force); no stuck cells is the identity; a stuck-off cell under a crossbar's
 * largest weights moves under a zero (or onto a line the crossbar leaves
 * free); and no crossbar ever gets worse or gains or loses a line.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/engine/core/rng';
import { loadPreset } from '../../src/engine/hardware/presets';
import { simulatedDevice, type Device } from '../../src/engine/hardware/device';
import { crossbarRng, programCrossbar, stuckCells, STUCK_OFF, STUCK_ON } from '../../src/engine/hardware/program';
import { hungarian, remapCrossbar, remapNetwork } from '../../src/engine/hardware/faultRemap';
import { denseMapping } from '../../src/engine/transform/mapping/schemes';

const device = (name: string, over: Partial<Device> = {}): Device => {
  const p = loadPreset(name);
  return { ...simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file), ...over };
};

test('the stuck-cell map is exactly the cells programming leaves at G_on or G_off (variation on, two presets)', () => {
  for (const dev of [device('resparc-45nm', { stuckOnRate: 0.05, stuckOffRate: 0.05 }), device('puma-32nm', { programmingSigma: 0.03, stuckOnRate: 0.02, stuckOffRate: 0.03 })]) {
    const rng = new Rng(3);
    const nin = 20;
    const w = Float32Array.from({ length: 12 * nin }, () => rng.normal());
    const xb = { rows: [...Array(12).keys()], cols: [...Array(nin).keys()], synapses: 240, kind: 'tile' as const };
    const size = 32;
    const prog = programCrossbar(w, nin, xb, size, 3, dev, crossbarRng(7, 1, 4));
    const map = stuckCells(dev, crossbarRng(7, 1, 4), size);
    let on = 0;
    let off = 0;
    prog.arrays.flat().forEach((g, k) =>
      g.forEach((v, q) => {
        const f = map[k * size * size + q];
        assert.equal(v === dev.gOn, f === STUCK_ON, `array ${k} cell ${q}: ${v} vs map ${f}`);
        assert.equal(v === dev.gOff, f === STUCK_OFF, `array ${k} cell ${q}: ${v} vs map ${f}`);
        if (f === STUCK_ON) on++;
        if (f === STUCK_OFF) off++;
      }),
    );
    assert.ok(on > 10 && off > 10, `${on} stuck on, ${off} stuck off`);
  }
});

test('the Hungarian method: the cheapest assignment, against brute force on 200 random matrices', () => {
  const rng = new Rng(11);
  const perms = (n: number): number[][] => (n === 1 ? [[0]] : perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])));
  for (let t = 0; t < 200; t++) {
    const n = 1 + (t % 6);
    const c = Float64Array.from({ length: n * n }, () => (rng.next() < 0.3 ? 0 : Math.round(rng.next() * 20)));
    const a = hungarian(c, n);
    assert.deepEqual([...a].sort(), [...Array(n).keys()], 'a permutation');
    const got = [...a].reduce((s, j, i) => s + c[i * n + j], 0);
    const best = Math.min(...perms(n).map((p) => p.reduce((s, j, i) => s + c[i * n + j], 0)));
    assert.equal(got, best, `n = ${n}`);
  }
});

test('no stuck cells: the identity; a stuck-off cell under the largest weights moves where it spoils nothing', () => {
  const dev = device('resparc-45nm', { programmingSigma: 0, stuckOnRate: 0, stuckOffRate: 0 });
  const nin = 8;
  // Output 0 holds the largest positive weights; output 3 is all zeros.
  const w = new Float32Array(4 * nin);
  for (let c = 0; c < nin; c++) {
    w[0 * nin + c] = 1;
    w[1 * nin + c] = 0.3;
    w[2 * nin + c] = -0.5;
  }
  const xb = { rows: [0, 1, 2, 3], cols: [...Array(nin).keys()], synapses: 24, kind: 'tile' as const };
  const size = 8;
  const none = remapCrossbar(w, nin, xb, size, 1, dev, new Int8Array(2 * size * size));
  assert.equal(none.xb, xb);
  assert.equal(none.before, 0);
  // Bit line 0 (output 0) stuck at G_off on the positive array at word lines 2 and 5.
  const faults = new Int8Array(2 * size * size);
  faults[2 * size + 0] = STUCK_OFF;
  faults[5 * size + 0] = STUCK_OFF;
  const r = remapCrossbar(w, nin, xb, size, 1, dev, faults);
  assert.ok(r.before > 1.9, `before ${r.before}`);
  assert.equal(r.after, 0, 'every stuck cell under a zero weight');
  // On the positive array a stuck-off cell spoils only positive weights: output 2 (negative) or 3
  // (zero) may go there, or none — bit lines 4…7 are free, as good as spares.
  const bitLines = r.lines?.bitLines ?? [0, 1, 2, 3];
  const onZero = r.xb.rows[bitLines.indexOf(0)];
  assert.ok(onZero === undefined || [2, 3].includes(onZero), `an output without positive weights on bit line 0 (got output ${onZero})`);
  assert.notEqual(r.xb.rows[bitLines.indexOf(0)], 0, 'output 0 left bit line 0');
  assert.deepEqual([...r.xb.rows].sort(), [0, 1, 2, 3]);
  assert.deepEqual(r.xb.cols, xb.cols);
  assert.deepEqual(r.lines?.wordLines ?? [...Array(nin).keys()], [...Array(nin).keys()], 'the word lines stay');
});

test('random layers on a faulty chip: no crossbar gets worse, lines and counts are kept, most faults are moved', () => {
  const rng = new Rng(9);
  const dev = device('puma-32nm', { programmingSigma: 0.02, stuckOnRate: 0.01, stuckOffRate: 0.04 });
  const layers = [48, 30, 5];
  const weights = layers.slice(1).map((o, l) => Float32Array.from({ length: o * layers[l] }, () => (rng.next() < 0.6 ? 0 : rng.normal())));
  const mapping = layers.slice(1).map((o, l) => denseMapping(o, layers[l], 16).crossbars);
  const { mapping: out, lines, stats } = remapNetwork(layers, weights, mapping, 16, dev, 4);
  assert.equal(out.flat().length, mapping.flat().length);
  out.forEach((xbs, l) =>
    xbs.forEach((xb, k) => {
      assert.deepEqual([...xb.cols].sort((a, b) => a - b), [...mapping[l][k].cols].sort((a, b) => a - b));
      assert.deepEqual([...xb.rows].sort((a, b) => a - b), [...mapping[l][k].rows].sort((a, b) => a - b));
    }),
  );
  assert.ok(stats.remapped > 0 && stats.errorAfter < 0.8 * stats.errorBefore, JSON.stringify(stats));
  // Per crossbar, never worse: remapping each again from its own result (lines where they now sit) changes nothing for the worse.
  const again = remapNetwork(layers, weights, out, 16, dev, 4, { lines }).stats;
  assert.ok(again.errorBefore <= stats.errorAfter + 1e-9);
});
