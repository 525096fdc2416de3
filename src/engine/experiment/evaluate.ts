/**
 * Pricing a trained network: map it at one or more crossbar sizes, convert
 * it to a spiking network and simulate it once, then compute area and
 * energy per classification for each technology preset. Works on any
 * finished run folder without retraining (`trannsformer evaluate`), and at
 * the end of every run at its configured size and preset.
 */
import * as path from 'node:path';
import type { Cluster } from '../transform/cluster/scic';
import type { ExperimentConfig } from '../config/schema';
import { loadDataset } from '../data/datasets';
import type { Dataset } from '../data/dataset';
import { formatPath, validateConfig } from '../config/validate';
import { IoError, UserError } from '../core/errors';
import { adcArea, adcEnergy, arraysPerMpe, networkArea, spikingEnergy } from '../hardware/cost';
import { loadPreset, presetCaveats, withDeviceOverrides, type Preset } from '../hardware/presets';
import { mapLayers, schemesFor, type LayerConnectivity } from '../transform/mapping/network';
import { simulateSnn } from '../hardware/snn';
import { DEFAULT_LOSS_LIMIT, DEFAULT_SOLVER_TOLERANCE, evaluateChips } from '../hardware/chipEvaluation';
import { stuckMapFor } from '../hardware/stuckMap';
import type { NonIdeality } from '../hardware/device';
import { readClustersFor, readModel, readRun, updateHardwareSummary, writeEvaluation } from '../store/runFolder';

import type { PricedMapping, Evaluation, HardwareAccuracyReport } from '../format/evaluation';
import type { NetworkMapping } from '../format/mapping';
import type { RunHardwareSummary, RunResult } from '../format/run';
/** The connectivity a run ended with, read through the store: its masks, and its clusters when it has any. */
export function runConnectivity(dir: string): { layers: number[]; connectivity: LayerConnectivity[]; weights: Float32Array[]; masks: Uint8Array[] } {
  const model = readModel(dir);
  const clusterLayers = readClustersFor(dir, model.layers);
  const connectivity = model.masks.map((map, l) => ({
    rows: model.layers[l + 1],
    cols: model.layers[l],
    map,
    clusters: clusterLayers[l].map(
      (c): Cluster => ({ inputs: Int32Array.from(c.inputs), outputs: Int32Array.from(c.outputs), quality: c.quality, valid: c.valid }),
    ),
  }));
  return { layers: model.layers, connectivity, weights: model.weights, masks: model.masks };
}

/** A trained network as the pricing needs it, in memory. */
export interface PricingInput {
  runDir: string;
  config: Readonly<ExperimentConfig>;
  /** Folder the config's relative paths (presets, dataset) resolve against. */
  baseDir: string;
  status: RunResult['status'];
  weightsNote?: string;
  layers: number[];
  weights: Float32Array[];
  masks: Uint8Array[];
  connectivity: LayerConnectivity[];
}

export interface EvaluateOptions {
  crossbars?: number[];
  presets?: string[];
  timesteps?: number;
  images?: number;
  encoding?: 'poisson' | 'rate';
  /** evaluateRun: write evaluation.json into the run folder (default true). */
  write?: boolean;
  /** The run's dataset when the caller already has it in memory (the end of a run); read from disk otherwise. */
  data?: Dataset;
  /** Hardware accuracy over this many simulated chips per preset and size (0 or absent: not evaluated). */
  chips?: number;
  /** Accuracy-loss limit (fraction) for the derived reliable crossbar size (default 0.005 = 0.5 pt). */
  lossLimit?: number;
  /** Non-idealities switched off for the hardware accuracy. */
  ideal?: NonIdeality[];
  /** Test images for the hardware accuracy (default: the whole test set). */
  hardwareImages?: number;
  /** Spiking presets: also the spiking network's accuracy on each chip (as many images and timesteps as the SNN above). */
  hardwareSnn?: boolean;
  /** IR-aware placement of each crossbar's lines before the chips are built (default: the config's hardware.placement). */
  placement?: 'ir-aware' | 'none';
  /** Fault-aware remapping of each chip's crossbars for its stuck cells, measured with and without (default: the config's hardware.remap). */
  remap?: 'faults' | 'none';
  /** Spare word and bit lines per crossbar for the chips (default: the config's hardware.spareLines). */
  spares?: number;
  /** A measured stuck-cell CSV, relative to the working folder (default: the config's hardware.stuckCells, relative to the config). */
  stuckCells?: string;
  /** Progress of the hardware accuracy, one call per chip. */
  onChip?: (preset: string, size: number, seed: number, accuracy: number, seconds: number) => void;
}

/** Price a finished run folder again (other sizes, presets, T), reading it through the store; writes evaluation.json unless told not to. */
export async function evaluateRun(dir: string, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result || !rec.config) throw new UserError(dir, `is not a readable run folder${rec.problem ? ` (${rec.problem})` : ''}`);
  if (!rec.result.weightsFile) throw new UserError(dir, `has no weights yet (status ${rec.result.status})`);
  // Through the validator again, so that sections newer than the run get their schema defaults.
  const checked = validateConfig(rec.config);
  if (!checked.config) {
    const first = checked.problems.find((p) => p.severity === 'error');
    throw new IoError(path.join(dir, 'config.json'), `is damaged: ${first ? `${formatPath(first.path)}: ${first.message}` : 'not a valid config'}`);
  }
  const config: ExperimentConfig = checked.config;
  const baseDir = rec.result.configFile ? path.dirname(rec.result.configFile) : dir;
  const net = runConnectivity(dir);
  if (net.layers.join(',') !== config.network.layers.join(','))
    throw new IoError(path.join(dir, 'model.tnsr'), `is damaged or belongs to another run: its network ${net.layers.join('-')} is not the config's ${config.network.layers.join('-')}`);
  const evaluation = await evaluateNetwork({ runDir: dir, config, baseDir, status: rec.result.status, weightsNote: rec.result.weightsNote, ...net }, opts);
  if (opts.write !== false) {
    writeEvaluation(dir, evaluation);
    const own = ownSummary(evaluation, loadPreset(config.hardware.preset, baseDir).name, config.transform.crossbar, opts);
    if (own) updateHardwareSummary(dir, own);
  }
  return evaluation;
}

/**
 * result.json's summary from a new evaluation, when that measured hardware
 * accuracy at the run's own preset and size on the real device (nothing
 * switched off): the one record of the figure follows its latest measurement.
 */
function ownSummary(e: Evaluation, preset: string, size: number, opts: EvaluateOptions): RunHardwareSummary | undefined {
  const at = e.results.findIndex((r) => r.preset === preset && r.crossbarSize === size);
  if (at < 0 || !e.hardwareAccuracy || opts.ideal?.length) return undefined;
  return hardwareSummary({ ...e, results: [e.results[at]] });
}

/** Map at each crossbar size, convert to a spiking network and simulate it once, price with each preset — all in memory. */
export async function evaluateNetwork(input: PricingInput, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const { config, baseDir, layers, weights, masks, connectivity } = input;
  const dir = input.runDir;
  const hw = config.hardware;
  // The config's device overrides (hardware.device) apply to every preset priced here.
  const presets: Preset[] = (opts.presets ?? [hw.preset]).map((p) => withDeviceOverrides(loadPreset(p, baseDir), hw.device, 'hardware.device'));
  const mode = config.transform.mode;
  const formedFor = config.transform.crossbar;
  const crossbars = opts.crossbars ?? [formedFor];
  for (const x of crossbars) if (!Number.isInteger(x) || x < 8 || x > 512) throw new UserError('--crossbar', `sizes run from 8 to 512 (got ${x})`);
  const scheme = schemesFor(mode).shown;
  const notes: string[] = [];
  if ((mode === 'trannsformer' || mode === 'offline') && crossbars.some((x) => x !== formedFor))
    notes.push(`the clusters were formed for ${formedFor}×${formedFor} crossbars; at other sizes they are cut into pieces or packed as they are`);
  if (mode === 'original' || mode === 'pruning') notes.push(`${mode} does not depend on the crossbar size: only the tiling changes`);
  if (hw.device && Object.keys(hw.device).length)
    notes.push(`device fields from the config override the preset's: ${Object.entries(hw.device).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
  if (input.status === 'interrupted' || input.status === 'failed') notes.push(`the run is ${input.status}: ${input.weightsNote ?? 'weights as it stopped'}`);
  const mappings: NetworkMapping[] = crossbars.map((x) => mapLayers(scheme, connectivity, x));
  const data = opts.data ?? loadDataset(config.dataset, baseDir, config.training.seed);
  const snn = simulateSnn(
    layers,
    weights,
    masks,
    data.train,
    data.test,
    mappings.map((m) => m.layers.map((l) => l.crossbars)),
    { timesteps: opts.timesteps ?? hw.timesteps, encoding: opts.encoding ?? hw.encoding, images: opts.images ?? hw.snnImages, percentile: hw.percentile, seed: config.training.seed },
  );
  const results: PricedMapping[] = [];
  // Spare lines are silicon: every array is (x + S)² whether or not a chip needs them.
  const spareLines = opts.spares ?? hw.spareLines ?? 0;
  if (spareLines) notes.push(`every crossbar carries ${spareLines} spare word and bit lines: area priced at (x + ${spareLines})² cells per array`);
  for (const p of presets)
    mappings.forEach((m, mi) => {
      const x = m.crossbarSize;
      const warnings = x > p.maxCrossbar ? [`${x}×${x} exceeds ${p.name}'s largest reliable crossbar (${p.maxCrossbar}×${p.maxCrossbar})`] : [];
      const arrays = arraysPerMpe(p);
      results.push({
        crossbarSize: x,
        preset: p.name,
        scheme,
        mpes: m.total,
        perLayer: m.perLayer,
        utilisation: m.utilisation,
        area: networkArea(p, x + spareLines, m.total, arrays),
        energy: spikingEnergy(p, m.layers.map((l, li) => ({ crossbars: l.crossbars, spikes: snn.spikes[mi][li] })), arrays),
        adcEnergy_uJ: adcEnergy(p, m.layers.map((l) => l.crossbars), 8, arrays),
        adcArea_mm2: adcArea(p, x, m.total, arrays),
        warnings,
      });
    });
  const masked = () => weights.map((w, l) => Float32Array.from(w, (v, i) => (masks[l][i] ? v : 0)));
  // The levers of the config apply unless the caller (a CLI flag) says otherwise.
  const placement = (opts.placement ?? hw.placement) === 'ir-aware' ? ('ir-aware' as const) : undefined;
  const remap = (opts.remap ?? hw.remap) === 'faults' ? ('faults' as const) : undefined;
  const hardwareAccuracy = opts.chips
    ? await evaluateChips(layers, masked(), data, presets, crossbars, mappings.map((m) => m.layers.map((l) => l.crossbars)), {
        chips: opts.chips,
        lossLimit: opts.lossLimit ?? DEFAULT_LOSS_LIMIT,
        off: opts.ideal ?? [],
        images: opts.hardwareImages,
        output: config.network.output,
        percentile: hw.percentile,
        tolerance: DEFAULT_SOLVER_TOLERANCE,
        onChip: opts.onChip,
        ...(placement ? { placement } : {}),
        ...(remap ? { remap } : {}),
        spares: opts.spares ?? hw.spareLines ?? 0,
        ...(opts.stuckCells !== undefined || hw.stuckCells !== undefined ? { stuckMap: stuckMapFor(opts.stuckCells, hw.stuckCells, baseDir) } : {}),
        ...(opts.hardwareSnn
          ? { snn: { timesteps: opts.timesteps ?? hw.timesteps, encoding: opts.encoding ?? hw.encoding, images: opts.images ?? hw.snnImages, percentile: hw.percentile, seed: config.training.seed } }
          : {}),
      })
    : undefined;
  const evaluation: Evaluation = {
    runDir: dir,
    mode,
    createdAt: new Date().toISOString(),
    snn: { timesteps: snn.timesteps, encoding: snn.encoding, images: snn.images, accuracy: snn.accuracy, annAccuracy: snn.annAccuracy, curve: snn.curve, meanRates: snn.meanRates },
    results,
    presets: presets.map((p) => ({ name: p.name, file: p.file, maxCrossbar: p.maxCrossbar, caveats: presetCaveats(p) })),
    notes,
    ...(hardwareAccuracy ? { hardwareAccuracy } : {}),
  };
  return evaluation;
}

const f = (x: number, d = 3) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(d));

export function formatEvaluation(e: Evaluation): string {
  const head = ['preset', 'crossbar', 'mPEs', 'util', 'area mm²', 'energy µJ', 'crossbar', 'neuron', 'comm', 'ADC ANN µJ'];
  const rows = e.results.map((r) => [
    r.preset,
    `${r.crossbarSize}×${r.crossbarSize}`,
    String(r.mpes),
    `${(100 * r.utilisation).toFixed(1)}%`,
    f(r.area.total_mm2),
    f(r.energy.total_uJ),
    f(r.energy.crossbar_uJ),
    f(r.energy.neuron_uJ),
    f(r.energy.communication_uJ),
    r.adcEnergy_uJ === undefined ? '—' : f(r.adcEnergy_uJ),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((s, i) => (i === 0 ? s.padEnd(w[i]) : s.padStart(w[i]))).join('  ');
  const out = [
    `${path.basename(e.runDir)} (${e.mode}): SNN ${(100 * e.snn.accuracy).toFixed(2)}% vs ANN ${(100 * e.snn.annAccuracy).toFixed(2)}% on ${e.snn.images} test images, T = ${e.snn.timesteps} (${e.snn.encoding})`,
    `accuracy vs T: ${e.snn.curve.map((c) => `${c.timesteps}: ${(100 * c.accuracy).toFixed(1)}%`).join(', ')}`,
    line(head),
    line(w.map((n) => '─'.repeat(n))),
    ...rows.map(line),
    'Area and energy are model estimates from the presets, not measured silicon.',
  ];
  if (e.hardwareAccuracy) out.push(...formatHardwareAccuracy(e.hardwareAccuracy));
  for (const r of e.results) for (const wn of r.warnings) out.push(`warning: ${wn}`);
  for (const n of e.notes) out.push(`note: ${n}`);
  for (const p of e.presets) for (const c of p.caveats) out.push(`${p.name}: ${c}`);
  return out.join('\n');
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The hardware-accuracy table: software vs hardware (mean ± std, min–max) per preset and size, and the reliable sizes. */
/** Accuracy points with their sign. */
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(2)}`;

export function formatHardwareAccuracy(h: HardwareAccuracyReport): string[] {
  const head = ['preset', 'crossbar', 'software', 'hardware mean ± std', 'min–max', 'loss', 'ADC', 'DAC', 's/chip', 'SNN on chip', 'placed: IR error', 'remap recovered', 'spares: area'];
  const rows = h.results.map((r) => [
    r.preset,
    `${r.crossbarSize}×${r.crossbarSize}`,
    pct(h.softwareAccuracy),
    `${pct(r.accuracy.mean)} ± ${r.accuracy.std === undefined ? '—' : (100 * r.accuracy.std).toFixed(2)}`,
    `${pct(r.accuracy.min)}–${pct(r.accuracy.max)}`,
    `${(100 * r.loss).toFixed(2)} pt`,
    r.adcBits ? `${r.adcBits} b` : '—',
    r.dacBits ? `${r.dacBits} b` : '—',
    r.secondsPerChip.toFixed(1),
    r.snnAccuracy ? `${pct(r.snnAccuracy.mean)} ± ${r.snnAccuracy.std === undefined ? '—' : (100 * r.snnAccuracy.std).toFixed(2)}` : '—',
    r.placement ? `${r.placement.reordered}/${r.placement.crossbars}: ${(100 * r.placement.errorBefore).toFixed(2)} → ${(100 * r.placement.errorAfter).toFixed(2)}%` : '—',
    r.remap ? `${r.remap.recovered.mean >= 0 ? '+' : '−'}${(100 * Math.abs(r.remap.recovered.mean)).toFixed(2)} pt (${signed(r.remap.recovered.min)}…${signed(r.remap.recovered.max)})` : '—',
    r.spareLines ? `${r.spareLines}: +${f(r.spareArea_mm2 ?? 0)} mm² (+${(100 * (r.spareAreaFraction ?? 0)).toFixed(1)}%)` : '—',
  ]);
  const w = head.map((x, i) => Math.max(x.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ');
  return [
    '',
    `Accuracy on simulated chips (${h.chips} per preset and size, ${h.images} test images; std over chips):`,
    line(head),
    line(w.map((n) => '─'.repeat(n))),
    ...rows.map(line),
    ...h.results.flatMap((r) =>
      r.remap
        ? [`${r.preset} ${r.crossbarSize}×${r.crossbarSize} remapping per chip (seed: without → with): ${r.chipSeeds.map((sd, i) => `${sd}${r.measuredChips?.includes(sd) ? ' (measured)' : ''}: ${pct(r.remap?.perChipWithout[i] ?? 0)} → ${pct(r.perChip[i])}`).join(', ')}`]
        : [],
    ),
    ...h.reliable.map(
      (r) =>
        `${r.preset}: reliable crossbar (derived, within ${(100 * h.lossLimit).toFixed(2)} pt of software): ${r.derived ? `${r.derived}×${r.derived}` : 'none of the sizes tried'}; the source's claim: ${r.claimed}×${r.claimed}`,
    ),
    ...h.notes.map((n) => `note: ${n}`),
    'Hardware accuracy is a simulation from the presets\' device models, not measured silicon.',
  ];
}

/** The figures result.json keeps: the first priced mapping (configured size and preset). */
export function hardwareSummary(e: Evaluation): RunHardwareSummary {
  const r = e.results[0];
  const ha = e.hardwareAccuracy;
  const hr = ha?.results.find((x) => x.preset === r.preset && x.crossbarSize === r.crossbarSize);
  const rel = ha?.reliable.find((x) => x.preset === r.preset);
  return {
    preset: r.preset,
    crossbarSize: r.crossbarSize,
    snnAccuracy: e.snn.accuracy,
    annAccuracy: e.snn.annAccuracy,
    images: e.snn.images,
    timesteps: e.snn.timesteps,
    area_mm2: r.area.total_mm2,
    energy_uJ: r.energy.total_uJ,
    crossbar_uJ: r.energy.crossbar_uJ,
    neuron_uJ: r.energy.neuron_uJ,
    communication_uJ: r.energy.communication_uJ,
    ...(r.adcEnergy_uJ !== undefined ? { adcEnergy_uJ: r.adcEnergy_uJ } : {}),
    ...(ha && hr && rel
      ? {
          hardwareAccuracy: {
            softwareAccuracy: ha.softwareAccuracy,
            mean: hr.accuracy.mean,
            ...(hr.accuracy.std !== undefined ? { std: hr.accuracy.std } : {}),
            min: hr.accuracy.min,
            max: hr.accuracy.max,
            chips: ha.chips,
            ...(rel.derived !== undefined ? { reliableCrossbar: rel.derived } : {}),
            claimedCrossbar: rel.claimed,
            lossLimit: ha.lossLimit,
          },
        }
      : {}),
  };
}
