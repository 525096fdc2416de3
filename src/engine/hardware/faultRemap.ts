/**
 * Fault-aware remapping for one chip: its stuck cells are known (drawn from
 * the chip's seed, program.ts `stuckCells`: the same cells programming hits),
 * so each crossbar's inputs are permuted among its word lines and its outputs
 * among its bit lines to put the stuck cells where they spoil the least:
 * stuck-off cells under zero or small weights, stuck-on cells under large
 * weights of their array's sign. The lines a crossbar holds, and so the
 * crossbar count, never change (no spare lines: a crossbar's unused lines stay
 * unused).
 *
 * Error of a weight w on a cell, in units of the slice's weight per ΔG
 * (summed over the slices and both arrays of the pair), with φ the level
 * the slice programs for |w| (0…1):
 *   stuck at G_on:  1 − φ on w's own side (w ≠ 0), 1 elsewhere;
 *   stuck at G_off: φ on w's own side, 0 elsewhere.
 * Word lines are assigned with the bit lines fixed, then the bit lines with
 * the word lines fixed, each an exact assignment (Hungarian method, O(n³));
 * the new order is kept only where it lowers the crossbar's total error.
 */
import type { Crossbar } from '../format/mapping';
import type { Device } from './device';
import { crossbarRng, slicing, stuckCells, synapseOwners, STUCK_OFF, STUCK_ON, type Owned } from './program';

export interface RemapStats {
  crossbars: number;
  /** Crossbars whose order changed, and the summed fault error before and after (see the file comment). */
  remapped: number;
  errorBefore: number;
  errorAfter: number;
}

/** The cost of moving a line (ties keep the mapping's order); errors are multiples of a slice's unit, far above it. */
const MOVE = 1e-9;

/** Minimum-cost assignment of rows to columns of a square cost matrix (row-major n×n): `assign[row] = column`. */
export function hungarian(cost: Float64Array, n: number): Int32Array {
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(INF);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const assign = new Int32Array(n);
  for (let j = 1; j <= n; j++) if (p[j]) assign[p[j] - 1] = j - 1;
  return assign;
}

/** Per slice, the level φ (0…1) a weight programs, as programCrossbar quantises it. */
function levelsOf(w: number, wmax: number, dev: Device): Float64Array {
  const { slices, levels } = slicing(dev);
  const out = new Float64Array(slices);
  if (wmax === 0 || w === 0) return out;
  const a = Math.abs(w) / wmax;
  if (!dev.weightBits) {
    out[0] = a;
    return out;
  }
  let q = Math.round(a * (2 ** dev.weightBits - 1));
  for (let s = 0; s < slices && q > 0; s++) {
    const d = q % (levels + 1);
    q = (q - d) / (levels + 1);
    out[s] = d / levels;
  }
  return out;
}

/** The error a weight (its levels and sign) takes from the faults of one cell (every array at that position). */
function cellError(phi: Float64Array, positive: boolean, nonzero: boolean, faults: Int8Array, at: number, cells: number, sliceUnit: Float64Array): number {
  let e = 0;
  for (let s = 0; s < phi.length; s++)
    for (let side = 0; side < 2; side++) {
      const f = faults[(2 * s + side) * cells + at];
      if (!f) continue;
      const own = nonzero && (side === 0) === positive;
      if (f === STUCK_ON) e += sliceUnit[s] * (own ? 1 - phi[s] : 1);
      else if (f === STUCK_OFF && own) e += sliceUnit[s] * phi[s];
    }
  return e;
}

/** Remap one crossbar for its faults; `faults` from stuckCells. Returns the new crossbar (or the same) and the errors. */
export function remapCrossbar(w: Float32Array, nin: number, xb: Crossbar, size: number, wmax: number, dev: Device, faults: Int8Array, owned?: Owned): { xb: Crossbar; before: number; after: number } {
  const a = xb.cols.length;
  const b = xb.rows.length;
  const cells = size * size;
  const { slices, digitBits } = slicing(dev);
  // Slice s counts 2^(digitBits·s) times the first: its errors weigh that much more.
  const sliceUnit = Float64Array.from({ length: slices }, (_, s) => 2 ** (digitBits * s));
  // A synapse another crossbar holds is G_off here, as a zero weight.
  const W = (i: number, j: number) => (owned && owned.owners[xb.rows[j] * nin + xb.cols[i]] !== owned.index ? 0 : w[xb.rows[j] * nin + xb.cols[i]]);
  const phi = Array.from({ length: a * b }, (_, k) => levelsOf(W(Math.floor(k / b), k % b), wmax, dev));
  // Physical cells with a fault, per word line: the only places an order can matter.
  const faulty: number[][] = Array.from({ length: a }, () => []);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++) {
      let any = false;
      for (let k = 0; k < 2 * slices && !any; k++) any = faults[k * cells + i * size + j] !== 0;
      if (any) faulty[i].push(j);
    }
  // rowAt[i]: the logical input on word line i; colAt[j]: the logical output on bit line j.
  const total = (rowAt: Int32Array, colAt: Int32Array) => {
    let e = 0;
    for (let i = 0; i < a; i++)
      for (const j of faulty[i]) {
        const wv = W(rowAt[i], colAt[j]);
        e += cellError(phi[rowAt[i] * b + colAt[j]], wv > 0, wv !== 0, faults, i * size + j, cells, sliceUnit);
      }
    return e;
  };
  const identity = (n: number) => Int32Array.from({ length: n }, (_, k) => k);
  let rowAt = identity(a);
  let colAt = identity(b);
  const before = total(rowAt, colAt);
  if (before === 0) return { xb, before, after: 0 };
  // Word lines with the bit lines fixed: cost of logical input c on word line i.
  const rowCost = new Float64Array(a * a);
  for (let c = 0; c < a; c++)
    for (let i = 0; i < a; i++) {
      let e = 0;
      for (const j of faulty[i]) {
        const wv = W(c, colAt[j]);
        e += cellError(phi[c * b + colAt[j]], wv > 0, wv !== 0, faults, i * size + j, cells, sliceUnit);
      }
      // A hair more for moving a line: among equal costs, lines stay where they are.
      rowCost[c * a + i] = e + (c === i ? 0 : MOVE);
    }
  const inputTo = hungarian(rowCost, a);
  rowAt = new Int32Array(a);
  for (let c = 0; c < a; c++) rowAt[inputTo[c]] = c;
  // Then the bit lines, with the word lines fixed: cost of logical output r on bit line j.
  const faultyCol: number[][] = Array.from({ length: b }, () => []);
  for (let i = 0; i < a; i++) for (const j of faulty[i]) faultyCol[j].push(i);
  const colCost = new Float64Array(b * b);
  for (let r = 0; r < b; r++)
    for (let j = 0; j < b; j++) {
      let e = 0;
      for (const i of faultyCol[j]) {
        const wv = W(rowAt[i], r);
        e += cellError(phi[rowAt[i] * b + r], wv > 0, wv !== 0, faults, i * size + j, cells, sliceUnit);
      }
      colCost[r * b + j] = e + (r === j ? 0 : MOVE);
    }
  const outputTo = hungarian(colCost, b);
  colAt = new Int32Array(b);
  for (let r = 0; r < b; r++) colAt[outputTo[r]] = r;
  const after = total(rowAt, colAt);
  if (!(after < before)) return { xb, before, after: before };
  return { xb: { ...xb, cols: Array.from(rowAt, (c) => xb.cols[c]), rows: Array.from(colAt, (r) => xb.rows[r]) }, before, after };
}

/** Remap every crossbar of a mapped network for chip `chipSeed`'s stuck cells (`weights[l]` [outputs × inputs], masked). */
export function remapNetwork(layers: readonly number[], weights: readonly Float32Array[], mapping: readonly Crossbar[][], size: number, dev: Device, chipSeed: number): { mapping: Crossbar[][]; stats: RemapStats } {
  const stats: RemapStats = { crossbars: 0, remapped: 0, errorBefore: 0, errorAfter: 0 };
  const out = mapping.map((xbs, l) => {
    const w = weights[l];
    let wmax = 0;
    for (const v of w) wmax = Math.max(wmax, Math.abs(v));
    const owners = synapseOwners(xbs, layers[l + 1], layers[l]);
    return xbs.map((xb, k) => {
      stats.crossbars++;
      const r = remapCrossbar(w, layers[l], xb, size, wmax, dev, stuckCells(dev, crossbarRng(chipSeed, l, k), size), { owners, index: k });
      stats.errorBefore += r.before;
      stats.errorAfter += r.after;
      if (r.xb !== xb) stats.remapped++;
      return r.xb;
    });
  });
  return { mapping: out, stats };
}
