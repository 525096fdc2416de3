/**
 * `compare`: the paper's experiment — the same config trained as original,
 * plain pruning and TraNNsformer (optionally the offline ablation), on the
 * same data and seed; then one table of accuracy, mPEs, utilisation and the
 * reductions against the original and against pruning. With several seeds
 * (`--seeds`, `compare.seeds`) every mode trains once per seed and the
 * table gives mean ± sample standard deviation and min–max per mode, and a
 * verdict that calls a difference within the spread "no measurable loss".
 */
import * as path from 'node:path';
import type { TransformMode } from '../config/schema';
import type { LoadedConfig } from '../config/resolve';
import { executeSweep, inlineJobs } from './sweep';
import { compareFile, FILES, readCompare, readRun, writeCompare } from '../store/runFolder';
import { memberRunDir } from '../store/compareRuns';
import { readJobRecord } from '../store/sweepFolder';
import { evaluateRun, hardwareSummary, type EvaluateOptions } from './evaluate';
import { UserError } from '../core/errors';
import type { EngineEvent } from '../events';

import type { RunHardwareSummary } from '../format/run';
import type { CompareModeSummary, CompareRow, CompareResult, Spread } from '../format/compare';
import type { SweepRecord } from '../format/sweep';
import { summarizeCompare } from './compareStats';

/** The seeds a comparison trains with: the flag's, else the config's compare.seeds, else training.seed. */
export function compareSeeds(config: LoadedConfig['config'], flag?: number[]): number[] {
  const seeds = flag ?? config.compare?.seeds ?? [config.training.seed];
  if (seeds.length === 0) throw new UserError(flag ? '--seeds' : 'compare.seeds', 'needs at least one seed');
  if (new Set(seeds).size !== seeds.length) throw new UserError(flag ? '--seeds' : 'compare.seeds', `lists a seed twice (${seeds.join(', ')})`);
  return seeds;
}

export async function executeCompare(opts: {
  loaded: LoadedConfig;
  outRoot: string;
  modes: TransformMode[];
  /** Seeds to train every mode with (default: compareSeeds of the config). */
  seeds?: number[];
  emit: (e: EngineEvent) => void;
  signal?: AbortSignal;
}): Promise<CompareResult> {
  const base = opts.loaded.config;
  const seeds = compareSeeds(base, opts.seeds);
  // One seed, the config's own: the runs are named by mode alone, as always.
  const seedAxis = !(seeds.length === 1 && seeds[0] === base.training.seed);
  // A comparison is a sweep over transform.mode (and the seeds), run in this process one run after another (each run's events pass through).
  const sweep = await executeSweep({
    loaded: opts.loaded,
    outRoot: opts.outRoot,
    kind: 'compare',
    spec: { grid: seedAxis ? { mode: opts.modes, seed: seeds } : { mode: opts.modes } },
    jobName: (config) => (seedAxis ? `${config.transform.mode}-s${config.training.seed}` : config.transform.mode),
    emit: (e) => {
      if (e.type === 'sweep-job' && e.status === 'started') opts.emit({ type: 'log', level: 'info', message: `compare: ${e.name}` });
      if (e.type !== 'sweep-started' && e.type !== 'sweep-job' && e.type !== 'sweep-progress') opts.emit(e);
    },
    signal: opts.signal,
    runJobs: inlineJobs((e) => opts.emit(e)),
  });
  return writeCompareRecord(sweep.dir, sweep.record);
}

/**
 * compare.json from the comparison's sweep record and its run folders: one
 * row per training (its result.json's figures), the reductions and the
 * table over seeds. Written at the end of a comparison and again when one
 * of its runs is resumed on its own (experiment/memberRecords.ts).
 */
export function writeCompareRecord(dir: string, rec: SweepRecord): CompareResult {
  const rows: CompareRow[] = [];
  for (const job of rec.jobs) {
    const runDir = readJobRecord(dir, job.id)?.runDir;
    const r = runDir ? readRun(runDir).result : undefined;
    if (!runDir || !r) continue;
    const m = r.mapping;
    const point = rec.points.find((p) => p.jobId === job.id)!;
    rows.push({
      mode: point.mode,
      seed: point.seed,
      status: r.status,
      runDir,
      testAccuracy: r.final?.testAccuracy,
      mpes: m?.mpes,
      shown: m?.shown,
      paperMpes: m?.schemes.paper?.total,
      compactSkipMpes: m?.schemes['compact-skip']?.total,
      utilisation: m?.utilisation,
      keptFraction: m?.keptFraction,
      clusteredFraction: m?.clusteredFraction,
      seconds: r.seconds,
      hardware: r.hardware && !('error' in r.hardware) ? pickHardware(r.hardware) : undefined,
    });
  }
  computeRatios(rows);
  // Every point trains with the comparison's crossbar and epochs; the seeds in the order they were asked for.
  const first = rec.points[0];
  const seeds = [...new Set(rec.points.map((p) => p.seed))];
  const result: CompareResult = { name: rec.name, crossbarSize: first.crossbar, epochs: first.epochs, seeds, rows, summary: summarizeCompare(rows), dir };
  writeCompare(dir, result);
  return result;
}

function pickHardware(h: RunHardwareSummary): NonNullable<CompareRow['hardware']> {
  return { preset: h.preset, snnAccuracy: h.snnAccuracy, area_mm2: h.area_mm2, energy_uJ: h.energy_uJ, crossbar_uJ: h.crossbar_uJ, neuron_uJ: h.neuron_uJ, communication_uJ: h.communication_uJ };
}

/** Reductions (1 − x ÷ reference) of mPEs, area and energy against the original and the pruning rows of the same seed. */
function computeRatios(rows: CompareRow[]): void {
  const red = (x: number | undefined, ref: number | undefined) => (x !== undefined && ref ? 1 - x / ref : undefined);
  for (const r of rows) {
    const orig = rows.find((o) => o.mode === 'original' && o.seed === r.seed);
    const prun = rows.find((o) => o.mode === 'pruning' && o.seed === r.seed);
    r.reductionVsOriginal = red(r.mpes, orig?.mpes);
    r.reductionVsPruning = red(r.mpes, prun?.mpes);
    if (r.hardware) {
      r.hardware.areaVsOriginal = red(r.hardware.area_mm2, orig?.hardware?.area_mm2);
      r.hardware.energyVsOriginal = red(r.hardware.energy_uJ, orig?.hardware?.energy_uJ);
      r.hardware.areaVsPruning = red(r.hardware.area_mm2, prun?.hardware?.area_mm2);
      r.hardware.energyVsPruning = red(r.hardware.energy_uJ, prun?.hardware?.energy_uJ);
    }
  }
}

/** Price every run of a finished comparison again (other preset, T, images), and update compare.json. */
export async function evaluateCompare(dir: string, opts: EvaluateOptions): Promise<CompareResult> {
  const c = readCompare(dir);
  if (!c) throw new UserError(path.join(dir, FILES.compare), 'is missing or is not a comparison record');
  // Every row's folder is checked first: a record naming a folder outside the comparison changes nothing.
  const dirs = c.rows.map((r, i) => memberRunDir(dir, compareFile(dir), i, (r as Partial<CompareRow> | null)?.runDir));
  for (const [i, r] of c.rows.entries()) {
    const e = await evaluateRun(dirs[i], { ...opts, crossbars: opts.crossbars?.slice(0, 1) ?? [c.crossbarSize], presets: opts.presets?.slice(0, 1) });
    r.hardware = pickHardware(hardwareSummary(e));
  }
  computeRatios(c.rows);
  c.summary = summarizeCompare(c.rows);
  c.dir = dir;
  writeCompare(dir, c);
  return c;
}

const pct = (x: number | undefined, digits = 2) => (x === undefined ? '—' : `${(100 * x).toFixed(digits)}%`);
const signedPct = (x: number | undefined) => (x === undefined ? '—' : Math.abs(x) < 5e-4 ? '0.0%' : `${x > 0 ? '−' : '+'}${Math.abs(100 * x).toFixed(1)}%`);

/** "97.91 ± 0.03%" (sample std), "−0.76 ± 0.05 pt" — one value alone has no spread. */
const meanStd = (x: Spread | undefined, unit: 'pct' | 'count' | 'pt'): string => {
  if (!x) return '—';
  const f = (v: number) => (unit === 'count' ? v.toFixed(x.n > 1 ? 1 : 0) : (100 * v).toFixed(2));
  const mean = unit === 'pt' ? `${x.mean > 0 ? '+' : x.mean < 0 ? '−' : ''}${f(Math.abs(x.mean))}` : f(x.mean);
  const suffix = unit === 'pct' ? '%' : unit === 'pt' ? ' pt' : '';
  return x.std === undefined ? `${mean}${suffix}` : `${mean} ± ${f(x.std)}${suffix}`;
};
/** "97.88–97.94" — the range over seeds. */
const range = (x: Spread | undefined, unit: 'pct' | 'count'): string =>
  !x ? '—' : unit === 'count' ? `${x.min}–${x.max}` : `${(100 * x.min).toFixed(2)}–${(100 * x.max).toFixed(2)}%`;

/** The per-mode table over seeds: mean ± sample std and min–max of accuracy and mPEs, the paired Δ and its verdict. */
export function formatCompareSummary(summary: readonly CompareModeSummary[]): string {
  const head = ['mode', 'seeds', 'test acc (mean ± std)', 'min–max', 'Δ acc vs original', 'mPEs (mean ± std)', 'min–max', 'vs original', 'vs pruning', 'verdict'];
  const body = summary.map((s) => [
    s.mode,
    `${s.completed}/${s.seeds.length}`,
    meanStd(s.testAccuracy, 'pct'),
    range(s.testAccuracy, 'pct'),
    s.mode === 'original' ? '—' : meanStd(s.deltaAccuracy, 'pt'),
    meanStd(s.mpes, 'count'),
    range(s.mpes, 'count'),
    signedPct(s.reductionVsOriginal),
    signedPct(s.reductionVsPruning),
    s.verdict.text,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 || i === cells.length - 1 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)].join('\n');
}

/** The paper's table, as text. Reductions are shown as "−28.0%" (fewer mPEs) or "+5.0%" (more). With several seeds, the table over seeds first, then one row per run. */
export function formatCompareTable(c: CompareResult): string {
  const seeds = new Set(c.rows.map((r) => r.seed));
  const several = seeds.size > 1;
  const head = ['mode', ...(several ? ['seed'] : []), 'test acc', 'Δ acc', 'mPEs', 'mapping', 'paper map', 'util', 'kept / layer', 'vs original', 'vs pruning'];
  const body = c.rows.map((r) => {
    const orig = c.rows.find((o) => o.mode === 'original' && o.seed === r.seed);
    return [
      r.mode + (r.status !== 'completed' ? ` (${r.status})` : ''),
      ...(several ? [r.seed?.toString() ?? '—'] : []),
      pct(r.testAccuracy),
      orig?.testAccuracy !== undefined && r.testAccuracy !== undefined ? `${((r.testAccuracy - orig.testAccuracy) * 100).toFixed(2)} pt` : '—',
      r.mpes?.toString() ?? '—',
      r.shown ?? '—',
      r.paperMpes?.toString() ?? '—',
      pct(r.utilisation, 1),
      r.keptFraction ? r.keptFraction.map((k) => `${Math.round(100 * k)}%`).join('/') : '—',
      signedPct(r.reductionVsOriginal),
      signedPct(r.reductionVsPruning),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
  const summary = c.summary ?? summarizeCompare(c.rows);
  const out = [`${c.name}: ${c.epochs} epochs, ${c.crossbarSize}×${c.crossbarSize} crossbars (mPE counts are model estimates of the mapping, not silicon)`];
  if (several)
    out.push(
      `over ${seeds.size} seeds (${[...seeds].join(', ')}): mean ± sample standard deviation, and min–max; a Δ no larger than the spread is no measurable loss`,
      formatCompareSummary(summary),
      '',
      'per run:',
    );
  out.push(line(head), line(widths.map((w) => '─'.repeat(w))), ...body.map(line));
  if (!several) {
    const verdicts = summary.filter((s) => s.mode !== 'original' && s.verdict.kind !== 'unavailable');
    if (verdicts.length) out.push(...verdicts.map((s) => `${s.mode}: ${s.verdict.text}`));
  }
  const priced = c.rows.filter((r) => r.hardware);
  if (priced.length) {
    const h = priced[0].hardware!;
    const head2 = ['mode', 'ANN acc', 'SNN acc', 'area mm²', 'energy µJ', 'xbar/neur/comm µJ', 'area vs orig', 'energy vs orig', 'area vs prun', 'energy vs prun'];
    const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
    const body2 = priced.map((r) => {
      const hw = r.hardware!;
      return [several ? `${r.mode} s${r.seed ?? '?'}` : r.mode, pct(r.testAccuracy), pct(hw.snnAccuracy), f(hw.area_mm2), f(hw.energy_uJ), `${f(hw.crossbar_uJ)}/${f(hw.neuron_uJ)}/${f(hw.communication_uJ)}`, signedPct(hw.areaVsOriginal), signedPct(hw.energyVsOriginal), signedPct(hw.areaVsPruning), signedPct(hw.energyVsPruning)];
    });
    const w2 = head2.map((hh, i) => Math.max(hh.length, ...body2.map((b) => b[i].length)));
    const line2 = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(w2[i]) : s.padStart(w2[i]))).join('  ');
    out.push('', `Spiking implementation on ${h.preset} (model estimates, not silicon); energy per classification:`, line2(head2), line2(w2.map((w) => '─'.repeat(w))), ...body2.map(line2));
  }
  return out.join('\n');
}
