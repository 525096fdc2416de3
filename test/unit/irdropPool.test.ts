/**
 * IR-drop solves on two threads (the caller and a worker) give the same
 * effective matrices, bit for bit, as on one, and a solve that fails on the
 * worker still fails the call; a chip is the same chip on one or two threads.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/engine/core/rng';
import { finishBatch, solveArrays } from '../../src/engine/hardware/irdropPool';
import { Ctl, newBatch } from '../../src/engine/hardware/irdropJobs';
import { buildChip } from '../../src/engine/hardware/chip';
import { loadPreset } from '../../src/engine/hardware/presets';
import { simulatedDevice } from '../../src/engine/hardware/device';
import { denseMapping } from '../../src/engine/transform/mapping/schemes';
import type { Wires } from '../../src/engine/hardware/irdrop';

const wires: Wires = { wireRow_ohm: 2, wireCol_ohm: 3, driver_ohm: 10, sense_ohm: 5 };

function arrays(count: number, n: number, rng: Rng): Float64Array[] {
  return Array.from({ length: count }, () => Float64Array.from({ length: n * n }, () => 1e-6 + rng.next() * 1e-4));
}

test('two threads solve a batch to the same bits as one, the worker taking part', () => {
  const rng = new Rng(11);
  const n = 32;
  let joined = false;
  // The worker starts asynchronously: a few batches, until it has taken arrays in one.
  for (let round = 0; round < 6 && !joined; round++) {
    const G = arrays(120, n, rng);
    const used = G.map((_, k) => 1 + (k % n));
    const one = solveArrays(G, n, n, used, wires, { tolerance: 1e-9 }, 1);
    const two = solveArrays(G, n, n, used, wires, { tolerance: 1e-9 }, 2);
    assert.equal(one.byCaller, G.length);
    assert.deepEqual(Buffer.from(two.out.buffer), Buffer.from(one.out.buffer));
    assert.deepEqual(Array.from(two.stats), Array.from(one.stats));
    joined = two.byCaller < G.length;
  }
  assert.ok(joined, 'the worker thread never solved an array');
});

test('a solve that fails on either thread fails the call with the solver\'s message', () => {
  const G = arrays(40, 32, new Rng(5)).map((g) => g.fill(1e-2));
  const used = G.map(() => 32);
  for (const threads of [1, 2]) assert.throws(() => solveArrays(G, 32, 32, used, { wireRow_ohm: 50, wireCol_ohm: 50, driver_ohm: 0, sense_ohm: 0 }, { maxSweeps: 2 }, threads), /did not converge in 2 sweeps on a 32×32 array/);
});

test('a chip is the same on one thread and on two', () => {
  const layers = [100, 40, 10];
  const rng = new Rng(2);
  const weights = layers.slice(1).map((o, l) => Float32Array.from({ length: o * layers[l] }, () => (rng.next() < 0.2 ? 0 : rng.normal())));
  const mapping = layers.slice(1).map((o, l) => denseMapping(o, layers[l], 16).crossbars);
  const p = loadPreset('puma-32nm');
  const dev = simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file);
  const one = buildChip(layers, weights, mapping, 16, dev, 7, { tolerance: 1e-9, threads: 1 });
  const two = buildChip(layers, weights, mapping, 16, dev, 7, { tolerance: 1e-9, threads: 2 });
  assert.equal(two.arrays, one.arrays);
  assert.deepEqual(two.solver, one.solver);
  one.layers.forEach((L, l) => {
    assert.deepEqual(Buffer.from(two.layers[l].dense.buffer), Buffer.from(L.dense.buffer));
    assert.deepEqual(Buffer.from(two.layers[l].noiseVar!.buffer), Buffer.from(L.noiseVar!.buffer));
    L.crossbars!.forEach((c, q) => c.diff.forEach((d, s) => assert.deepEqual(Buffer.from(two.layers[l].crossbars![q].diff[s].buffer), Buffer.from(d.buffer))));
  });
});

test('a worker that dies in the middle of a batch is not waited for forever: its arrays are solved on the caller\'s thread, to the same bits', () => {
  const n = 16;
  const G = arrays(8, n, new Rng(3));
  const used = G.map(() => n);
  const one = solveArrays(G, n, n, used, wires, { tolerance: 1e-9 }, 1);
  // A batch as a worker leaves it when it dies: joined, three arrays taken, none finished, no heartbeat.
  const b = newBatch(n, n, used, wires, { tolerance: 1e-9 }, true);
  G.forEach((g, k) => b.G.set(g, k * n * n));
  Atomics.store(b.ctl, Ctl.Joined, 1);
  Atomics.store(b.ctl, Ctl.Next, 3);
  const t0 = Date.now();
  const got = finishBatch(b, 300);
  const waited = Date.now() - t0;
  assert.ok(waited >= 300 && waited < 10_000, `waited ${waited} ms for the silent worker (bound 300 ms)`);
  assert.equal(got.byCaller, G.length, 'the caller solved its share and the dead worker\'s three');
  assert.deepEqual(Buffer.from(got.out.buffer), Buffer.from(one.out.buffer));
  assert.deepEqual(Array.from(got.stats), Array.from(one.stats));
});
