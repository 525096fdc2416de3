/**
 * One chip: every crossbar of a mapped network programmed (`program.ts`) and
 * its arrays reduced to effective matrices under IR drop (`irdrop.ts`), then
 * gathered per layer into what the evaluation needs:
 *
 *  - `dense` [inputs × outputs]: the sum over crossbars and slices of the
 *    effective weights — enough when nothing is quantised after the array
 *    (no ADC): a layer then costs one matrix product per batch, as in software;
 *  - `noiseVar` [inputs × outputs]: Σ (slice weight)²·(E⁺² + E⁻²), so that a read
 *    with per-cell relative read noise σ_r has column-current variance
 *    σ_r²·Σ_i x_i²·noiseVar_ij (independent cells; E, the effective conductance
 *    under IR drop, stands in for each cell's current per volt);
 *  - `crossbars`: per crossbar and slice the differential effective matrix and
 *    its weight, for designs with an ADC, whose partial sums are quantised per
 *    crossbar before they are added.
 *
 * With spare lines (`ChipOptions.spares`) every array is (size + spares)²,
 * its lines placed by `ChipOptions.lines` (fault-aware remapping); a chip's
 * stuck cells may be measured ones (`ChipOptions.faults`, stuckMap.ts).
 *
 * With every non-ideality off the dense matrix equals the software weights
 * exactly: each cell is G_off + |w|/w_max·ΔG, read back in double precision
 * and rounded to single, and cells without a weight contribute exact zeros.
 */
import type { Crossbar } from '../format/mapping';
import type { Device } from './device';
import * as os from 'node:os';
import type { IrDropOptions, IrDropStats } from './irdrop';
import { solveArrays, statsOf } from './irdropPool';
import { crossbarRng, programCrossbar, synapseOwners, type PhysicalLines, type ProgrammedCrossbar } from './program';

export interface CrossbarSlices {
  cols: number[];
  rows: number[];
  /** Per slice: differential effective conductance [inputs × outputs] (used lines only). */
  diff: Float32Array[];
  /** Per slice, with read noise: E⁺² + E⁻² [inputs × outputs] (the pair's per-cell current variance per volt², ÷ σ_r²). */
  sumSq?: Float32Array[];
  sliceWeight: number[];
}
export interface ChipLayer {
  inputs: number;
  outputs: number;
  dense: Float32Array;
  noiseVar?: Float32Array;
  crossbars?: CrossbarSlices[];
}
export interface Chip {
  seed: number;
  layers: ChipLayer[];
  /** Worst IR-drop solve: sweeps and final residual. */
  solver: IrDropStats;
  arrays: number;
}

export interface ChipOptions extends IrDropOptions {
  /** Threads solving arrays (1 or 2; default 2 when the machine has two cores): the chip is the same either way. */
  threads?: number;
  /** Spare word and bit lines per crossbar: arrays of side size + spares (default 0). */
  spares?: number;
  /** Per layer and crossbar, where its lines sit in the array (fault-aware remapping); absent: lines 0, 1, … */
  lines?: readonly (readonly (PhysicalLines | undefined)[])[];
  /** Measured stuck cells of crossbar `index` of layer `layer` (stuckCells' layout), replacing the drawn ones; undefined: drawn. */
  faults?: (layer: number, index: number) => Int8Array | undefined;
}

/** Arrays solved per batch: bounds the memory of a batch's conductances and results (≈ 2 × 64 MB). */
const BATCH_CELLS = 1 << 23;

const defaultThreads = (): number => Math.min(2, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);

/**
 * Build chip `seed` for a network (`weights[l]` [outputs × inputs], masked)
 * mapped onto crossbars of side `size`. Crossbars are programmed in order
 * (one seeded stream each), their arrays solved in batches.
 */
export function buildChip(layers: readonly number[], weights: readonly Float32Array[], mapping: readonly Crossbar[][], size: number, dev: Device, seed: number, opts: ChipOptions = {}): Chip {
  const solver: IrDropStats = { sweeps: 0, residual: 0 };
  const threads = opts.threads ?? defaultThreads();
  const wires = { wireRow_ohm: dev.wireRow_ohm, wireCol_ohm: dev.wireCol_ohm, driver_ohm: dev.driver_ohm, sense_ohm: dev.sense_ohm };
  const irdrop: IrDropOptions = { ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}), ...(opts.maxSweeps !== undefined ? { maxSweeps: opts.maxSweeps } : {}), ...(opts.chunkCells !== undefined ? { chunkCells: opts.chunkCells } : {}) };
  const spares = opts.spares ?? 0;
  const side = size + spares;
  const nm = side * side;
  let arrays = 0;
  const out = weights.map((w, l): ChipLayer => {
    const nin = layers[l];
    const nout = layers[l + 1];
    let wmax = 0;
    for (const v of w) wmax = Math.max(wmax, Math.abs(v));
    const dense = new Float64Array(nin * nout);
    const noise = dev.readNoiseSigma > 0 ? new Float64Array(nin * nout) : undefined;
    const keep = dev.adcBits > 0 ? ([] as CrossbarSlices[]) : undefined;
    const xbs = mapping[l];
    // Overlapping crossbars (cluster blocks): each synapse is programmed in one of them only.
    const owners = synapseOwners(xbs, nout, nin);
    for (let p0 = 0; p0 < xbs.length; ) {
      // Program a batch of crossbars, solve their arrays together, then gather them.
      const batch: ProgrammedCrossbar[] = [];
      for (let cells = 0; p0 < xbs.length && (batch.length === 0 || cells < BATCH_CELLS); p0++) {
        const faults = opts.faults?.(l, p0);
        const lines = opts.lines?.[l]?.[p0];
        const prog = programCrossbar(w, nin, xbs[p0], size, wmax, dev, crossbarRng(seed, l, p0), { owners, index: p0 }, { spares, ...(lines ? { lines } : {}), ...(faults ? { faults } : {}) });
        batch.push(prog);
        cells += 2 * prog.arrays.length * nm;
      }
      const flat = batch.flatMap((prog) => prog.arrays.flat());
      const used = batch.flatMap((prog) => prog.arrays.flatMap(() => [prog.drivenLines, prog.drivenLines]));
      const solved = solveArrays(flat, side, side, used, wires, irdrop, threads);
      arrays += flat.length;
      for (let k = 0; k < flat.length; k++) {
        const st = statsOf(solved, k);
        if (st.sweeps > solver.sweeps) Object.assign(solver, st);
      }
      let k = 0;
      batch.forEach((prog, q) => {
        const xb = xbs[p0 - batch.length + q];
        const slices = prog.arrays.map((_, s) => {
          const at = (k + 2 * s) * nm;
          return { ep: solved.out.subarray(at, at + nm), en: solved.out.subarray(at + nm, at + 2 * nm) };
        });
        k += 2 * prog.arrays.length;
        gather(prog, xb, nout, side, slices, dense, noise, keep);
      });
    }
    return { inputs: nin, outputs: nout, dense: Float32Array.from(dense), ...(noise ? { noiseVar: Float32Array.from(noise) } : {}), ...(keep ? { crossbars: keep } : {}) };
  });
  return { seed, layers: out, solver, arrays };
}

/** One crossbar's effective matrices (per slice, positive and negative) into the layer's sums, and kept per crossbar for an ADC. */
function gather(prog: ProgrammedCrossbar, xb: Crossbar, nout: number, side: number, slices: { ep: Float64Array; en: Float64Array }[], dense: Float64Array, noise: Float64Array | undefined, keep: CrossbarSlices[] | undefined): void {
  const a = prog.inputs;
  const b = prog.outputs;
  const diffs: Float32Array[] = [];
  const sumSqs: Float32Array[] = [];
  slices.forEach(({ ep, en }, s) => {
    const sw = prog.sliceWeight[s];
    const diff = keep ? new Float32Array(a * b) : undefined;
    const sq = keep && noise ? new Float32Array(a * b) : undefined;
    for (let i = 0; i < a; i++)
      for (let j = 0; j < b; j++) {
        const cell = prog.wordLines[i] * side + prog.bitLines[j];
        const d = ep[cell] - en[cell];
        const at = xb.cols[i] * nout + xb.rows[j];
        dense[at] += sw * d;
        if (noise) noise[at] += sw * sw * (ep[cell] ** 2 + en[cell] ** 2);
        if (diff) diff[i * b + j] = d;
        if (sq) sq[i * b + j] = ep[cell] ** 2 + en[cell] ** 2;
      }
    if (diff) diffs.push(diff);
    if (sq) sumSqs.push(sq);
  });
  keep?.push({ cols: xb.cols, rows: xb.rows, diff: diffs, ...(sumSqs.length ? { sumSq: sumSqs } : {}), sliceWeight: prog.sliceWeight });
}
