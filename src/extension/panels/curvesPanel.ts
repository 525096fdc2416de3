/** The training curves panel of one run, live while it trains. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Panel, resultColumn, webviewOptions, type PanelHost } from './panel';
import { checkCurvesMessage } from './messages';
import { curvesViewAsync } from './curvesData';

import type { CurvesToHost, HostToCurves } from '../../protocol/webview';
import type { EpochMetrics } from '../../engine/format/metrics';

export class CurvesPanel extends Panel<CurvesToHost, HostToCurves> {
  static readonly viewType = 'trannsformer.curves';

  constructor(
    host: PanelHost,
    panel: vscode.WebviewPanel,
    readonly key: string,
  ) {
    super(host, panel, 'curves', checkCurvesMessage);
  }

  /** A new panel in the results column, or in `column` (a re-created panel takes its predecessor's place, focus left where it is). */
  static create(host: PanelHost, key: string, column?: vscode.ViewColumn): CurvesPanel {
    const panel = vscode.window.createWebviewPanel(CurvesPanel.viewType, `Curves: ${path.basename(key)}`, { viewColumn: column ?? resultColumn(), preserveFocus: column !== undefined }, webviewOptions(host.extensionUri));
    return new CurvesPanel(host, panel, key);
  }

  /** Sends asked for so far: only the newest one's view is posted (the metrics are read asynchronously). */
  private sends = 0;

  send(): void {
    const n = ++this.sends;
    void curvesViewAsync(this.key, this.host.isLive(this.key)).then(
      (view) => n === this.sends && this.post({ type: 'show', view }),
      (e: unknown) => this.host.log.warn(`curves panel: ${(e as Error)?.message ?? String(e)}`),
    );
  }

  epoch(metrics: EpochMetrics): void {
    this.post({ type: 'epoch', key: this.key, metrics });
  }

  protected handle(m: CurvesToHost): void {
    if (m.type === 'ready') this.send();
    else if (m.type === 'openMapping' && this.allowed(m.key)) this.host.openMapping(m.key);
  }
}
