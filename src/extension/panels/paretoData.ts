/**
 * What the Pareto panel is sent: one design point per completed run (stand-
 * alone or in a comparison) with area, energy, accuracy, loss of accuracy
 * against the comparison's original run, and mPEs; for every ordered pair of
 * axes, which points the pair's non-dominated front holds. The webview
 * recomputes nothing. Pure (no `vscode`): tested in plain Node.
 */
import * as path from 'node:path';

import type { RunRecord } from '../../engine/format/run';
import type { ParetoMetric, ParetoPoint, ParetoView } from '../../protocol/webview';
import { nonDominated2, type Sense } from '../../engine/core/pareto';

export const PARETO_METRICS: ParetoMetric[] = ['area', 'energy', 'accuracy', 'accuracyLoss', 'mpes'];
export const MINIMISE: Record<ParetoMetric, boolean> = { area: true, energy: true, accuracy: false, accuracyLoss: true, mpes: true };

/** A group of runs: a comparison folder (its runs compared against its original run) or a stand-alone run. */
export interface PointSource {
  compareDir?: string;
  runs: RunRecord[];
}

/** Design points of completed runs; runs without a final accuracy are left out. */
export function paretoPoints(sources: PointSource[]): ParetoPoint[] {
  const points: ParetoPoint[] = [];
  for (const s of sources) {
    const original = s.compareDir ? s.runs.find((r) => r.config?.transform?.mode === 'original' && r.result?.status === 'completed') : undefined;
    const baseAcc = original?.result?.final?.testAccuracy;
    for (const r of s.runs) {
      const res = r.result;
      if (r.state !== 'ok' || !res || res.status !== 'completed' || !res.final) continue;
      const hw = res.hardware && !('error' in res.hardware) ? res.hardware : undefined;
      const values: ParetoPoint['values'] = { accuracy: res.final.testAccuracy };
      if (baseAcc !== undefined) values.accuracyLoss = baseAcc - res.final.testAccuracy;
      if (res.mapping) values.mpes = res.mapping.mpes;
      if (hw) {
        values.area = hw.area_mm2;
        values.energy = hw.energy_uJ;
      }
      points.push({
        key: r.dir,
        name: res.name,
        mode: r.config?.transform?.mode ?? 'original',
        crossbar: r.config?.transform?.crossbar ?? res.mapping?.crossbarSize ?? 64,
        ...(hw ? { preset: hw.preset } : {}),
        ...(s.compareDir ? { compare: path.basename(s.compareDir) } : {}),
        epochs: res.epochsCompleted,
        values,
        dominated: {},
      });
    }
  }
  return points;
}

/** Fill every point's `dominated` flags and the fronts, for every ordered pair of distinct metrics. */
export function paretoView(points: ParetoPoint[]): ParetoView {
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
  return { points, fronts, minimise: MINIMISE };
}

const csvCell = (v: unknown) => {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The points as CSV (one row per run), with the dominated flag for the chosen axes. */
export function paretoCsv(view: ParetoView, x: ParetoMetric, y: ParetoMetric): string {
  const head = ['name', 'mode', 'crossbar', 'preset', 'compare', 'epochs', 'accuracy', 'accuracy_loss', 'mpes', 'area_mm2', 'energy_uJ', `dominated_${x}_${y}`, 'run_folder'];
  const rows = view.points.map((p) => [
    p.name,
    p.mode,
    p.crossbar,
    p.preset,
    p.compare,
    p.epochs,
    p.values.accuracy,
    p.values.accuracyLoss,
    p.values.mpes,
    p.values.area,
    p.values.energy,
    p.dominated[`${x}|${y}`],
    p.key,
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
