/**
 * The IR-drop solver against a dense solve of the same nodal equations
 * (Gaussian elimination, small arrays), and its limits: ideal wires give the
 * cells back, currents fall with wire resistance and distance.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/engine/core/rng';
import { effectiveMatrix, type Wires } from '../../src/engine/hardware/irdrop';

/** Column currents for one input vector from the full 2·n·m nodal system, solved densely. */
export function denseCurrents(G: Float64Array, n: number, m: number, V: number[], w: Wires): number[] {
  const N = 2 * n * m;
  const A = Array.from({ length: N }, () => new Float64Array(N + 1));
  const r = (i: number, j: number) => i * m + j;
  const c = (i: number, j: number) => n * m + i * m + j;
  const link = (a: number, b: number, g: number) => {
    A[a][a] += g;
    A[b][b] += g;
    A[a][b] -= g;
    A[b][a] -= g;
  };
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      link(r(i, j), c(i, j), G[i * m + j]);
      if (j < m - 1) link(r(i, j), r(i, j + 1), 1 / w.wireRow_ohm);
      if (i < n - 1) link(c(i, j), c(i + 1, j), 1 / w.wireCol_ohm);
    }
  const gd = 1 / (w.driver_ohm + w.wireRow_ohm);
  const gs = 1 / (w.sense_ohm + w.wireCol_ohm);
  for (let i = 0; i < n; i++) {
    A[r(i, 0)][r(i, 0)] += gd;
    A[r(i, 0)][N] += gd * V[i];
  }
  for (let j = 0; j < m; j++) A[c(n - 1, j)][c(n - 1, j)] += gs;
  for (let p = 0; p < N; p++) {
    for (let q = p + 1; q < N; q++) {
      const f = A[q][p] / A[p][p];
      if (f !== 0) for (let k = p; k <= N; k++) A[q][k] -= f * A[p][k];
    }
  }
  const x = new Float64Array(N);
  for (let p = N - 1; p >= 0; p--) {
    let s = A[p][N];
    for (let k = p + 1; k < N; k++) s -= A[p][k] * x[k];
    x[p] = s / A[p][p];
  }
  return Array.from({ length: m }, (_, j) => gs * x[c(n - 1, j)]);
}

function randomArray(n: number, m: number, rng: Rng, gOn = 1e-4, gOff = 1e-6): Float64Array {
  return Float64Array.from({ length: n * m }, () => gOff + rng.next() * (gOn - gOff));
}

/** Currents from the effective matrix for input V. */
function currents(M: Float64Array, m: number, V: number[]): number[] {
  return Array.from({ length: m }, (_, j) => V.reduce((s, v, k) => s + v * M[k * m + j], 0));
}

test('the effective matrix reproduces a dense solve of the nodal equations', () => {
  const rng = new Rng(7);
  for (const [n, m, wires] of [
    [6, 5, { wireRow_ohm: 2.5, wireCol_ohm: 1.5, driver_ohm: 0, sense_ohm: 0 }],
    [8, 8, { wireRow_ohm: 10, wireCol_ohm: 20, driver_ohm: 100, sense_ohm: 50 }],
    [4, 9, { wireRow_ohm: 200, wireCol_ohm: 100, driver_ohm: 0, sense_ohm: 0 }],
  ] as [number, number, Wires][]) {
    const G = randomArray(n, m, rng);
    const M = effectiveMatrix(G, n, m, n, wires, { tolerance: 1e-13 });
    for (let t = 0; t < 3; t++) {
      const V = Array.from({ length: n }, () => rng.next());
      const want = denseCurrents(G, n, m, V, wires);
      const got = currents(M, m, V);
      for (let j = 0; j < m; j++) assert.ok(Math.abs(got[j] - want[j]) <= 1e-9 * Math.abs(want[j]), `${n}×${m} column ${j}: ${got[j]} vs ${want[j]}`);
    }
  }
});

test('strong coupling (r·G·n² ≫ 1, where the solver over-relaxes) still matches the dense solve', () => {
  const rng = new Rng(9);
  const n = 24;
  const G = randomArray(n, n, rng, 2e-3, 1e-4);
  const wires: Wires = { wireRow_ohm: 20, wireCol_ohm: 30, driver_ohm: 0, sense_ohm: 0 };
  const stats = { sweeps: 0, residual: 0 };
  const M = effectiveMatrix(G, n, n, n, wires, { tolerance: 1e-13 }, stats);
  assert.ok(stats.sweeps > 5, `a hard case (${stats.sweeps} sweeps)`);
  const V = Array.from({ length: n }, () => rng.next());
  const want = denseCurrents(G, n, n, V, wires);
  const got = currents(M, n, V);
  for (let j = 0; j < n; j++) assert.ok(Math.abs(got[j] - want[j]) <= 1e-9 * Math.abs(want[j]), `column ${j}: ${got[j]} vs ${want[j]}`);
});

test('chunks of right-hand sides give the same matrix as one chunk', () => {
  const rng = new Rng(3);
  const G = randomArray(16, 16, rng);
  const w: Wires = { wireRow_ohm: 5, wireCol_ohm: 5, driver_ohm: 0, sense_ohm: 0 };
  const one = effectiveMatrix(G, 16, 16, 12, w, { tolerance: 1e-13 });
  const chunked = effectiveMatrix(G, 16, 16, 12, w, { tolerance: 1e-13, chunkCells: 16 * 16 * 5 });
  for (let q = 0; q < one.length; q++) assert.ok(Math.abs(one[q] - chunked[q]) <= 1e-11 * Math.abs(one[q]));
});

test('ideal wires give the cells back; resistance lowers the currents, most far from driver and sense', () => {
  const n = 32;
  const G = new Float64Array(n * n).fill(1e-4);
  const ideal = effectiveMatrix(G, n, n, n, { wireRow_ohm: 0, wireCol_ohm: 0, driver_ohm: 0, sense_ohm: 0 });
  assert.deepEqual(Array.from(ideal), Array.from(G));
  const M = effectiveMatrix(G, n, n, n, { wireRow_ohm: 2, wireCol_ohm: 2, driver_ohm: 0, sense_ohm: 0 });
  for (const v of M) assert.ok(v < 1e-4 && v > 0);
  // Row 0 is farthest from the sense end; column n−1 farthest from the driver.
  assert.ok(M[0 * n + (n - 1)] < M[(n - 1) * n + 0], 'the far corner loses the most');
});

test('a solve that cannot converge says so instead of returning a wrong matrix', () => {
  const G = new Float64Array(64 * 64).fill(1e-2);
  assert.throws(() => effectiveMatrix(G, 64, 64, 64, { wireRow_ohm: 50, wireCol_ohm: 50, driver_ohm: 0, sense_ohm: 0 }, { maxSweeps: 3 }), /did not converge in 3 sweeps/);
});

test('fewer used rows than the array has, over several chunks: each used row still matches the dense solve', () => {
  const rng = new Rng(13);
  const [n, m, used] = [10, 7, 6];
  const G = randomArray(n, m, rng);
  const wires: Wires = { wireRow_ohm: 8, wireCol_ohm: 12, driver_ohm: 30, sense_ohm: 20 };
  for (const chunkCells of [undefined, n * m * 4, n * m]) {
    const M = effectiveMatrix(G, n, m, used, wires, { tolerance: 1e-13, ...(chunkCells ? { chunkCells } : {}) });
    assert.equal(M.length, used * m);
    for (let k = 0; k < used; k++) {
      const want = denseCurrents(G, n, m, Array.from({ length: n }, (_, i) => (i === k ? 1 : 0)), wires);
      for (let j = 0; j < m; j++) assert.ok(Math.abs(M[k * m + j] - want[j]) <= 1e-9 * Math.abs(want[j]), `chunk ${chunkCells} row ${k} column ${j}: ${M[k * m + j]} vs ${want[j]}`);
    }
  }
});

test('a loose tolerance stops early but never on a wrong first sweep: currents within it of the dense solve', () => {
  const rng = new Rng(13);
  const n = 16;
  const G = randomArray(n, n, rng);
  const wires: Wires = { wireRow_ohm: 1, wireCol_ohm: 1, driver_ohm: 0, sense_ohm: 0 };
  const M = effectiveMatrix(G, n, n, n, wires, { tolerance: 1e-3 });
  for (let k = 0; k < n; k++) {
    const want = denseCurrents(G, n, n, Array.from({ length: n }, (_, i) => (i === k ? 1 : 0)), wires);
    for (let j = 0; j < n; j++) assert.ok(Math.abs(M[k * n + j] - want[j]) <= 1e-3 * Math.abs(want[j]), `row ${k} column ${j}: ${M[k * n + j]} vs ${want[j]}`);
  }
});
