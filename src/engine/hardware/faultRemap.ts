/**
 * Fault-aware remapping for one chip: its stuck cells are known (drawn from
 * the chip's seed, program.ts `stuckCells`: the same cells programming hits),
 * so each crossbar's inputs are permuted among its word lines and its outputs
 * among its bit lines to put the stuck cells where they spoil the least:
 * stuck-off cells under zero or small weights, stuck-on cells under large
 * weights of their array's sign. Every line of the physical array is a
 * place a line may go: those the crossbar uses, those of the size×size core
 * it leaves free, and S spare word and bit lines (`spares`: the array is
 * (size + S)², the spares hold G_off until a line moves onto one). The
 * inputs and outputs a crossbar holds, and so the crossbar count, never
 * change; where they sit is returned as `PhysicalLines` when it is not lines
 * 0, 1, … in the new order.
 *
 * Error of a weight w on a cell, in units of the slice's weight per ΔG
 * (summed over the slices and both arrays of the pair), with φ the level
 * the slice programs for |w| (0…1):
 *   stuck at G_on:  1 − φ on w's own side (w ≠ 0), 1 elsewhere;
 *   stuck at G_off: φ on w's own side, 0 elsewhere.
 * Word lines are assigned with the bit lines fixed, then the bit lines with
 * the word lines fixed, each an exact assignment of the crossbar's lines to
 * the array's size + S lines (Hungarian method on a square matrix padded with
 * empty lines that cost nothing anywhere, O((size + S)³));
 * the new order is kept only where it lowers the crossbar's total error.
 */
import type { Crossbar } from '../format/mapping';
import type { Device } from './device';
import { crossbarRng, linesOf, slicing, stuckCells, synapseOwners, STUCK_OFF, STUCK_ON, type Owned, type PhysicalLines } from './program';

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

/** What remapping made of one crossbar: the crossbar (its lines in physical order), where they sit (undefined: lines 0, 1, …), and its fault error before and after. */
export interface RemappedCrossbar {
  xb: Crossbar;
  lines?: PhysicalLines;
  before: number;
  after: number;
}

export interface RemapOptions {
  /** Spare word and bit lines: the array side is size + spares (default 0). */
  spares?: number;
  /** Where the crossbar's lines sit before remapping (default: lines 0, 1, … in the mapping's order). */
  from?: PhysicalLines;
}

/**
 * Remap one crossbar for its faults (`faults` in stuckCells' layout, side =
 * size + spares). Every physical line of the array is a slot: the lines the
 * crossbar uses, the lines of the core it leaves free and the spares; a line
 * no input (output) sits on carries no current that is read, so its stuck
 * cells cost nothing. Returns the crossbar with its lines in physical order.
 */
export function remapCrossbar(w: Float32Array, nin: number, xb: Crossbar, size: number, wmax: number, dev: Device, faults: Int8Array, owned?: Owned, opts: RemapOptions = {}): RemappedCrossbar {
  const a = xb.cols.length;
  const b = xb.rows.length;
  const side = size + (opts.spares ?? 0);
  const cells = side * side;
  const { slices, digitBits } = slicing(dev);
  if (faults.length !== 2 * slices * cells) throw new Error(`a stuck-cell map of ${faults.length} cells for ${2 * slices} arrays of ${side}×${side}`);
  const start = linesOf(xb, side, opts.from);
  // Slice s counts 2^(digitBits·s) times the first: its errors weigh that much more.
  const sliceUnit = Float64Array.from({ length: slices }, (_, s) => 2 ** (digitBits * s));
  // A synapse another crossbar holds is G_off here, as a zero weight.
  const W = (i: number, j: number) => (owned && owned.owners[xb.rows[j] * nin + xb.cols[i]] !== owned.index ? 0 : w[xb.rows[j] * nin + xb.cols[i]]);
  const phi = Array.from({ length: a * b }, (_, k) => levelsOf(W(Math.floor(k / b), k % b), wmax, dev));
  // Physical cells with a fault, per word line: the only places an order can matter.
  const faulty: number[][] = Array.from({ length: side }, () => []);
  for (let i = 0; i < side; i++)
    for (let j = 0; j < side; j++) {
      let any = false;
      for (let k = 0; k < 2 * slices && !any; k++) any = faults[k * cells + i * side + j] !== 0;
      if (any) faulty[i].push(j);
    }
  // rowAt[i]: the logical input on word line i, colAt[j]: the logical output on bit line j (−1: none).
  const err = (c: number, r: number, i: number, j: number) => {
    const wv = W(c, r);
    return cellError(phi[c * b + r], wv > 0, wv !== 0, faults, i * side + j, cells, sliceUnit);
  };
  const total = (rowAt: Int32Array, colAt: Int32Array) => {
    let e = 0;
    for (let i = 0; i < side; i++) if (rowAt[i] >= 0) for (const j of faulty[i]) if (colAt[j] >= 0) e += err(rowAt[i], colAt[j], i, j);
    return e;
  };
  const at = (n: number, pos: Int32Array) => {
    const o = new Int32Array(side).fill(-1);
    for (let k = 0; k < n; k++) o[pos[k]] = k;
    return o;
  };
  let rowAt = at(a, start.wordLines);
  let colAt = at(b, start.bitLines);
  const before = total(rowAt, colAt);
  if (before === 0) return { xb, ...(opts.from ? { lines: opts.from } : {}), before, after: 0 };
  // Word lines with the bit lines fixed: cost of logical input c (c ≥ a: no input) on word line i.
  const rowCost = new Float64Array(side * side);
  for (let c = 0; c < a; c++)
    for (let i = 0; i < side; i++) {
      let e = 0;
      for (const j of faulty[i]) if (colAt[j] >= 0) e += err(c, colAt[j], i, j);
      // A hair more for moving a line: among equal costs, lines stay where they are.
      rowCost[c * side + i] = e + (start.wordLines[c] === i ? 0 : MOVE);
    }
  const inputTo = hungarian(rowCost, side);
  rowAt = new Int32Array(side).fill(-1);
  for (let c = 0; c < a; c++) rowAt[inputTo[c]] = c;
  // Then the bit lines, with the word lines fixed: cost of logical output r (r ≥ b: none) on bit line j.
  const faultyCol: number[][] = Array.from({ length: side }, () => []);
  for (let i = 0; i < side; i++) for (const j of faulty[i]) faultyCol[j].push(i);
  const colCost = new Float64Array(side * side);
  for (let r = 0; r < b; r++)
    for (let j = 0; j < side; j++) {
      let e = 0;
      for (const i of faultyCol[j]) if (rowAt[i] >= 0) e += err(rowAt[i], r, i, j);
      colCost[r * side + j] = e + (start.bitLines[r] === j ? 0 : MOVE);
    }
  const outputTo = hungarian(colCost, side);
  colAt = new Int32Array(side).fill(-1);
  for (let r = 0; r < b; r++) colAt[outputTo[r]] = r;
  const after = total(rowAt, colAt);
  if (!(after < before)) return { xb, ...(opts.from ? { lines: opts.from } : {}), before, after: before };
  // The crossbar's lines in physical order; where they sit, unless that is 0, 1, … (a plain reordering).
  const wordLines: number[] = [];
  const cols: number[] = [];
  rowAt.forEach((c, i) => c >= 0 && (cols.push(xb.cols[c]), wordLines.push(i)));
  const bitLines: number[] = [];
  const rows: number[] = [];
  colAt.forEach((r, j) => r >= 0 && (rows.push(xb.rows[r]), bitLines.push(j)));
  const packed = wordLines.every((x, k) => x === k) && bitLines.every((x, k) => x === k);
  return { xb: { ...xb, cols, rows }, ...(packed ? {} : { lines: { wordLines, bitLines } }), before, after };
}

export interface RemapNetworkOptions {
  /** Spare word and bit lines per crossbar (default 0). */
  spares?: number;
  /** Measured stuck cells of a crossbar (stuckMap.ts), instead of the chip's drawn ones; undefined: drawn. */
  faults?: (layer: number, index: number) => Int8Array | undefined;
  /** Where each crossbar's lines sit before remapping (a remapped network's `lines`). */
  lines?: readonly (readonly (PhysicalLines | undefined)[])[];
}

/**
 * Remap every crossbar of a mapped network for chip `chipSeed`'s stuck cells
 * (`weights[l]` [outputs × inputs], masked). `lines[l][k]`: where crossbar k
 * of layer l now sits (buildChip's `lines`), undefined where it fills lines
 * 0, 1, … in the returned mapping's order.
 */
export function remapNetwork(
  layers: readonly number[],
  weights: readonly Float32Array[],
  mapping: readonly Crossbar[][],
  size: number,
  dev: Device,
  chipSeed: number,
  opts: RemapNetworkOptions = {},
): { mapping: Crossbar[][]; lines: (PhysicalLines | undefined)[][]; stats: RemapStats } {
  const stats: RemapStats = { crossbars: 0, remapped: 0, errorBefore: 0, errorAfter: 0 };
  const spares = opts.spares ?? 0;
  const lines: (PhysicalLines | undefined)[][] = [];
  const out = mapping.map((xbs, l) => {
    const w = weights[l];
    let wmax = 0;
    for (const v of w) wmax = Math.max(wmax, Math.abs(v));
    const owners = synapseOwners(xbs, layers[l + 1], layers[l]);
    lines.push([]);
    return xbs.map((xb, k) => {
      stats.crossbars++;
      const faults = opts.faults?.(l, k) ?? stuckCells(dev, crossbarRng(chipSeed, l, k), size, spares);
      const from = opts.lines?.[l]?.[k];
      const r = remapCrossbar(w, layers[l], xb, size, wmax, dev, faults, { owners, index: k }, { spares, ...(from ? { from } : {}) });
      stats.errorBefore += r.before;
      stats.errorAfter += r.after;
      if (r.xb !== xb) stats.remapped++;
      lines[l].push(r.lines);
      return r.xb;
    });
  });
  return { mapping: out, lines, stats };
}
