/**
 * What the Run details view shows: a run's key numbers and curves (its
 * records checked; a damaged run shows which file and why), a selected
 * sweep's summary (read from its pareto.json), and the selection kept across
 * a window reload. Pure apart from reading the folders through the store
 * (metrics asynchronously); no `vscode`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILES, readCompare, readRun } from '../engine/store/runFolder';
import { insideRoots } from './panels/messages';
import { sweepFiles } from './runsModel';
import { readMetricsAsync } from './folderFiles';
import { checkCompare, checkRun, okRun, usableFigures } from './records';

import type { DetailsRun, DetailsSweep } from '../protocol/webview';

/** A result's error as text (a plain string in older records). */
const errorText = (e: unknown): string | undefined => (typeof e === 'string' ? e : typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : undefined);

/** A run that cannot be shown: its folder, and the damage in the error row. */
function damagedDetails(dir: string, live: boolean, problem: string): DetailsRun {
  return { dir, name: `${path.basename(dir)} (damaged)`, status: 'failed', live, mode: 'unknown', crossbar: 0, layers: [], epochsCompleted: 0, epochsPlanned: 0, error: problem, metrics: [] };
}

/** 1 − mPEs ÷ pruning's, from the comparison holding the run (when it is one and its record is sound). */
function vsPruningOf(dir: string): number | undefined {
  const raw = readCompare(path.dirname(dir));
  const c = raw ? checkCompare(raw) : undefined;
  if (!c || typeof c === 'string') return undefined;
  return c.rows.find((row) => path.resolve(row.runDir) === path.resolve(dir))?.reductionVsPruning;
}

/** A run's details: its records checked, its metrics read off the event loop; a damaged run says which file and why. */
export async function detailsOf(dir: string, live: boolean): Promise<DetailsRun> {
  const rec = checkRun(readRun(dir));
  const ok = okRun(rec);
  if (!ok) return damagedDetails(dir, live, rec.problem ?? 'unreadable');
  const { result: r, config } = ok;
  const { metrics, problem } = await readMetricsAsync(path.join(dir, FILES.metrics));
  const error = [errorText(r.error), problem].filter((x) => x !== undefined).join(' · ');
  return {
    dir,
    name: r.name,
    status: r.status,
    live,
    mode: config.transform.mode,
    crossbar: config.transform.crossbar,
    layers: r.layers,
    epochsCompleted: r.epochsCompleted,
    epochsPlanned: r.epochsPlanned,
    final: r.final,
    mapping: r.mapping,
    vsPruning: vsPruningOf(dir),
    hardware: r.hardware,
    ...(error ? { error } : {}),
    metrics,
  };
}

/** A sweep folder's summary for the details view, or undefined when `dir` is not a sweep folder. */
export function sweepDetailsOf(dir: string): DetailsSweep | undefined {
  const { sweep: rec, front, damaged } = sweepFiles(dir);
  if (rec?.kind !== 'sweep') return undefined;
  const points = front?.points ?? [];
  const rp = front?.recommended !== undefined ? points.find((p) => p.id === front.recommended) : undefined;
  const f = usableFigures(rp?.figures);
  const noRecommendation = [front?.noRecommendation, ...damaged].filter((x) => x !== undefined).join(' · ');
  return {
    dir,
    name: front?.name ?? rec.name,
    done: front?.done ?? 0,
    failed: points.filter((p) => p.status === 'failed').length,
    planned: front?.planned ?? rec.points.length,
    invalid: points.filter((p) => p.status === 'completed' && (p.figures?.warnings?.length ?? 0) > 0).length,
    accuracyLossLimit: front?.accuracyLossLimit ?? rec.accuracyLossLimit,
    ...(rp && f
      ? { recommended: { id: rp.id, label: `${rp.mode} ${rp.crossbar}×${rp.crossbar} ${rp.preset}`, testAccuracy: f.testAccuracy, accuracyLoss: rp.accuracyLoss, mpes: f.mpes, area_mm2: f.area_mm2, energy_uJ: f.energy_uJ } }
      : {}),
    ...(noRecommendation ? { noRecommendation } : {}),
  };
}

/** The selection saved before a reload, if it still names a folder inside the runs folders. */
export function restoredSelection(saved: unknown, roots: readonly string[], exists: (dir: string) => boolean = fs.existsSync): string | undefined {
  return typeof saved === 'string' && insideRoots(saved, roots) && exists(saved) ? saved : undefined;
}
