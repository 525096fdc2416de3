/** What the training curves panel is sent for one run. Pure (no `vscode`). */
import { readMetrics, readRun } from '../../engine/store/runFolder';

import type { CurvesView } from '../../protocol/webview';

export function curvesViewOf(dir: string, live: boolean): CurvesView {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result) throw new Error(`${dir}: not a readable run folder (${rec.problem ?? 'unknown problem'})`);
  const r = rec.result;
  return {
    key: dir,
    name: r.name,
    mode: rec.config?.transform?.mode ?? 'original',
    status: r.status,
    live,
    crossbar: rec.config?.transform?.crossbar ?? 64,
    epochsPlanned: r.epochsPlanned,
    metrics: readMetrics(dir).metrics,
  };
}
