/** The training curves panel of one run, live while it trains. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Panel, webviewOptions, type PanelHost } from './panel';
import { checkCurvesMessage } from './messages';
import { curvesViewOf } from './curvesData';

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

  static create(host: PanelHost, key: string): CurvesPanel {
    const panel = vscode.window.createWebviewPanel(CurvesPanel.viewType, `Curves: ${path.basename(key)}`, vscode.ViewColumn.Beside, webviewOptions(host.extensionUri));
    return new CurvesPanel(host, panel, key);
  }

  send(): void {
    try {
      this.post({ type: 'show', view: curvesViewOf(this.key, this.host.isLive(this.key)) });
    } catch (e) {
      this.host.log.warn(`curves panel: ${(e as Error).message}`);
    }
  }

  epoch(metrics: EpochMetrics): void {
    this.post({ type: 'epoch', key: this.key, metrics });
  }

  protected handle(m: CurvesToHost): void {
    if (m.type === 'ready') this.send();
    else if (m.type === 'openMapping' && this.allowed(m.key)) this.host.openMapping(m.key);
  }
}
