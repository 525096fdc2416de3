import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { balancedCoCluster } from '../../src/engine/transform/cluster/balanced';
import { PackedCrossbars, packedMapping } from '../../src/engine/transform/mapping/packed';
import { TransformSchedule } from '../../src/engine/transform/schedule';
import { resolveTransform } from '../../src/engine/config/schema';
import { validateConfig } from '../../src/engine/config/validate';
import { Rng } from '../../src/engine/core/rng';
import type { BinaryMatrix } from '../../src/engine/core/sparse';
import { planted } from '../helpers/planted';

const plantedSquare = (blocks: number, side: number, density: number, noise: number, seed: number) => planted(blocks, side, side, density, noise, seed);

describe('balanced co-clustering', () => {
  test('partitions planted crossbar-sized blocks exactly', () => {
    const { m, rowBlock, colBlock } = plantedSquare(4, 16, 0.8, 0.03, 2);
    const clusters = balancedCoCluster(m, 16, 1);
    assert.equal(clusters.length, 4);
    for (const c of clusters) {
      assert.equal(c.outputs.length, 16);
      assert.equal(c.inputs.length, 16);
      const rb = new Set(Array.from(c.outputs, (o) => rowBlock[o]));
      assert.equal(rb.size, 1);
      assert.deepEqual([...new Set(Array.from(c.inputs, (i) => colBlock[i]))], [...rb]);
    }
  });

  test('every group fits a crossbar and every connected neuron is in exactly one group', () => {
    const rng = new Rng(3);
    const m: BinaryMatrix = { rows: 100, cols: 50, data: Uint8Array.from({ length: 5000 }, () => (rng.next() < 0.2 ? 1 : 0)) };
    const x = 16;
    const clusters = balancedCoCluster(m, x, 1);
    assert.equal(clusters.length, Math.max(Math.ceil(100 / x), Math.ceil(50 / x)));
    const seenR = new Int32Array(100);
    const seenC = new Int32Array(50);
    for (const c of clusters) {
      assert.ok(c.outputs.length <= x && c.inputs.length <= x);
      for (const r of c.outputs) seenR[r]++;
      for (const i of c.inputs) seenC[i]++;
    }
    assert.ok(seenR.every((v) => v === 1) && seenC.every((v) => v === 1));
  });
});

describe('leftovers on the clusters\' crossbars', () => {
  test('absorb: free inside, grows into spare rows or columns, refuses when full', () => {
    const cl = { outputs: Int32Array.from([0, 1]), inputs: Int32Array.from([0, 1, 2, 3]), quality: 1, valid: true };
    const p = new PackedCrossbars(8, 8, [cl], 4);
    assert.equal(p.absorb(1, 2), true); // inside the block
    assert.equal(p.absorb(5, 3), true); // column on the crossbar, row 5 added (2 → 3 rows)
    assert.equal(p.absorb(6, 0), true); // row 6 added (4 rows: full)
    assert.equal(p.absorb(7, 1), false); // no room for another row, column 7 of row 7 not held either
    assert.equal(p.absorb(5, 7), false); // row 5 is on it but its 4 columns are taken
    assert.deepEqual(p.bins[0].rows, [0, 1, 5, 6]);
  });

  test('fade ends inside the clusters: after clusterPruneStart the packed mapping needs no extra crossbar', () => {
    const { m } = plantedSquare(4, 16, 0.9, 0.2, 5);
    const rng = new Rng(9);
    const w = Float32Array.from(m.data, (v) => (v ? 0.05 + 0.1 * rng.next() : 0.001));
    const { config } = validateConfig({
      dataset: { name: 'synthetic', synthetic: { inputSize: 64, classes: 64 } },
      network: { layers: [64, 64] },
      training: { epochs: 10 },
      transform: { mode: 'trannsformer', crossbar: 16, clustering: 'balanced', partitions: 1, fadeUnclustered: true, clusterStart: 2, clusterPruneStart: 5, pruneRates: [0.01] },
    });
    const t = new TransformSchedule(resolveTransform(config!.transform, 10, 1), [64, 64], 1);
    const unclustered: number[] = [];
    for (let e = 1; e <= 6; e++) {
      t.epochEnd(e, [w], 1 / e);
      unclustered.push(t.state[0].unclusteredCurr);
    }
    const s = t.state[0];
    assert.equal(s.clusters.length, 4);
    assert.ok(unclustered[2] > unclustered[3] && unclustered[3] > unclustered[4], `fading: ${unclustered.map((u) => u.toFixed(3))}`);
    const mapping = packedMapping({ rows: 64, cols: 64, data: s.map }, s.clusters, 16);
    assert.equal(mapping.count, 4, 'one crossbar per block, leftovers absorbed');
    assert.equal(mapping.synapses, s.map.reduce((a, b) => a + b, 0));
  });
});
