/**
 * What the Pareto panel is sent: one design point per completed run (stand-
 * alone or in a comparison) with area, energy, accuracy, loss of accuracy
 * against the comparison's original run, and mPEs; for every ordered pair of
 * axes, which points the pair's non-dominated front holds. The webview
 * recomputes nothing. A sweep contributes its priced points (read from its
 * pareto.json through the store), not its training runs. No `vscode`:
 * tested in plain Node.
 */
import * as path from 'node:path';

import { readRunsFolder, sweepFiles } from '../runsModel';
import { checkRun, isNum, okRun } from '../records';

import type { RunRecord } from '../../engine/format/run';
import type { SweepFront } from '../../engine/format/sweep';
import type { Spread } from '../../engine/format/compare';
import type { ParetoMetric, ParetoPoint, ParetoSweepSummary, ParetoView } from '../../protocol/webview';
import { nonDominated2, type Sense } from '../../engine/core/pareto';

export const PARETO_METRICS: ParetoMetric[] = ['area', 'energy', 'accuracy', 'accuracyLoss', 'mpes', 'hwAccuracy'];
export const MINIMISE: Record<ParetoMetric, boolean> = { area: true, energy: true, accuracy: false, accuracyLoss: true, mpes: true, hwAccuracy: false };

/** A group of runs: a comparison folder (its runs compared against its original run) or a stand-alone run. */
export interface PointSource {
  compareDir?: string;
  runs: RunRecord[];
}

/** Design points of completed runs; runs without a final accuracy are left out. */
export function paretoPoints(sources: PointSource[]): ParetoPoint[] {
  const points: ParetoPoint[] = [];
  for (const s of sources) {
    const runs = s.runs.map(checkRun);
    const original = s.compareDir ? runs.find((r) => okRun(r)?.config.transform.mode === 'original' && r.result?.status === 'completed') : undefined;
    const baseAcc = original?.result?.final?.testAccuracy;
    for (const r of runs) {
      const ok = okRun(r);
      const res = ok?.result;
      if (!ok || !res || res.status !== 'completed' || !res.final) continue;
      const hw = res.hardware && !('error' in res.hardware) ? res.hardware : undefined;
      const chips = hw?.hardwareAccuracy;
      // Only finite figures are drawn (a huge accuracy in a damaged record would make an infinite loss).
      const { values } = paretoValues({
        accuracy: res.final.testAccuracy,
        accuracyLoss: baseAcc !== undefined ? baseAcc - res.final.testAccuracy : undefined,
        mpes: res.mapping?.mpes,
        area: hw?.area_mm2,
        energy: hw?.energy_uJ,
        hwAccuracy: chips?.mean,
      });
      points.push({
        key: r.dir,
        name: res.name,
        mode: ok.config.transform.mode,
        crossbar: ok.config.transform.crossbar,
        ...(hw ? { preset: hw.preset } : {}),
        ...(s.compareDir ? { compare: path.basename(s.compareDir) } : {}),
        epochs: res.epochsCompleted,
        values,
        dominated: {},
        ...(chips ? { hwChips: { chips: chips.chips, ...(chips.std !== undefined ? { std: chips.std } : {}), min: chips.min, max: chips.max } } : {}),
      });
    }
  }
  return points;
}

const axisText = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v) ?? String(v));

/**
 * The design points of a sweep (its `pareto.json`, read through the store):
 * every point that has been priced — a training re-priced at a crossbar size
 * and preset — keyed by its training's run folder (click opens that mapping).
 * Pending, running and failed points are left out; they count in the summary.
 */
export function sweepParetoPoints(dir: string, front: SweepFront): ParetoPoint[] {
  const folder = path.basename(dir);
  // Several seeds: one point per design at its means, with the spread over its seeds.
  if (front.designs?.length) return designParetoPoints(dir, folder, front);
  const points: ParetoPoint[] = [];
  for (const p of front.points) {
    const f = p.figures;
    if (p.status !== 'completed' || !f) continue;
    const { values } = paretoValues({ accuracy: f.testAccuracy, accuracyLoss: p.accuracyLoss, mpes: f.mpes, area: f.area_mm2, energy: f.energy_uJ, hwAccuracy: f.hwAccuracy });
    const warnings = f.warnings?.length ? [...f.warnings] : undefined;
    points.push({
      key: p.runDir ?? dir,
      name: `${p.id} · ${p.mode} ${p.crossbar}×${p.crossbar} · ${p.preset}`,
      mode: p.mode,
      crossbar: p.crossbar,
      preset: p.preset,
      compare: folder,
      epochs: p.epochs,
      values,
      dominated: {},
      // An invalid point is never shown as recommended, whatever pareto.json says.
      sweep: {
        id: p.id,
        folder,
        axes: Object.fromEntries(Object.entries(p.axes).map(([k, v]) => [k, axisText(v)])),
        repriced: p.repriced === true,
        recommended: front.recommended === p.id && !warnings,
        onFront: Array.isArray(front.front) && front.front.includes(p.id),
      },
      ...(warnings ? { warnings } : {}),
      ...(f.beyondClaim ? { beyondClaim: f.beyondClaim } : {}),
      ...(values.hwAccuracy !== undefined && chipSpread(f.hwAccuracySpread) ? { hwChips: chipSpread(f.hwAccuracySpread) } : {}),
      ...(isNum(f.trainSeconds) && f.trainSeconds >= 0 ? { trainSeconds: f.trainSeconds } : {}),
    });
  }
  return points;
}

/** A sweep point's spread over chips as the tooltip shows it, when pareto.json holds one that reads as numbers. */
function chipSpread(s: unknown): ParetoPoint['hwChips'] {
  const c = s as Partial<NonNullable<ParetoPoint['hwChips']>> | undefined;
  const n = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!c || typeof c !== 'object' || !n(c.min) || !n(c.max) || !Number.isInteger(c.chips) || c.chips! < 1) return undefined;
  return { chips: c.chips!, min: c.min, max: c.max, ...(n(c.std) ? { std: c.std } : {}) };
}

/** A point's metrics: plain figures, or spreads over seeds (their means as values, the rest as the spread); non-finite ones left out. */
function paretoValues(figures: Partial<Record<ParetoMetric, number | Spread | undefined>>): Pick<ParetoPoint, 'values'> & { spread: NonNullable<ParetoPoint['spread']> } {
  const values: ParetoPoint['values'] = {};
  const spread: NonNullable<ParetoPoint['spread']> = {};
  for (const [m, v] of Object.entries(figures) as [ParetoMetric, number | Spread | undefined][]) {
    if (typeof v === 'number') {
      if (Number.isFinite(v)) values[m] = v;
    } else if (v && isNum(v.mean)) {
      values[m] = v.mean;
      spread[m] = { n: v.n, min: v.min, max: v.max, ...(v.std !== undefined ? { std: v.std } : {}) };
    }
  }
  return { values, spread };
}

/** The distinct warnings of a design's priced points (the design record keeps only a flag). */
function designWarnings(front: SweepFront, ids: readonly string[]): string[] | undefined {
  const ws = [...new Set(front.points.filter((p) => ids.includes(p.id)).flatMap((p) => p.figures?.warnings ?? []))];
  return ws.length ? ws : undefined;
}

function designParetoPoints(dir: string, folder: string, front: SweepFront): ParetoPoint[] {
  const runOf = new Map(front.points.map((p) => [p.id, p.runDir]));
  const points: ParetoPoint[] = [];
  for (const d of front.designs ?? []) {
    if (d.done === 0) continue;
    const { values, spread } = paretoValues({ accuracy: d.testAccuracy, accuracyLoss: d.accuracyLoss, mpes: d.mpes, area: d.area_mm2, energy: d.energy_uJ, hwAccuracy: d.hwAccuracy });
    const warnings = designWarnings(front, d.pointIds) ?? (d.warnings ? ['priced beyond its preset\'s largest reliable crossbar'] : undefined);
    points.push({
      key: d.pointIds.map((id) => runOf.get(id)).find((r) => r !== undefined) ?? dir,
      name: `${d.id} · ${d.mode} ${d.crossbar}×${d.crossbar} · ${d.preset} · ${d.done} seed${d.done === 1 ? '' : 's'}`,
      mode: d.mode,
      crossbar: d.crossbar,
      preset: d.preset,
      compare: folder,
      epochs: front.points.find((p) => p.id === d.pointIds[0])?.epochs ?? 0,
      values,
      spread,
      dominated: {},
      sweep: {
        id: d.id,
        folder,
        axes: Object.fromEntries(Object.entries(d.axes).map(([k, v]) => [k, axisText(v)])),
        repriced: false,
        recommended: front.recommendedDesign === d.id && !warnings,
        onFront: Array.isArray(front.designFront) && front.designFront.includes(d.id),
        seeds: d.seeds,
        ...(d.verdict ? { verdict: d.verdict.text } : {}),
      },
      ...(warnings ? { warnings } : {}),
    });
  }
  return points;
}

/** Whether the sweep's recommended point (or design) carries pricing warnings: then the panel recommends nothing. */
function recommendsInvalid(front: SweepFront): string | undefined {
  const id = front.designs?.length ? front.recommendedDesign : front.recommended;
  if (id === undefined) return undefined;
  const ids = front.designs?.length ? (front.designs.find((d) => d.id === id)?.pointIds ?? []) : [id];
  const bad = designWarnings(front, ids) ?? (front.designs?.find((d) => d.id === id)?.warnings ? ['priced beyond its preset\'s largest reliable crossbar'] : undefined);
  return bad ? `pareto.json recommends ${id}, but it is invalid (${bad.join('; ')})` : undefined;
}

/** What the panel's header says of one sweep. */
export function sweepSummary(dir: string, front: SweepFront): ParetoSweepSummary {
  const invalid = recommendsInvalid(front);
  const objectives = Array.isArray(front.objectives) ? { objectives: front.objectives.map(String) } : {};
  if (invalid) return { dir, name: front.name, done: front.done, planned: front.planned, failed: front.points.filter((p) => p.status === 'failed').length, accuracyLossLimit: front.accuracyLossLimit, ...objectives, noRecommendation: invalid };
  return {
    dir,
    name: front.name,
    done: front.done,
    planned: front.planned,
    failed: front.points.filter((p) => p.status === 'failed').length,
    accuracyLossLimit: front.accuracyLossLimit,
    ...objectives,
    ...(front.designs?.length
      ? front.recommendedDesign !== undefined
        ? { recommended: front.recommendedDesign }
        : { noRecommendation: `no design with every seed priced within ${(100 * front.accuracyLossLimit).toFixed(2)} pt mean accuracy loss against its original` }
      : {
          ...(front.recommended !== undefined ? { recommended: front.recommended } : {}),
          ...(front.noRecommendation !== undefined ? { noRecommendation: front.noRecommendation } : {}),
        }),
  };
}

/** Fill every point's `dominated` flags and the fronts, for every ordered pair of distinct metrics. */
export function paretoView(points: ParetoPoint[], sweep?: ParetoSweepSummary): ParetoView {
  const fronts: ParetoView['fronts'] = {};
  for (const x of PARETO_METRICS)
    for (const y of PARETO_METRICS) {
      if (x === y) continue;
      const key = `${x}|${y}`;
      const idx = points.flatMap((p, i) => (p.values[x] !== undefined && p.values[y] !== undefined ? [i] : []));
      const vecs = idx.map((i): [number, number] => [points[i].values[x]!, points[i].values[y]!]);
      const senses: [Sense, Sense] = [MINIMISE[x] ? 'min' : 'max', MINIMISE[y] ? 'min' : 'max'];
      const front = nonDominated2(vecs, senses);
      idx.forEach((i, k) => (points[i].dominated[key] = !front[k]));
      fronts[key] = idx
        .flatMap((_, k) => (front[k] ? [k] : []))
        .sort((a, b) => vecs[a][0] - vecs[b][0] || vecs[a][1] - vecs[b][1])
        .map((k) => idx[k]);
    }
  return { points, fronts, minimise: MINIMISE, ...(sweep ? { sweep } : {}) };
}

/**
 * What the panel shows, read from disk through the store: one sweep (when
 * `sweepDir` is given) with its summary and recommended design, or every
 * completed run and every priced sweep point under `roots`.
 */
export function readParetoView(roots: readonly string[], sweepDir?: string): ParetoView {
  if (sweepDir) {
    const { front, damaged } = sweepFiles(sweepDir);
    // No pareto.json yet (the sweep is still planning) or a damaged one: an empty plot that says so (which file, why), filled on the next write.
    if (!front) return paretoView([], { dir: sweepDir, name: path.basename(sweepDir), done: 0, planned: 0, failed: 0, accuracyLossLimit: 0, noRecommendation: damaged.join(' · ') || 'no pareto.json yet (no training has finished)', ...(damaged.length ? { damaged } : {}) });
    // Damaged points are left out of the plot: the header says which and why.
    return paretoView(sweepParetoPoints(sweepDir, front), { ...sweepSummary(sweepDir, front), ...(damaged.length ? { damaged } : {}) });
  }
  const sources: PointSource[] = [];
  const sweepPoints: ParetoPoint[] = [];
  for (const root of roots)
    for (const e of readRunsFolder(root)) {
      if (e.kind === 'run') sources.push({ runs: [e.record] });
      else if (!e.sweep) sources.push({ compareDir: e.dir, runs: e.runs });
      else {
        const { front } = sweepFiles(e.dir);
        if (front) sweepPoints.push(...sweepParetoPoints(e.dir, front));
      }
    }
  return paretoView([...paretoPoints(sources), ...sweepPoints]);
}

/**
 * Where an export's save dialog starts: the first workspace folder, else the
 * folder holding the runs folder's hidden parent (`.trannsformer/runs` → the
 * project), never inside a hidden folder.
 */
export function exportFolder(workspaceDirs: readonly string[], runsRoots: readonly string[]): string | undefined {
  if (workspaceDirs[0]) return workspaceDirs[0];
  if (!runsRoots[0]) return undefined;
  const parts = path.resolve(runsRoots[0]).split(path.sep);
  const hidden = parts.findIndex((s) => s.startsWith('.'));
  return hidden < 0 ? parts.join(path.sep) : parts.slice(0, hidden).join(path.sep) || path.sep;
}

/** An export's file name: the sweep's name when the panel shows one. */
export function exportName(view: ParetoView | undefined, ext: 'png' | 'csv'): string {
  const name = view?.sweep?.name.replace(/[^\w.-]+/g, '-');
  return `pareto${name ? `-${name}` : ''}.${ext}`;
}

const csvCell = (v: unknown) => {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The points as CSV (one row per run), with the dominated flag for the chosen axes. */
export function paretoCsv(view: ParetoView, x: ParetoMetric, y: ParetoMetric): string {
  const head = ['name', 'mode', 'crossbar', 'preset', 'compare', 'sweep_point', 'recommended', 'epochs', 'accuracy', 'accuracy_loss', 'mpes', 'area_mm2', 'energy_uJ', 'hw_accuracy', `dominated_${x}_${y}`, 'run_folder', 'warnings'];
  const rows = view.points.map((p) => [
    p.name,
    p.mode,
    p.crossbar,
    p.preset,
    p.compare,
    p.sweep?.id,
    p.sweep ? (p.sweep.recommended ? 1 : 0) : undefined,
    p.epochs,
    p.values.accuracy,
    p.values.accuracyLoss,
    p.values.mpes,
    p.values.area,
    p.values.energy,
    p.values.hwAccuracy,
    p.dominated[`${x}|${y}`],
    p.key,
    p.warnings?.join('; '),
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
