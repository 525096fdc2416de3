/**
 * `compare`: the paper's experiment — the same config trained as original,
 * plain pruning and TraNNsformer (optionally the offline ablation), on the
 * same data and seed; then one table of accuracy, mPEs, utilisation and the
 * reductions against the original and against pruning.
 */
import * as path from 'node:path';
import type { TransformMode } from '../config/schema';
import type { LoadedConfig } from '../config/resolve';
import { executeSweep, inlineJobs } from './sweep';
import { FILES, readCompare, readRun, writeCompare } from '../store/runFolder';
import { readJobRecord } from '../store/sweepFolder';
import { evaluateRun, hardwareSummary, type EvaluateOptions } from './evaluate';
import { UserError } from '../core/errors';
import type { EngineEvent } from '../events';

import type { RunHardwareSummary } from '../format/run';
import type { CompareRow, CompareResult } from '../format/compare';
export async function executeCompare(opts: {
  loaded: LoadedConfig;
  outRoot: string;
  modes: TransformMode[];
  emit: (e: EngineEvent) => void;
  signal?: AbortSignal;
}): Promise<CompareResult> {
  const base = opts.loaded.config;
  // A comparison is a sweep over transform.mode, run in this process one mode after another (each run's events pass through).
  const sweep = await executeSweep({
    loaded: opts.loaded,
    outRoot: opts.outRoot,
    kind: 'compare',
    spec: { grid: { mode: opts.modes } },
    jobName: (config) => config.transform.mode,
    emit: (e) => {
      if (e.type === 'sweep-job' && e.status === 'started') opts.emit({ type: 'log', level: 'info', message: `compare: ${e.name}` });
      if (e.type !== 'sweep-started' && e.type !== 'sweep-job' && e.type !== 'sweep-progress') opts.emit(e);
    },
    signal: opts.signal,
    runJobs: inlineJobs((e) => opts.emit(e)),
  });
  const dir = sweep.dir;
  const rows: CompareRow[] = [];
  for (const job of sweep.record.jobs) {
    const runDir = readJobRecord(dir, job.id)?.runDir;
    const r = runDir ? readRun(runDir).result : undefined;
    if (!runDir || !r) continue;
    const m = r.mapping;
    rows.push({
      mode: sweep.record.points.find((p) => p.jobId === job.id)!.mode,
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
  const result: CompareResult = { name: base.name, crossbarSize: base.transform.crossbar, epochs: base.training.epochs, rows, dir };
  writeCompare(dir, result);
  return result;
}

function pickHardware(h: RunHardwareSummary): NonNullable<CompareRow['hardware']> {
  return { preset: h.preset, snnAccuracy: h.snnAccuracy, area_mm2: h.area_mm2, energy_uJ: h.energy_uJ, crossbar_uJ: h.crossbar_uJ, neuron_uJ: h.neuron_uJ, communication_uJ: h.communication_uJ };
}

/** Reductions (1 − x ÷ reference) of mPEs, area and energy against the original and the pruning rows. */
function computeRatios(rows: CompareRow[]): void {
  const orig = rows.find((r) => r.mode === 'original');
  const prun = rows.find((r) => r.mode === 'pruning');
  const red = (x: number | undefined, ref: number | undefined) => (x !== undefined && ref ? 1 - x / ref : undefined);
  for (const r of rows) {
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
export function evaluateCompare(dir: string, opts: EvaluateOptions): CompareResult {
  const c = readCompare(dir);
  if (!c) throw new UserError(path.join(dir, FILES.compare), 'is missing or is not a comparison record');
  for (const r of c.rows) {
    const e = evaluateRun(r.runDir, { ...opts, crossbars: opts.crossbars?.slice(0, 1) ?? [c.crossbarSize], presets: opts.presets?.slice(0, 1) });
    r.hardware = pickHardware(hardwareSummary(e));
  }
  computeRatios(c.rows);
  c.dir = dir;
  writeCompare(dir, c);
  return c;
}

const pct = (x: number | undefined, digits = 2) => (x === undefined ? '—' : `${(100 * x).toFixed(digits)}%`);
const signedPct = (x: number | undefined) => (x === undefined ? '—' : Math.abs(x) < 5e-4 ? '0.0%' : `${x > 0 ? '−' : '+'}${Math.abs(100 * x).toFixed(1)}%`);

/** The paper's table, as text. Reductions are shown as "−28.0%" (fewer mPEs) or "+5.0%" (more). */
export function formatCompareTable(c: CompareResult): string {
  const orig = c.rows.find((r) => r.mode === 'original');
  const head = ['mode', 'test acc', 'Δ acc', 'mPEs', 'mapping', 'paper map', 'util', 'kept / layer', 'vs original', 'vs pruning'];
  const body = c.rows.map((r) => [
    r.mode + (r.status !== 'completed' ? ` (${r.status})` : ''),
    pct(r.testAccuracy),
    orig?.testAccuracy !== undefined && r.testAccuracy !== undefined ? `${((r.testAccuracy - orig.testAccuracy) * 100).toFixed(2)} pt` : '—',
    r.mpes?.toString() ?? '—',
    r.shown ?? '—',
    r.paperMpes?.toString() ?? '—',
    pct(r.utilisation, 1),
    r.keptFraction ? r.keptFraction.map((k) => `${Math.round(100 * k)}%`).join('/') : '—',
    signedPct(r.reductionVsOriginal),
    signedPct(r.reductionVsPruning),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
  const out = [
    `${c.name}: ${c.epochs} epochs, ${c.crossbarSize}×${c.crossbarSize} crossbars (mPE counts are model estimates of the mapping, not silicon)`,
    line(head),
    line(widths.map((w) => '─'.repeat(w))),
    ...body.map(line),
  ];
  const priced = c.rows.filter((r) => r.hardware);
  if (priced.length) {
    const h = priced[0].hardware!;
    const head2 = ['mode', 'ANN acc', 'SNN acc', 'area mm²', 'energy µJ', 'xbar/neur/comm µJ', 'area vs orig', 'energy vs orig', 'area vs prun', 'energy vs prun'];
    const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
    const body2 = priced.map((r) => {
      const hw = r.hardware!;
      return [r.mode, pct(r.testAccuracy), pct(hw.snnAccuracy), f(hw.area_mm2), f(hw.energy_uJ), `${f(hw.crossbar_uJ)}/${f(hw.neuron_uJ)}/${f(hw.communication_uJ)}`, signedPct(hw.areaVsOriginal), signedPct(hw.energyVsOriginal), signedPct(hw.areaVsPruning), signedPct(hw.energyVsPruning)];
    });
    const w2 = head2.map((hh, i) => Math.max(hh.length, ...body2.map((b) => b[i].length)));
    const line2 = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(w2[i]) : s.padStart(w2[i]))).join('  ');
    out.push('', `Spiking implementation on ${h.preset} (model estimates, not silicon); energy per classification:`, line2(head2), line2(w2.map((w) => '─'.repeat(w))), ...body2.map(line2));
  }
  return out.join('\n');
}
