/**
 * The TraNNsformer options added to recover accuracy (issue 15), on planted
 * layers: filling the crossbars the clusters already pay for, partitions per
 * layer, and freezing the masks after clusterPruneStart.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fillCrossbars, layerState, partitionsOf, refillCrossbars } from '../../src/engine/transform/steps';
import { TransformSchedule } from '../../src/engine/transform/schedule';
import { resolveTransform } from '../../src/engine/config/schema';
import { validateConfig } from '../../src/engine/config/validate';
import { PackedCrossbars } from '../../src/engine/transform/mapping/packed';

test('fillCrossbars: one block per crossbar, grown to x×x with the heaviest neurons, the crossbar count unchanged', () => {
  // 8 outputs × 8 inputs, crossbar 4. Two planted clusters: rows {0,1} × cols {0,1,2,3}, rows {4,5} × cols {4,5,6,7};
  // each takes a crossbar of its own (no shared rows or columns fit: 2+2 rows ≤ 4 but 4+4 columns > 4).
  const s = layerState(8, 8, 0);
  const w = new Float32Array(64);
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) w[r * 8 + c] = 0.01 * (1 + r + c);
  // Heavy weights: outputs 6 and 7 on cols 0–3; outputs 2 and 3 on cols 4–7.
  for (const r of [6, 7]) for (const c of [0, 1, 2, 3]) w[r * 8 + c] = 1;
  for (const r of [2, 3]) for (const c of [4, 5, 6, 7]) w[r * 8 + c] = 0.5;
  s.clusters = [
    { outputs: Int32Array.of(0, 1), inputs: Int32Array.of(0, 1, 2, 3), quality: 1, valid: true },
    { outputs: Int32Array.of(4, 5), inputs: Int32Array.of(4, 5, 6, 7), quality: 1, valid: true },
  ];
  const before = new PackedCrossbars(8, 8, s.clusters, 4).bins.length;
  assert.equal(before, 2);
  const filled = fillCrossbars(s, w, 4);
  const blocks = filled.map((c) => [Array.from(c.outputs), Array.from(c.inputs)]).sort();
  assert.deepEqual(blocks, [
    [[0, 1, 6, 7], [0, 1, 2, 3]],
    [[2, 3, 4, 5], [4, 5, 6, 7]],
  ]);
  assert.equal(new PackedCrossbars(8, 8, filled, 4).bins.length, before);
});

test('fillCrossbars: a heavy output joins every crossbar whose uncovered cells it fills, without covering a cell twice', () => {
  const s = layerState(8, 8, 0);
  const w = new Float32Array(64).fill(0.01);
  for (let c = 0; c < 8; c++) w[7 * 8 + c] = 1; // output 7 is heavy on every input
  s.clusters = [
    { outputs: Int32Array.of(0, 1, 2), inputs: Int32Array.of(0, 1, 2, 3), quality: 1, valid: true },
    { outputs: Int32Array.of(3, 4, 5), inputs: Int32Array.of(4, 5, 6, 7), quality: 1, valid: true },
  ];
  const filled = fillCrossbars(s, w, 4);
  assert.ok(filled.every((c) => Array.from(c.outputs).includes(7)), 'output 7 on both crossbars (different inputs)');
  const cells = new Set<number>();
  for (const c of filled)
    for (const r of c.outputs)
      for (const i of c.inputs) {
        assert.ok(!cells.has(r * 8 + i), `cell ${r},${i} covered twice`);
        cells.add(r * 8 + i);
      }
});

test('refillCrossbars: a block keeps its crossbar but moves to the outputs, then the inputs, holding the most weight; cmap follows', () => {
  // 6 outputs × 6 inputs, crossbar 2; the block starts at outputs {0,1} × inputs {0,1}.
  const s = layerState(6, 6, 0);
  const w = new Float32Array(36).fill(0.01);
  for (const r of [2, 3]) for (const c of [0, 1]) w[r * 6 + c] = 0.5; // outputs 2, 3 are heaviest over the block's inputs
  for (const r of [2, 3]) for (const c of [4, 5]) w[r * 6 + c] = 1; // and inputs 4, 5 over those outputs
  s.clusters = [{ outputs: Int32Array.of(0, 1), inputs: Int32Array.of(0, 1), quality: 1, valid: true }];
  refillCrossbars(s, w, 2);
  assert.deepEqual([Array.from(s.clusters[0].outputs), Array.from(s.clusters[0].inputs)], [[2, 3], [4, 5]]);
  const inCmap = [...s.cmap.keys()].filter((i) => s.cmap[i]).map((i) => [Math.floor(i / 6), i % 6]);
  assert.deepEqual(inCmap, [[2, 4], [2, 5], [3, 4], [3, 5]]);
  // An invalid (pruned) cluster stays where it was and out of cmap.
  s.clusters.push({ outputs: Int32Array.of(0), inputs: Int32Array.of(0), quality: 1, valid: false });
  refillCrossbars(s, w, 2);
  assert.deepEqual(Array.from(s.clusters[1].outputs), [0]);
  assert.equal(s.cmap[0], 0);
});

test('partitions: one number for every layer, or one per layer (the last entry for layers beyond the list); the schema takes both', () => {
  assert.equal(partitionsOf({ partitions: 3 }, 2), 3);
  assert.equal(partitionsOf({ partitions: [2, 4] }, 0), 2);
  assert.equal(partitionsOf({ partitions: [2, 4] }, 1), 4);
  assert.equal(partitionsOf({ partitions: [2, 4] }, 5), 4);
  const base = { dataset: { name: 'synthetic' }, network: { layers: [64, 8, 4] }, training: { epochs: 2 } };
  assert.ok(validateConfig({ ...base, transform: { partitions: [2, 4] } }).config);
  assert.equal(validateConfig({ ...base, transform: { partitions: [0] } }).config, undefined);
  assert.equal(validateConfig({ ...base, transform: { partitions: 'x' } }).config, undefined);
});

test('freezeMasks: after the step of clusterPruneStart the masks no longer change', () => {
  const make = (freezeMasks: boolean) => {
    const { config } = validateConfig({
      dataset: { name: 'synthetic', synthetic: { inputSize: 6, classes: 4 } },
      network: { layers: [6, 4] },
      training: { epochs: 8 },
      transform: { mode: 'trannsformer', crossbar: 8, pruneRates: [1], pruneRateScale: 0.05, slowdown: 1, k: 2, clusterStart: 2, clusterPruneStart: 4, innerPruneRate: 1, freezeMasks },
    });
    assert.ok(config);
    return new TransformSchedule(resolveTransform(config.transform, 8, 1), [6, 4], 1);
  };
  // Weights spread from 0.01 to 0.24: every threshold step prunes more of them.
  const w = Float32Array.from({ length: 24 }, (_, i) => 0.01 * (i + 1));
  const run = (freeze: boolean) => {
    const t = make(freeze);
    const kept: number[] = [];
    for (let e = 1; e <= 8; e++) {
      t.epochEnd(e, [w], 1 / e);
      kept.push(t.state[0].map.reduce((a, b) => a + b, 0));
    }
    return kept;
  };
  const free = run(false);
  const frozen = run(true);
  assert.deepEqual(frozen.slice(0, 4), free.slice(0, 4), 'identical up to clusterPruneStart');
  assert.ok(frozen.slice(4).every((k) => k === frozen[3]), `frozen after epoch 4: ${frozen}`);
  assert.ok(free[7] < free[3], `without freezing, pruning goes on: ${free}`);
});
