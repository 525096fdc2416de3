/** What the training curves panel is sent for one run; its records checked (a damaged run or metrics line is named, never drawn). Pure (no `vscode`). */
import * as path from 'node:path';
import { FILES, readMetrics, readRun } from '../../engine/store/runFolder';
import { readMetricsAsync } from '../folderFiles';
import { checkMetrics, checkRun, okRun } from '../records';

import type { CurvesView } from '../../protocol/webview';
import type { EpochMetrics } from '../../engine/format/metrics';

/**
 * The run's curves. A run that cannot be read is sent as a view that says
 * so in its title (which file, why) with no curves, so the panel shows it
 * instead of waiting; damaged metrics lines are left out and counted there.
 */
export function curvesViewOf(dir: string, live: boolean): CurvesView {
  const rec = checkRun(readRun(dir));
  if (!okRun(rec)) return curvesOf(dir, live, rec, { metrics: [] });
  const read = readMetrics(dir);
  const { metrics, damaged } = checkMetrics(read.metrics);
  const problem = read.problem ? `damaged: metrics.jsonl: ${read.problem}` : damaged ? `damaged: metrics.jsonl: ${damaged} line${damaged === 1 ? '' : 's'} not an epoch record, left out` : undefined;
  return curvesOf(dir, live, rec, { metrics, problem });
}

/** As curvesViewOf, the metrics (up to 256 MiB) read off the event loop: what the panel sends. */
export async function curvesViewAsync(dir: string, live: boolean): Promise<CurvesView> {
  const rec = checkRun(readRun(dir));
  return curvesOf(dir, live, rec, okRun(rec) ? await readMetricsAsync(path.join(dir, FILES.metrics)) : { metrics: [] });
}

function curvesOf(dir: string, live: boolean, rec: ReturnType<typeof checkRun>, m: { metrics: EpochMetrics[]; problem?: string }): CurvesView {
  const ok = okRun(rec);
  if (!ok) return { key: dir, name: `${path.basename(dir)}: ${rec.problem ?? 'unreadable'}`, mode: 'unknown', status: 'damaged', live, crossbar: 1, epochsPlanned: 0, metrics: [] };
  const { result: r, config } = ok;
  return {
    key: dir,
    name: m.problem ? `${r.name} (${m.problem})` : r.name,
    mode: config.transform.mode,
    status: r.status,
    live,
    crossbar: config.transform.crossbar,
    epochsPlanned: r.epochsPlanned,
    metrics: m.metrics,
  };
}
