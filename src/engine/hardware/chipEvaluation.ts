/**
 * Hardware accuracy over presets × crossbar sizes × chips: for each, build
 * the chip (`chip.ts`) and run the test set through it (`hardwareAccuracy.ts`);
 * the software network runs the same test images through the same path.
 * The derived reliable crossbar size of a preset is the largest size whose
 * mean hardware accuracy is within `lossLimit` of the software accuracy.
 *
 * Spare lines (`spares`) grow every array of every chip to (size + spares)²
 * and are reported with the area they cost; a measured stuck-cell map
 * (`stuckMap`, stuckMap.ts) replaces the drawn faults of the chips it lists,
 * for programming and for remapping alike.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data/dataset';
import type { Crossbar } from '../format/mapping';
import type { HardwareAccuracy, HardwareAccuracyReport, ReliableCrossbar } from '../format/evaluation';
import type { Spread } from '../format/compare';
import { buildChip } from './chip';
import { placeNetwork, type PlacementStats } from './placement';
import { remapNetwork, type RemapStats } from './faultRemap';
import { slicing } from './program';
import { measuredChips, type StuckMap } from './stuckMap';
import { arraysPerMpe, mpeArea, networkArea } from './cost';
import { simulatedDevice, type NonIdeality } from './device';
import { accuracyOf, chipPredictions, softwarePredictions } from './hardwareAccuracy';
import type { Preset } from './presets';
import { activationScales, simulateSnn } from './snn';
import type { Chip, ChipOptions } from './chip';

export interface ChipEvaluationOptions {
  chips: number;
  /** Fraction (0.005 = 0.5 pt). */
  lossLimit: number;
  off: readonly NonIdeality[];
  /** Test images (default: all). */
  images?: number;
  output: 'relu' | 'softmax';
  percentile: number;
  /** Relative residual of the IR-drop solver. */
  tolerance: number;
  /** First chip seed; chips are seeds first, first+1, … */
  firstSeed?: number;
  /** Spiking presets (no ADC): also simulate the rate-coded network on each chip's effective weights. */
  snn?: { timesteps: number; encoding: 'poisson' | 'rate'; images: number; percentile: number; seed: number };
  /** IR-aware placement of every crossbar's lines for each preset's device before its chips are built (placement.ts). */
  placement?: 'ir-aware';
  /** Fault-aware remapping: each chip's crossbars reordered for its own stuck cells, measured with and without (faultRemap.ts). */
  remap?: 'faults';
  /** Spare word and bit lines per crossbar (default 0): every array is (size + spares)², the remapping may use them. */
  spares?: number;
  /** A measured stuck-cell map: chip k of the file (seed first + k) has those stuck cells, not drawn ones. */
  stuckMap?: StuckMap;
  /** Called after each chip (progress). */
  onChip?: (preset: string, size: number, seed: number, accuracy: number, seconds: number, parts: { build: number; forward: number }) => void;
}

export const DEFAULT_LOSS_LIMIT = 0.005;
export const DEFAULT_SOLVER_TOLERANCE = 1e-6;

function spread(xs: number[]): Spread {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n >= 2 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : undefined;
  return { n, mean, ...(std !== undefined ? { std } : {}), min: Math.min(...xs), max: Math.max(...xs) };
}

/** Input range of each layer: 1 for pixels, then the percentile of the software activations over training images. */
export function inputScales(layers: readonly number[], weights: readonly Float32Array[], train: Split, percentile: number): number[] {
  const W = weights.map((w, l) => {
    const t = new Float32Array(w.length);
    const [o, i] = [layers[l + 1], layers[l]];
    for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) t[c * o + r] = w[r * i + c];
    return tf.tensor2d(t, [i, o]);
  });
  try {
    const s = activationScales(W.slice(0, -1), train, layers[0], { percentile, normalisationImages: 2000, batchSize: 250 });
    return [1, ...s];
  } finally {
    tf.dispose(W);
  }
}

/** `weights[l]` [outputs × inputs] masked; `mappings[k][l]`: crossbars of layer l at size `sizes[k]`. */
export async function evaluateChips(
  layers: readonly number[],
  weights: readonly Float32Array[],
  data: { train: Split; test: Split },
  presets: readonly Preset[],
  sizes: readonly number[],
  mappings: readonly (readonly Crossbar[][])[],
  o: ChipEvaluationOptions,
): Promise<HardwareAccuracyReport> {
  const images = Math.min(o.images ?? data.test.count, data.test.count);
  const fwd = { images, output: o.output };
  const labels = data.test.labels.subarray(0, images);
  const softwareAccuracy = accuracyOf(await softwarePredictions(layers, weights, data.test, fwd), labels);
  const scales = inputScales(layers, weights, data.train, o.percentile);
  const results: HardwareAccuracy[] = [];
  const seeds = Array.from({ length: o.chips }, (_, k) => (o.firstSeed ?? 1) + k);
  for (const p of presets) {
    const dev = simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file, o.off);
    for (const [k, size] of sizes.entries()) {
      const perChip: number[] = [];
      const snnPerChip: number[] = [];
      let arrays = 0;
      let sweeps = 0;
      let residual = 0;
      const t0 = Date.now();
      // Placement is a design decision: made once on nominal conductances, the same for every chip.
      let mapping = mappings[k] as Crossbar[][];
      let placement: PlacementStats | undefined;
      if (o.placement === 'ir-aware') ({ mapping, stats: placement } = placeNetwork(layers, weights, mapping, size, dev, o.tolerance));
      const without: number[] = [];
      const remaps: RemapStats[] = [];
      const spares = o.spares ?? 0;
      // Chips of a measured map: their stuck cells read, not drawn (checked against this size's mapping).
      const measured = o.stuckMap
        ? measuredChips(o.stuckMap, { chips: o.chips, size, spares, slices: slicing(dev).slices, crossbars: mapping.map((xbs) => xbs.length) })
        : undefined;
      for (const [c, seed] of seeds.entries()) {
        const t = Date.now();
        const faults = measured?.get(c);
        const build = { tolerance: o.tolerance, spares, ...(faults ? { faults } : {}) };
        let chipMapping = mapping;
        let placed: ChipOptions['lines'];
        if (o.remap === 'faults') {
          // The same chip as it would be without remapping: what remapping recovers is measured on it.
          const plain = buildChip(layers, weights, mapping, size, dev, seed, build);
          without.push(accuracyOf(await chipPredictions(plain, dev, data.test, scales, fwd), labels));
          const r = remapNetwork(layers, weights, mapping, size, dev, seed, { spares, ...(faults ? { faults } : {}) });
          chipMapping = r.mapping;
          placed = r.lines;
          remaps.push(r.stats);
        }
        const chip = buildChip(layers, weights, chipMapping, size, dev, seed, { ...build, ...(placed ? { lines: placed } : {}) });
        const built = Date.now();
        const acc = accuracyOf(await chipPredictions(chip, dev, data.test, scales, fwd), labels);
        perChip.push(acc);
        if (o.snn && dev.adcBits === 0) snnPerChip.push(chipSnnAccuracy(chip, layers, data, o.snn));
        arrays = chip.arrays;
        if (chip.solver.sweeps > sweeps) [sweeps, residual] = [chip.solver.sweeps, chip.solver.residual];
        o.onChip?.(p.name, size, seed, acc, (Date.now() - t) / 1000, { build: (built - t) / 1000, forward: (Date.now() - built) / 1000 });
      }
      const accuracy = spread(perChip);
      // Spares: every mPE's arrays grow from size² to (size + S)² cells, with S more drivers and S more neurons (cost.ts mpeArea).
      const mpes = mapping.reduce((a, xbs) => a + xbs.length, 0);
      const arraysEach = arraysPerMpe(p);
      const spareArea = spares ? (mpes * (mpeArea(p, size + spares, arraysEach) - mpeArea(p, size, arraysEach))) / 1e6 : 0;
      results.push({
        preset: p.name,
        crossbarSize: size,
        chipSeeds: seeds,
        perChip,
        accuracy,
        loss: accuracy.mean - softwareAccuracy,
        arrays,
        solverSweeps: sweeps,
        solverResidual: residual,
        secondsPerChip: (Date.now() - t0) / 1000 / seeds.length,
        adcBits: dev.adcBits,
        dacBits: dev.dacBits,
        ...(placement ? { placement } : {}),
        ...(remaps.length ? { remap: remapSummary(perChip, without, remaps) } : {}),
        ...(spares ? { spareLines: spares, spareArea_mm2: spareArea, spareAreaFraction: spareArea / networkArea(p, size, mpes, arraysEach).total_mm2 } : {}),
        ...(measured?.size ? { measuredChips: seeds.filter((_, c) => measured.has(c)) } : {}),
        ...(snnPerChip.length ? { snnPerChip, snnAccuracy: spread(snnPerChip) } : {}),
      });
    }
  }
  const reliable: ReliableCrossbar[] = presets.map((p) => {
    const ok = results.filter((r) => r.preset === p.name && r.accuracy.mean >= softwareAccuracy - o.lossLimit - 1e-12).map((r) => r.crossbarSize);
    return { preset: p.name, ...(ok.length ? { derived: Math.max(...ok) } : {}), claimed: p.maxCrossbar };
  });
  const notes = [
    `hardware accuracy: ${o.chips} chip${o.chips === 1 ? '' : 's'} (seeds ${seeds[0]}–${seeds[seeds.length - 1]}) per preset and size, ${images} test images; the reliable size is the largest whose mean is within ${(100 * o.lossLimit).toFixed(2)} pt of software`,
    'spiking presets (no ADC) are evaluated as the rate-coded network approximates: the ANN with the chip\'s effective weights',
  ];
  if (o.snn) notes.push(`spiking presets: the rate-coded network on each chip's effective weights, ${o.snn.images} test images, T = ${o.snn.timesteps} (read noise not drawn per timestep)`);
  if (o.off.length) notes.push(`non-idealities off: ${o.off.join(', ')}`);
  if (o.remap)
    notes.push(
      `fault-aware remapping: each chip's crossbars have their inputs and outputs moved among the lines of their arrays (${o.spares ? `${o.spares} spare word and bit lines each` : 'no spare lines'}) so that its stuck cells spoil the least; accuracy measured with and without on the same chip`,
    );
  if (o.spares)
    notes.push(`spare lines: every array has ${o.spares} spare word lines and bit lines (G_off until a line moves there); their area is the mPE area at size + ${o.spares} minus at size (cells, row drivers, neurons)`);
  if (o.stuckMap) notes.push(`measured stuck cells: the chips ${o.stuckMap.file} lists (0-based, chip k is seed ${seeds[0]} + k) have its stuck cells, not drawn ones`);
  if (o.placement) notes.push('IR-aware placement: in each crossbar the inputs drawing the most current on the word lines nearest the sense end, the outputs collecting the most on the bit lines nearest the drivers, where that lowers the crossbar\'s IR-drop error on nominal conductances');
  return { softwareAccuracy, images, chips: o.chips, lossLimit: o.lossLimit, off: [...o.off], solverTolerance: o.tolerance, results, reliable, notes };
}

/** SNN accuracy of a chip: its effective weights (stuck cells included, so every position counts) through the spiking simulation. */
function chipSnnAccuracy(chip: Chip, layers: readonly number[], data: { train: Split; test: Split }, o: NonNullable<ChipEvaluationOptions['snn']>): number {
  const w = chip.layers.map((L) => {
    const t = new Float32Array(L.dense.length);
    for (let i = 0; i < L.inputs; i++) for (let j = 0; j < L.outputs; j++) t[j * L.inputs + i] = L.dense[i * L.outputs + j];
    return t;
  });
  const masks = w.map((t) => new Uint8Array(t.length).fill(1));
  return simulateSnn([...layers], w, masks, data.train, data.test, [], { timesteps: o.timesteps, encoding: o.encoding, images: o.images, percentile: o.percentile, seed: o.seed }).accuracy;
}

/** What fault-aware remapping did over a size's chips (format/evaluation.ts HardwareAccuracy.remap). */
function remapSummary(perChip: number[], without: number[], stats: RemapStats[]): NonNullable<HardwareAccuracy['remap']> {
  const mean = (f: (s: RemapStats) => number) => stats.reduce((a, s) => a + f(s), 0) / stats.length;
  return {
    perChipWithout: without,
    recovered: spread(perChip.map((a, i) => a - without[i])),
    crossbars: stats[0].crossbars,
    remapped: mean((s) => s.remapped),
    errorBefore: mean((s) => s.errorBefore),
    errorAfter: mean((s) => s.errorAfter),
  };
}
