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
 *
 * Spare lines (issue 23): with S spares the physical array is (size + S)²;
 * lines a crossbar does not use hold G_off. Cells are perturbed (and their
 * faults drawn) in `cellOrder`: the size×size core of every array first,
 * then the rest, so a chip's core cells are the same with or without spares. Fault-
 * aware remapping may put a crossbar's lines anywhere in the array
 * (`PhysicalLines`); a measured stuck-cell map (stuckMap.ts) may replace the
 * drawn faults of a chip (`ProgramOptions.faults`).
 */
import { Rng } from '../core/rng';
import type { Crossbar } from '../format/mapping';
import type { Device } from './device';

/**
 * Where a crossbar's lines sit in its physical array: input `cols[i]` on word
 * line `wordLines[i]`, output `rows[j]` on bit line `bitLines[j]` (each < size
 * + spares, distinct). Absent: lines 0, 1, … in the mapping's order.
 */
export interface PhysicalLines {
  wordLines: number[];
  bitLines: number[];
}

export interface ProgramOptions {
  /** Spare word and bit lines: the array side is size + spares (default 0). */
  spares?: number;
  /** Where the crossbar's lines sit (default: the mapping's order from line 0). */
  lines?: PhysicalLines;
  /** Measured stuck cells in `stuckCells`' layout (side = size + spares): they replace the drawn faults. */
  faults?: Int8Array;
}

export interface ProgrammedCrossbar {
  /** Array side: the crossbar size plus its spare lines. */
  size: number;
  /** Used word lines (inputs) and bit lines (outputs). */
  inputs: number;
  outputs: number;
  /** Physical word line of each input and bit line of each output (the mapping's order). */
  wordLines: Int32Array;
  bitLines: Int32Array;
  /** Word lines from 0 through the last used one: the rows an IR-drop solve drives. */
  drivenLines: number;
  /** Per slice: [positive, negative] arrays, each side×side, row-major [word line][bit line]. */
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

/**
 * The order a crossbar's cells are perturbed and their faults drawn, over its
 * `arrays` arrays of side size + spares: the size×size core of every array
 * (array by array, row-major), then the other cells of every array (array by
 * array, row-major) — so that a chip's core cells draw the same numbers with
 * or without spares. Each entry is array·side² + cell; without spares, plain
 * order (undefined).
 */
export function cellOrder(size: number, spares: number, arrays: number): Int32Array | undefined {
  if (!spares) return undefined;
  // Every crossbar of a chip asks for the same order: keep the last one.
  const key = `${size},${spares},${arrays}`;
  if (lastOrder?.key === key) return lastOrder.order;
  const side = size + spares;
  const cells = side * side;
  const order = new Int32Array(arrays * cells);
  let k = 0;
  for (let a = 0; a < arrays; a++) for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) order[k++] = a * cells + i * side + j;
  for (let a = 0; a < arrays; a++) for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) if (i >= size || j >= size) order[k++] = a * cells + i * side + j;
  lastOrder = { key, order };
  return order;
}
let lastOrder: { key: string; order: Int32Array } | undefined;

/** The physical lines of a crossbar's inputs and outputs (`lines`, or 0, 1, …), checked against the array side. */
export function linesOf(xb: Crossbar, side: number, lines?: PhysicalLines): { wordLines: Int32Array; bitLines: Int32Array } {
  const a = xb.cols.length;
  const b = xb.rows.length;
  const wordLines = lines ? Int32Array.from(lines.wordLines) : Int32Array.from({ length: a }, (_, i) => i);
  const bitLines = lines ? Int32Array.from(lines.bitLines) : Int32Array.from({ length: b }, (_, j) => j);
  if (wordLines.length !== a || bitLines.length !== b) throw new Error(`physical lines for ${wordLines.length}×${bitLines.length} lines, the crossbar has ${a}×${b}`);
  for (const x of [...wordLines, ...bitLines]) if (!(x >= 0 && x < side)) throw new Error(`physical line ${x} outside an array of side ${side}`);
  return { wordLines, bitLines };
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
export function programCrossbar(weights: Float32Array, layerInputs: number, xb: Crossbar, size: number, wmax: number, dev: Device, rng: Rng, owned?: Owned, opts: ProgramOptions = {}): ProgrammedCrossbar {
  const { slices, digitBits, levels } = slicing(dev);
  const dG = dev.gOn - dev.gOff;
  const qmax = dev.weightBits ? 2 ** dev.weightBits - 1 : 0;
  const spares = opts.spares ?? 0;
  const side = size + spares;
  const cells = side * side;
  const { wordLines, bitLines } = linesOf(xb, side, opts.lines);
  if (opts.faults && opts.faults.length !== 2 * slices * cells) throw new Error(`a stuck-cell map of ${opts.faults.length} cells for ${2 * slices} arrays of ${side}×${side}`);
  const arrays: [Float64Array, Float64Array][] = [];
  for (let s = 0; s < slices; s++) arrays.push([new Float64Array(cells).fill(dev.gOff), new Float64Array(cells).fill(dev.gOff)]);
  const sliceWeight = Array.from({ length: slices }, (_, s) => (wmax === 0 ? 0 : dev.weightBits ? ((2 ** (digitBits * s) * levels) / dG) * (wmax / qmax) : wmax / dG));
  if (wmax > 0)
    for (let i = 0; i < xb.cols.length; i++)
      for (let j = 0; j < xb.rows.length; j++) {
        const at = xb.rows[j] * layerInputs + xb.cols[i];
        const w = weights[at];
        if (w === 0 || (owned && owned.owners[at] !== owned.index)) continue;
        const a = Math.abs(w) / wmax;
        const cell = wordLines[i] * side + bitLines[j];
        if (!dev.weightBits) arrays[0][side01(w)][cell] = dev.gOff + a * dG;
        else {
          let q = Math.round(a * qmax);
          for (let s = 0; s < slices && q > 0; s++) {
            const d = q % (levels + 1);
            q = (q - d) / (levels + 1);
            arrays[s][side01(w)][cell] = dev.gOff + (d / levels) * dG;
          }
        }
      }
  perturb(arrays.flat(), cells, dev, rng, cellOrder(size, spares, 2 * slices), opts.faults);
  let drivenLines = 0;
  for (const x of wordLines) drivenLines = Math.max(drivenLines, x + 1);
  return { size: side, inputs: xb.cols.length, outputs: xb.rows.length, wordLines, bitLines, drivenLines, arrays, sliceWeight };
}

/** The array of a weight's pair that holds it: 0 positive, 1 negative. */
const side01 = (w: number): 0 | 1 => (w > 0 ? 0 : 1);

/**
 * Variation, stuck-at faults and drift on every cell of a crossbar's arrays
 * (each `cells` long, in stuckCells' order of arrays), in place, in `order`
 * (cellOrder; default: array by array, row-major). With `faults` (a measured
 * map, stuckCells' layout) the stuck cells are those, not drawn: the stream
 * still advances as it would, so every cell's variation is the drawn chip's.
 */
function perturb(arrays: Float64Array[], cells: number, dev: Device, rng: Rng, order?: Int32Array, faults?: Int8Array): void {
  const sigma = dev.programmingSigma;
  const stuck = dev.stuckOnRate + dev.stuckOffRate;
  const drift = dev.driftNu > 0 ? dev.driftTime_s ** -dev.driftNu : 1;
  if (sigma === 0 && stuck === 0 && drift === 1 && !faults) return;
  const lognormal = dev.variationModel === 'lognormal';
  for (let k = 0; k < arrays.length * cells; k++) {
    const at = order ? order[k] : k;
    const g = arrays[Math.floor(at / cells)];
    const q = at % cells;
    let v = g[q];
    if (sigma > 0) v = lognormal ? v * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2) : Math.max(0, v * (1 + sigma * rng.normal()));
    let f = 0;
    if (stuck > 0) {
      const u = rng.next();
      if (u < dev.stuckOnRate) f = STUCK_ON;
      else if (u < stuck) f = STUCK_OFF;
    }
    if (faults) f = faults[at];
    if (f === STUCK_ON) v = dev.gOn;
    else if (f === STUCK_OFF) v = dev.gOff;
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
 * positive 0, negative 1) at (2s + side)·side², side = size + spares,
 * row-major [word line][bit line]; drawn in `cellOrder` as programming does.
 */
export function stuckCells(dev: Device, rng: Rng, size: number, spares = 0): Int8Array {
  const { slices } = slicing(dev);
  const side = size + spares;
  const cells = side * side;
  const out = new Int8Array(2 * slices * cells);
  const sigma = dev.programmingSigma;
  const stuck = dev.stuckOnRate + dev.stuckOffRate;
  if (stuck === 0) return out;
  const order = cellOrder(size, spares, 2 * slices);
  for (let k = 0; k < out.length; k++) {
    const q = order ? order[k] : k;
    if (sigma > 0) rng.normal();
    const u = rng.next();
    if (u < dev.stuckOnRate) out[q] = STUCK_ON;
    else if (u < stuck) out[q] = STUCK_OFF;
  }
  return out;
}
