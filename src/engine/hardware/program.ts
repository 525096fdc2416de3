/**
 * Programming one crossbar: its weights become conductances of physical
 * arrays. Word line i carries input `cols[i]`, bit line j output `rows[j]`
 * (the mapping's order is the physical position); lines the crossbar does not
 * use, and pruned synapses, hold G_off in both cells of the pair.
 *
 * A layer's weights are scaled so that its largest |w| maps to G_on − G_off.
 * Signed weights are differential pairs (the positive array holds w > 0, the
 * negative one −w). With `weightBits` B and `bitsPerCell` b, |w| is quantised
 * to q ∈ [0, 2^B − 1] and q is spread over ⌈B/b⌉ slices of b bits (the
 * slice currents are shifted and added after the read); B = 0 keeps the weight
 * analog in one slice. Then, per cell, in this order: programming variation
 * (G·(1 + σN), or G·exp(σN − σ²/2), mean-preserving; clipped at 0), stuck-at
 * faults (independent of the target) and drift (G·(t/t₀)^−ν, t₀ = 1 s).
 * Every draw comes from the chip's seeded stream for this crossbar, so a chip
 * seed is one chip: the same faults at every evaluation.
 */
import { Rng } from '../core/rng';
import type { Crossbar } from '../format/mapping';
import type { Device } from './device';

export interface ProgrammedCrossbar {
  /** Array side (the crossbar size). */
  size: number;
  /** Used word lines (inputs) and bit lines (outputs). */
  inputs: number;
  outputs: number;
  /** Per slice: [positive, negative] arrays, each size×size, row-major [word line][bit line]. */
  arrays: [Float64Array, Float64Array][];
  /** Per slice: weight units per unit of differential conductance. */
  sliceWeight: number[];
}

/** Slices and the conductance step of a digit: how a device stores B-bit weights in b-bit cells. */
export function slicing(dev: Pick<Device, 'weightBits' | 'bitsPerCell'>): { slices: number; digitBits: number; levels: number } {
  const B = dev.weightBits;
  const b = Math.max(1, dev.bitsPerCell);
  if (B === 0) return { slices: 1, digitBits: 0, levels: 0 };
  const digitBits = Math.min(b, B);
  return { slices: Math.ceil(B / digitBits), digitBits, levels: 2 ** digitBits - 1 };
}

/** The stream of one crossbar of one layer on one chip. */
export const crossbarRng = (chipSeed: number, layer: number, index: number): Rng => new Rng(chipSeed, (layer + 1) * 1_000_003 + index);

/**
 * Which crossbar holds each synapse of a layer ([outputs × inputs]; −1: none):
 * the first in the mapping's order that covers it. Cluster blocks may overlap
 * (fillCrossbars, refillCrossbars), and a synapse is one device: the later
 * crossbars hold G_off there, or the layer would count it twice.
 */
export function synapseOwners(xbs: readonly Crossbar[], outputs: number, inputs: number): Int32Array {
  const owner = new Int32Array(outputs * inputs).fill(-1);
  xbs.forEach((xb, k) => {
    for (const r of xb.rows)
      for (const c of xb.cols) {
        const at = r * inputs + c;
        if (owner[at] < 0) owner[at] = k;
      }
  });
  return owner;
}

/** A crossbar's claim on its layer's synapses: the layer's synapseOwners and the crossbar's index. */
export type Owned = { owners: Int32Array; index: number };

/**
 * Program a crossbar of a layer (`weights` [outputs × inputs], masked; `wmax`
 * its layer's largest |w|). With `owned` (the layer's synapseOwners and this
 * crossbar's index), a synapse another crossbar holds is left at G_off here.
 */
export function programCrossbar(weights: Float32Array, layerInputs: number, xb: Crossbar, size: number, wmax: number, dev: Device, rng: Rng, owned?: Owned): ProgrammedCrossbar {
  const { slices, digitBits, levels } = slicing(dev);
  const dG = dev.gOn - dev.gOff;
  const qmax = dev.weightBits ? 2 ** dev.weightBits - 1 : 0;
  const arrays: [Float64Array, Float64Array][] = [];
  for (let s = 0; s < slices; s++) arrays.push([new Float64Array(size * size).fill(dev.gOff), new Float64Array(size * size).fill(dev.gOff)]);
  const sliceWeight = Array.from({ length: slices }, (_, s) => (wmax === 0 ? 0 : dev.weightBits ? ((2 ** (digitBits * s) * levels) / dG) * (wmax / qmax) : wmax / dG));
  if (wmax > 0)
    for (let i = 0; i < xb.cols.length; i++)
      for (let j = 0; j < xb.rows.length; j++) {
        const at = xb.rows[j] * layerInputs + xb.cols[i];
        const w = weights[at];
        if (w === 0 || (owned && owned.owners[at] !== owned.index)) continue;
        const side = w > 0 ? 0 : 1;
        const a = Math.abs(w) / wmax;
        if (!dev.weightBits) arrays[0][side][i * size + j] = dev.gOff + a * dG;
        else {
          let q = Math.round(a * qmax);
          for (let s = 0; s < slices && q > 0; s++) {
            const d = q % (levels + 1);
            q = (q - d) / (levels + 1);
            arrays[s][side][i * size + j] = dev.gOff + (d / levels) * dG;
          }
        }
      }
  for (const pair of arrays) for (const g of pair) perturb(g, dev, rng);
  return { size, inputs: xb.cols.length, outputs: xb.rows.length, arrays, sliceWeight };
}

/** Variation, stuck-at faults and drift on every cell of an array, in place. */
function perturb(g: Float64Array, dev: Device, rng: Rng): void {
  const sigma = dev.programmingSigma;
  const stuck = dev.stuckOnRate + dev.stuckOffRate;
  const drift = dev.driftNu > 0 ? dev.driftTime_s ** -dev.driftNu : 1;
  if (sigma === 0 && stuck === 0 && drift === 1) return;
  const lognormal = dev.variationModel === 'lognormal';
  for (let q = 0; q < g.length; q++) {
    let v = g[q];
    if (sigma > 0) v = lognormal ? v * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2) : Math.max(0, v * (1 + sigma * rng.normal()));
    if (stuck > 0) {
      const u = rng.next();
      if (u < dev.stuckOnRate) v = dev.gOn;
      else if (u < stuck) v = dev.gOff;
    }
    g[q] = v * drift;
  }
}

/** A stuck cell: 0 none, 1 stuck at G_on, 2 stuck at G_off. */
export const STUCK_ON = 1;
export const STUCK_OFF = 2;

/**
 * The stuck cells of one crossbar of a chip, without programming it: the
 * stream `programCrossbar` draws from, replayed draw for draw (`perturb`
 * takes two uniforms for a variation draw and one for the fault test of every
 * cell, whatever the cell holds), so the faults are the physical cells' —
 * the same whichever weights are written there. Per array (slice s, side:
 * positive 0, negative 1) at (2s + side)·size², row-major [word line][bit line].
 */
export function stuckCells(dev: Device, rng: Rng, size: number): Int8Array {
  const { slices } = slicing(dev);
  const cells = size * size;
  const out = new Int8Array(2 * slices * cells);
  const sigma = dev.programmingSigma;
  const stuck = dev.stuckOnRate + dev.stuckOffRate;
  const drift = dev.driftNu > 0 ? dev.driftTime_s ** -dev.driftNu : 1;
  if (stuck === 0 || (sigma === 0 && stuck === 0 && drift === 1)) return out;
  for (let q = 0; q < out.length; q++) {
    if (sigma > 0) rng.normal();
    const u = rng.next();
    if (u < dev.stuckOnRate) out[q] = STUCK_ON;
    else if (u < stuck) out[q] = STUCK_OFF;
  }
  return out;
}
