/**
 * IR-aware placement: inside each crossbar, which word line carries which
 * input and which bit line which output. A word line is driven from its left
 * end and a bit line sensed at its bottom, so a cell's current crosses more
 * wire the further it sits from both: the inputs drawing the most current go
 * on the word lines nearest the sense end, the outputs collecting the most on
 * the bit lines nearest the drivers (Bhattacharjee et al., DATE 2022's column
 * rearrangement, applied to rows too).
 *
 * Judged on the crossbar's nominal conductances (programmed without
 * variation, faults or drift: placement is decided at design time, for every
 * chip alike): the IR-drop error of a crossbar is
 *   Σ_ij |W_eff − W_ideal| ÷ Σ_ij |W_ideal|
 * over its used cells, W the weight the differential pairs of every slice
 * stand for (weight units), effective under IR drop or ideal (no wires).
 * The heuristic order is kept only where it lowers that error, so placement
 * never raises any crossbar's error; the lines a crossbar holds, and so the
 * crossbar count, never change.
 */
import type { Crossbar } from '../format/mapping';
import type { Device } from './device';
import { effectiveMatrix, idealWires } from './irdrop';
import { crossbarRng, programCrossbar, synapseOwners, type Owned } from './program';

export interface PlacementStats {
  crossbars: number;
  /** Crossbars whose order changed. */
  reordered: number;
  /** Mean IR-drop error over crossbars, before and after (fractions). */
  errorBefore: number;
  errorAfter: number;
}

/** The device as placement judges it: nominal conductances (no variation, faults or drift). */
const nominal = (dev: Device): Device => ({ ...dev, programmingSigma: 0, stuckOnRate: 0, stuckOffRate: 0, driftNu: 0 });

/** The weight each used cell stands for, [a × b] row-major: with `effective`, under IR drop. */
function weightsOf(w: Float32Array, nin: number, xb: Crossbar, size: number, wmax: number, dev: Device, tolerance: number, effective: boolean, owned?: Owned): Float64Array {
  const prog = programCrossbar(w, nin, xb, size, wmax, dev, crossbarRng(0, 0, 0), owned);
  const a = prog.inputs;
  const b = prog.outputs;
  const out = new Float64Array(a * b);
  prog.arrays.forEach(([gp, gn], s) => {
    const ep = effective ? effectiveMatrix(gp, size, size, a, dev, { tolerance }) : gp;
    const en = effective ? effectiveMatrix(gn, size, size, a, dev, { tolerance }) : gn;
    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out[i * b + j] += prog.sliceWeight[s] * (ep[i * size + j] - en[i * size + j]);
  });
  return out;
}

/** A crossbar's IR-drop error (see the file comment). */
export function irDropError(w: Float32Array, nin: number, xb: Crossbar, size: number, wmax: number, dev: Device, tolerance = 1e-6, owned?: Owned): number {
  const ideal = weightsOf(w, nin, xb, size, wmax, nominal(dev), tolerance, false, owned);
  const eff = weightsOf(w, nin, xb, size, wmax, nominal(dev), tolerance, true, owned);
  let diff = 0;
  let norm = 0;
  for (let k = 0; k < ideal.length; k++) {
    diff += Math.abs(eff[k] - ideal[k]);
    norm += Math.abs(ideal[k]);
  }
  return norm > 0 ? diff / norm : 0;
}

/** The heuristic order: word lines by ascending current (the most last: nearest the sense), bit lines by descending (nearest the drivers). */
export function irAwareOrder(w: Float32Array, nin: number, xb: Crossbar, owned?: Owned): Crossbar {
  const held = (r: number, c: number) => (owned && owned.owners[r * nin + c] !== owned.index ? 0 : Math.abs(w[r * nin + c]));
  const rowLoad = xb.cols.map((c) => xb.rows.reduce((s, r) => s + held(r, c), 0));
  const colLoad = xb.rows.map((r) => xb.cols.reduce((s, c) => s + held(r, c), 0));
  // Stable: ties keep the mapping's order.
  const byInput = xb.cols.map((c, i) => ({ c, load: rowLoad[i], i })).sort((p, q) => p.load - q.load || p.i - q.i);
  const byOutput = xb.rows.map((r, j) => ({ r, load: colLoad[j], j })).sort((p, q) => q.load - p.load || p.j - q.j);
  return { ...xb, cols: byInput.map((x) => x.c), rows: byOutput.map((x) => x.r) };
}

/**
 * Place every crossbar of a mapped network (`weights[l]` [outputs × inputs],
 * masked; `mapping[l]` its crossbars at side `size`) for a device: each
 * crossbar in its heuristic order where that lowers its IR-drop error, else
 * as it was.
 */
export function placeNetwork(layers: readonly number[], weights: readonly Float32Array[], mapping: readonly Crossbar[][], size: number, dev: Device, tolerance = 1e-6): { mapping: Crossbar[][]; stats: PlacementStats } {
  const stats: PlacementStats = { crossbars: 0, reordered: 0, errorBefore: 0, errorAfter: 0 };
  if (idealWires(dev)) {
    stats.crossbars = mapping.reduce((n, l) => n + l.length, 0);
    return { mapping: mapping.map((l) => [...l]), stats };
  }
  const placed = mapping.map((xbs, l) => {
    const w = weights[l];
    const nin = layers[l];
    let wmax = 0;
    for (const v of w) wmax = Math.max(wmax, Math.abs(v));
    const owners = synapseOwners(xbs, layers[l + 1], nin);
    return xbs.map((xb, index) => {
      stats.crossbars++;
      const owned = { owners, index };
      const before = irDropError(w, nin, xb, size, wmax, dev, tolerance, owned);
      const next = irAwareOrder(w, nin, xb, owned);
      const same = next.cols.every((c, i) => c === xb.cols[i]) && next.rows.every((r, j) => r === xb.rows[j]);
      const after = same ? before : irDropError(w, nin, next, size, wmax, dev, tolerance, owned);
      stats.errorBefore += before;
      if (after < before) {
        stats.reordered++;
        stats.errorAfter += after;
        return next;
      }
      stats.errorAfter += before;
      return xb;
    });
  });
  if (stats.crossbars) {
    stats.errorBefore /= stats.crossbars;
    stats.errorAfter /= stats.crossbars;
  }
  return { mapping: placed, stats };
}
