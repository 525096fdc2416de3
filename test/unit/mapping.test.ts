import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { compactMapping, denseMapping, paperMapping } from '../../src/engine/transform/mapping/schemes';
import { packedMapping } from '../../src/engine/transform/mapping/packed';
import { mapLayers } from '../../src/engine/transform/mapping/network';
import type { Cluster } from '../../src/engine/transform/cluster/scic';
import type { BinaryMatrix } from '../../src/engine/core/sparse';

function matrix(rows: number, cols: number, ones: [number, number][]): BinaryMatrix {
  const data = new Uint8Array(rows * cols);
  for (const [r, c] of ones) data[r * cols + c] = 1;
  return { rows, cols, data };
}

const cluster = (outputs: number[], inputs: number[]): Cluster => ({ outputs: Int32Array.from(outputs), inputs: Int32Array.from(inputs), quality: 1, valid: true });

function block(m: BinaryMatrix, rows: number[], cols: number[]): void {
  for (const r of rows) for (const c of cols) m.data[r * m.cols + c] = 1;
}

describe('mPE counts by hand', () => {
  test('dense: ceil(in/x)·ceil(out/x) for any size', () => {
    assert.equal(denseMapping(1200, 784, 64).count, 19 * 13);
    assert.equal(denseMapping(10, 1200, 64).count, 19);
    assert.equal(denseMapping(1200, 1200, 64).count, 361);
    const d = denseMapping(5, 7, 4);
    assert.equal(d.count, 4);
    assert.equal(d.synapses, 35);
    assert.deepEqual(d.crossbars[3].rows, [4]);
    assert.deepEqual(d.crossbars[3].cols, [4, 5, 6]);
  });

  test('compaction drops empty rows and columns; skip-empty drops empty tiles', () => {
    // 8×8 with synapses in rows {0, 7} and cols {0, 1, 6, 7} only; at x=2 compaction leaves 2 rows × 4 cols.
    const m = matrix(8, 8, [
      [0, 0],
      [0, 1],
      [7, 6],
      [7, 7],
    ]);
    const c = compactMapping(m, 2);
    assert.equal(c.count, 2); // rows {0,7} one chunk, cols {0,1} and {6,7} two chunks
    assert.deepEqual(c.crossbars.map((x) => [x.rows, x.cols]), [
      [[0, 7], [0, 1]],
      [[0, 7], [6, 7]],
    ]);
    assert.equal(c.synapses, 4);
    assert.equal(c.utilisation, 4 / 8);
    // at x=1: 2×4 = 8 tiles, only 4 hold a synapse
    assert.equal(compactMapping(m, 1).count, 8);
    assert.equal(compactMapping(m, 1, true).count, 4);
  });

  test('paper mapping: each cluster tiled on its own crossbars, leftovers by greedy windows', () => {
    const m = matrix(8, 8, []);
    block(m, [0, 1, 2], [0, 1, 2, 3, 4]); // 3×5 cluster → at x=4: ceil(5/4)·ceil(3/4) = 2 crossbars
    block(m, [6, 7], [6, 7]); // 2×2 cluster → 1
    m.data[4 * 8 + 1] = 1; // leftovers: (4,1) and (5,2) fall in one window at (4,1); (7,0) needs another
    m.data[5 * 8 + 2] = 1;
    m.data[7 * 8 + 0] = 1;
    const clusters = [cluster([0, 1, 2], [0, 1, 2, 3, 4]), cluster([6, 7], [6, 7])];
    const p = paperMapping(m, clusters, 4);
    assert.equal(p.count, 2 + 1 + 2);
    assert.deepEqual(p.crossbars.map((c) => c.kind), ['cluster', 'cluster', 'cluster', 'leftover', 'leftover']);
    assert.deepEqual(p.crossbars[3].rows, [4, 5, 6, 7]);
    assert.deepEqual(p.crossbars[3].cols, [1, 2, 3, 4]);
    assert.equal(p.crossbars[3].synapses, 2);
    assert.equal(p.synapses, 15 + 4 + 3);
    // invalid clusters are ignored: their synapses become leftovers
    const q = paperMapping(m, [{ ...clusters[0], valid: false }, clusters[1]], 4);
    assert.equal(q.crossbars.filter((c) => c.kind === 'cluster').length, 1);
  });

  test('packed mapping shares crossbars when row and column unions fit', () => {
    const m = matrix(16, 16, []);
    const cs = [
      [[0, 1], [0, 1, 2]],
      [[2, 3], [3, 4, 5]],
      [[4, 5, 6], [6, 7]],
      [[8, 9, 10, 11, 12, 13, 14, 15], [8, 9, 10, 11, 12, 13, 14, 15]],
    ] as const;
    for (const [r, c] of cs) block(m, [...r], [...c]);
    const clusters = cs.map(([r, c]) => cluster([...r], [...c]));
    // x = 8: the three small clusters together use rows 0–6 and cols 0–7 → one crossbar; the 8×8 one another.
    const p = packedMapping(m, clusters, 8);
    assert.equal(p.count, 2);
    assert.equal(p.taken, 'packed');
    assert.equal(p.synapses, 6 + 6 + 6 + 64);
    assert.equal(paperMapping(m, clusters, 8).count, 4);
  });

  test('packed leftovers go into free rows and columns of placed crossbars', () => {
    const m = matrix(8, 8, []);
    block(m, [0, 1], [0, 1]);
    m.data[5 * 8 + 6] = 1; // a stray synapse: fits in the cluster's crossbar (rows 0,1,5 × cols 0,1,6 ≤ 4)
    const p = packedMapping(m, [cluster([0, 1], [0, 1])], 4);
    assert.equal(p.count, 1);
    assert.equal(p.synapses, 5);
    assert.deepEqual(p.crossbars[0].rows, [0, 1, 5]);
    assert.deepEqual(p.crossbars[0].cols, [0, 1, 6]);
  });

  test('packed is never worse than compact-skip of the same matrix, and says which was taken', () => {
    // Many 1×1 "clusters" spread over a dense 4×4 region: compaction wins.
    const m = matrix(4, 4, []);
    const clusters: Cluster[] = [];
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 4; c++) {
        m.data[r * 4 + c] = 1;
        clusters.push(cluster([r], [c]));
      }
    const p = packedMapping(m, clusters, 4);
    assert.equal(p.count, 1);
    assert.ok(p.count <= compactMapping(m, 4, true).count);
  });

  test('mapLayers sums layers and reports utilisation', () => {
    const a = matrix(4, 4, [[0, 0]]);
    const b = matrix(2, 4, [
      [1, 3],
      [0, 0],
    ]);
    const n = mapLayers('compact', [
      { rows: 4, cols: 4, map: a.data, clusters: [] },
      { rows: 2, cols: 4, map: b.data, clusters: [] },
    ], 2);
    // a: one synapse → one 2×2 tile; b: rows {0,1} × cols {0,3} compact into one tile
    assert.deepEqual(n.perLayer, [1, 1]);
    assert.equal(n.total, 2);
    assert.equal(n.synapses, 3);
    assert.equal(n.utilisation, 3 / 8);
  });
});
