/**
 * IR-aware placement on planted crossbars: heavy weights far from the drivers
 * and the sense end are moved next to them and the IR-drop error falls; no
 * crossbar's error ever rises, no crossbar gains or loses a line, and ideal
 * wires leave every crossbar as it was.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/engine/core/rng';
import { loadPreset } from '../../src/engine/hardware/presets';
import { simulatedDevice, type Device } from '../../src/engine/hardware/device';
import { irAwareOrder, irDropError, placeNetwork } from '../../src/engine/hardware/placement';
import { denseMapping } from '../../src/engine/transform/mapping/schemes';
import type { Crossbar } from '../../src/engine/format/mapping';

/** resparc-45nm's device with lossy wires (20 Ω a segment: IR drop that matters at 16×16). */
function lossy(): Device {
  const p = loadPreset('resparc-45nm');
  return { ...simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file), wireRow_ohm: 20, wireCol_ohm: 20 };
}

const size = 16;
const xbOf = (rows: number[], cols: number[]): Crossbar => ({ rows, cols, synapses: rows.length * cols.length, kind: 'tile' });

test('heavy weights planted on the top word lines and the far bit lines move next to the sense end and the drivers; the error falls', () => {
  // One layer 16 → 16: weights small everywhere but inputs 0–3 × outputs 12–15 (the crossbar's far corner).
  const n = 16;
  const w = new Float32Array(n * n).fill(0.01);
  for (let r = 12; r < 16; r++) for (let c = 0; c < 4; c++) w[r * n + c] = 1;
  const xb = xbOf([...Array(n).keys()], [...Array(n).keys()]);
  const placed = irAwareOrder(w, n, xb);
  assert.deepEqual(placed.cols.slice(-4).sort((a, b) => a - b), [0, 1, 2, 3], 'the heavy inputs on the last word lines (nearest the sense)');
  assert.deepEqual(placed.rows.slice(0, 4).sort((a, b) => a - b), [12, 13, 14, 15], 'the heavy outputs on the first bit lines (nearest the drivers)');
  const dev = lossy();
  const before = irDropError(w, n, xb, size, 1, dev);
  const after = irDropError(w, n, placed, size, 1, dev);
  assert.ok(before > 0.01, `a planted case with IR drop (error ${before})`);
  assert.ok(after < 0.8 * before, `error ${before.toFixed(4)} → ${after.toFixed(4)}`);
  const { mapping, stats } = placeNetwork([n, n], [w], [[xb]], size, dev);
  assert.equal(stats.reordered, 1);
  assert.deepEqual(mapping[0][0], placed);
  assert.ok(Math.abs(stats.errorAfter - after) < 1e-12 && Math.abs(stats.errorBefore - before) < 1e-12);
});

test('random layers: every crossbar keeps its lines, none has a larger error, and the count never changes', () => {
  const rng = new Rng(5);
  const layers = [40, 24, 6];
  const weights = layers.slice(1).map((o, l) => Float32Array.from({ length: o * layers[l] }, () => (rng.next() < 0.5 ? 0 : rng.normal())));
  const mapping = layers.slice(1).map((o, l) => denseMapping(o, layers[l], size).crossbars);
  const dev = lossy();
  const { mapping: placed, stats } = placeNetwork(layers, weights, mapping, size, dev);
  assert.equal(placed.map((l) => l.length).join(','), mapping.map((l) => l.length).join(','));
  assert.equal(stats.crossbars, mapping.flat().length);
  placed.forEach((xbs, l) => {
    let wmax = 0;
    for (const v of weights[l]) wmax = Math.max(wmax, Math.abs(v));
    xbs.forEach((xb, k) => {
      const old = mapping[l][k];
      assert.deepEqual([...xb.cols].sort((a, b) => a - b), [...old.cols].sort((a, b) => a - b));
      assert.deepEqual([...xb.rows].sort((a, b) => a - b), [...old.rows].sort((a, b) => a - b));
      assert.ok(irDropError(weights[l], layers[l], xb, size, wmax, dev) <= irDropError(weights[l], layers[l], old, size, wmax, dev) + 1e-15, `layer ${l} crossbar ${k}`);
    });
  });
  assert.ok(stats.errorAfter <= stats.errorBefore);
  assert.ok(stats.reordered > 0, 'some crossbars are reordered');
});

test('ideal wires: placement is the identity', () => {
  const dev = { ...lossy(), wireRow_ohm: 0, wireCol_ohm: 0, driver_ohm: 0, sense_ohm: 0 };
  const w = Float32Array.from({ length: 64 }, (_, i) => (i % 7) / 7);
  const mapping = [denseMapping(8, 8, size).crossbars];
  const { mapping: placed, stats } = placeNetwork([8, 8], [w], mapping, size, dev);
  assert.deepEqual(placed, mapping);
  assert.equal(stats.reordered, 0);
});
