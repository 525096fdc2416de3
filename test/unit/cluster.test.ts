import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { scic, peel, clusterMap, fitsCrossbar } from '../../src/engine/transform/cluster/scic';
import { spectralEmbedding } from '../../src/engine/transform/cluster/spectral';
import { scaledSpmm, symmetricEigen, transposeCsr } from '../../src/engine/transform/cluster/linalg';
import { sparseBlock, type BinaryMatrix } from '../../src/engine/core/sparse';
import { Rng } from '../../src/engine/core/rng';
import { planted } from '../helpers/planted';

describe('SCIC', () => {
  test('recovers planted blocks under permutation and noise, exactly', () => {
    const { m, rowBlock, colBlock } = planted(6, 20, 30, 0.9, 0.02, 5);
    const clusters = scic(m, 64, { k: 5, quality: 0.7, seed: 1, sizeRule: 'sum' });
    assert.equal(clusters.length, 6);
    const found = new Set<number>();
    for (const c of clusters) {
      const rb = new Set(Array.from(c.outputs, (o) => rowBlock[o]));
      const cb = new Set(Array.from(c.inputs, (i) => colBlock[i]));
      assert.equal(rb.size, 1, 'all outputs from one planted block');
      assert.deepEqual([...cb], [...rb], 'inputs from the same planted block');
      assert.equal(c.outputs.length, 20);
      assert.equal(c.inputs.length, 30);
      assert.ok(c.quality > 0.8);
      found.add([...rb][0]);
    }
    assert.equal(found.size, 6);
  });

  test('more planted blocks than k: clusters stay inside single blocks and cover most of them', () => {
    const { m, rowBlock, colBlock } = planted(12, 15, 20, 0.9, 0.01, 21);
    const clusters = scic(m, 64, { k: 5, quality: 0.7, seed: 1 });
    assert.ok(clusters.length >= 12);
    let inBlockClustered = 0;
    for (const c of clusters) {
      const rb = new Set(Array.from(c.outputs, (o) => rowBlock[o]));
      const cb = new Set(Array.from(c.inputs, (i) => colBlock[i]));
      assert.equal(rb.size, 1, 'outputs from one planted block');
      assert.deepEqual([...cb], [...rb], 'inputs from the same block');
      for (const r of c.outputs) for (const i of c.inputs) inBlockClustered += m.data[r * m.cols + i];
    }
    let inBlock = 0;
    for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) if (rowBlock[r] === colBlock[c]) inBlock += m.data[r * m.cols + c];
    assert.ok(inBlockClustered / inBlock > 0.8, `${((100 * inBlockClustered) / inBlock).toFixed(0)}% of in-block synapses clustered`);
  });

  test('is deterministic for a seed', () => {
    const { m } = planted(4, 15, 15, 0.85, 0.03, 8);
    const a = scic(m, 32, { k: 5, quality: 0.7, seed: 3 });
    const b = scic(m, 32, { k: 5, quality: 0.7, seed: 3 });
    assert.deepEqual(a, b);
  });

  for (const rule of ['sum', 'fit'] as const)
    test(`every splittable cluster meets the size rule "${rule}"`, () => {
      const { m } = planted(3, 60, 50, 0.8, 0.01, 11);
      const x = 16;
      const clusters = scic(m, x, { k: 5, quality: 0.6, seed: 2, sizeRule: rule });
      assert.ok(clusters.length >= 3);
      for (const c of clusters) assert.ok(c.unsplittable || fitsCrossbar(c, x, rule), `${c.outputs.length}×${c.inputs.length} breaks ${rule} at x=${x}`);
      // Every cluster is a block of real connections above the bar (blocks of later passes may
      // share cells an earlier pass took, as in the reference).
      for (const c of clusters) {
        let n = 0;
        for (const r of c.outputs) for (const i of c.inputs) n += m.data[r * m.cols + i];
        assert.ok(n / (c.outputs.length * c.inputs.length) >= c.quality - 1e-12 && c.quality > 0.6);
      }
      assert.ok(clusterMap(m.rows, m.cols, clusters).reduce((a, b) => a + b, 0) > 0.6 * 3 * 60 * 50 * 0.8);
    });

  test('isolated neurons never shift indices (the reference defect)', () => {
    // One 4×5 block on rows {3,4,5,6} × cols {10..14} in a 12×20 matrix; every other neuron isolated.
    const m: BinaryMatrix = { rows: 12, cols: 20, data: new Uint8Array(240) };
    for (let r = 3; r <= 6; r++) for (let c = 10; c <= 14; c++) m.data[r * 20 + c] = 1;
    const s = sparseBlock(m);
    assert.deepEqual(Array.from(s.rowIds), [3, 4, 5, 6]);
    assert.deepEqual(Array.from(s.colIds), [10, 11, 12, 13, 14]);
    const clusters = scic(m, 8, { k: 5, quality: 0.7, seed: 1 });
    assert.equal(clusters.length, 1);
    assert.deepEqual(Array.from(clusters[0].outputs), [3, 4, 5, 6]);
    assert.deepEqual(Array.from(clusters[0].inputs), [10, 11, 12, 13, 14]);
    assert.equal(clusters[0].quality, 1);
  });

  test('two blocks with isolated neurons between them keep their own neurons', () => {
    const m: BinaryMatrix = { rows: 30, cols: 30, data: new Uint8Array(900) };
    const A = { rows: [0, 2, 4, 6, 8], cols: [1, 3, 5, 7, 9, 11] };
    const B = { rows: [20, 23, 26, 29], cols: [15, 18, 21, 24, 27] };
    for (const b of [A, B]) for (const r of b.rows) for (const c of b.cols) m.data[r * 30 + c] = 1;
    const clusters = scic(m, 16, { k: 3, quality: 0.7, seed: 4 });
    const asSets = clusters.map((c) => ({ rows: Array.from(c.outputs), cols: Array.from(c.inputs) })).sort((a, b) => a.rows[0] - b.rows[0]);
    assert.deepEqual(asSets, [A, B]);
  });

  test('quality bar: a uniformly sparse matrix yields no cluster', () => {
    const rng = new Rng(1);
    const m: BinaryMatrix = { rows: 80, cols: 80, data: Uint8Array.from({ length: 6400 }, () => (rng.next() < 0.1 ? 1 : 0)) };
    assert.deepEqual(scic(m, 64, { k: 5, quality: 0.7, seed: 1 }), []);
  });

  test('stray trimming removes weakly attached neurons, keeps a merged pair whole', () => {
    // 6×6 dense block plus one stray row and one stray column with a single link each.
    const m: BinaryMatrix = { rows: 7, cols: 7, data: new Uint8Array(49) };
    for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) m.data[r * 7 + c] = 1;
    m.data[6 * 7 + 0] = 1;
    m.data[0 * 7 + 6] = 1;
    const b = peel(m, [0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5, 6], 0.7);
    assert.deepEqual(b.outputs, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(b.inputs, [0, 1, 2, 3, 4, 5]);
    assert.equal(b.quality, 1);
  });
});

describe('spectral linear algebra', () => {
  test('one scaled sparse kernel gives A·x and, on the transpose, Aᵀ·y (checked against dense products)', () => {
    const m = planted(3, 5, 7, 0.8, 0.2, 3).m;
    const s = sparseBlock(m);
    const [nr, nc, b] = [s.rowIds.length, s.colIds.length, 3];
    const rng = new Rng(2);
    const rowScale = Float64Array.from({ length: nr }, () => 0.5 + rng.next());
    const colScale = Float64Array.from({ length: nc }, () => 0.5 + rng.next());
    const dense = (i: number, j: number) => m.data[s.rowIds[i] * m.cols + s.colIds[j]] * rowScale[i] * colScale[j];
    const x = Float64Array.from({ length: nc * b }, () => rng.next() - 0.5);
    const y = new Float64Array(nr * b);
    const C = { ptr: s.rowPtr, idx: s.colIdx };
    scaledSpmm(C, colScale, rowScale, x, y, b);
    for (let k = 0; k < b; k++)
      for (let i = 0; i < nr; i++) {
        let want = 0;
        for (let j = 0; j < nc; j++) want += dense(i, j) * x[k * nc + j];
        assert.ok(Math.abs(y[k * nr + i] - want) < 1e-12);
      }
    const back = new Float64Array(nc * b);
    scaledSpmm(transposeCsr(C, nc), rowScale, colScale, y, back, b);
    for (let k = 0; k < b; k++)
      for (let j = 0; j < nc; j++) {
        let want = 0;
        for (let i = 0; i < nr; i++) want += dense(i, j) * y[k * nr + i];
        assert.ok(Math.abs(back[k * nc + j] - want) < 1e-12);
      }
  });

  test('Jacobi eigen-decomposition of a known symmetric matrix', () => {
    // [[2,1],[1,2]]: eigenvalues 3 and 1, eigenvectors (1,1)/√2 and (1,−1)/√2.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1] - 1) < 1e-12);
    assert.ok(Math.abs(Math.abs(vectors[0]) - Math.SQRT1_2) < 1e-9 && Math.abs(vectors[0] - vectors[1]) < 1e-9);
  });

  test('embedding separates two disconnected blocks', () => {
    const m: BinaryMatrix = { rows: 10, cols: 10, data: new Uint8Array(100) };
    for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) m.data[r * 10 + c] = 1;
    for (let r = 5; r < 10; r++) for (let c = 5; c < 10; c++) m.data[r * 10 + c] = 1;
    const s = sparseBlock(m);
    const e = spectralEmbedding(s, 2, new Rng(1));
    // Rows of the same block share coordinates; different blocks differ.
    const row = (i: number) => [e.rows[i * 2], e.rows[i * 2 + 1]];
    const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
    assert.ok(dist(row(0), row(4)) < 1e-6);
    assert.ok(dist(row(0), row(7)) > 1e-2);
  });
});
