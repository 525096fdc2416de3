/** The crossbar mapping panel of one run: heatmaps per layer, clusters, crossbar tiles, snapshots. */
import * as vscode from 'vscode';
import { Panel, resultColumn, webviewOptions, type PanelHost } from './panel';
import { checkMappingMessage } from './messages';
import { mappingTitle, mappingViewOf } from './mappingData';

import type { HostToMapping, MappingToHost } from '../../protocol/webview';

export class MappingPanel extends Panel<MappingToHost, HostToMapping> {
  static readonly viewType = 'trannsformer.mapping';

  constructor(
    host: PanelHost,
    panel: vscode.WebviewPanel,
    public key: string,
    private scheme?: string,
    private epoch?: number,
  ) {
    super(host, panel, 'mapping', checkMappingMessage);
    // A panel restored after a reload may carry a title of an older version.
    panel.title = MappingPanel.title(key);
  }

  /** A new panel in the results column, or in `column` (a re-created panel takes its predecessor's place, focus left where it is). */
  static create(host: PanelHost, key: string, opts: { scheme?: string; epoch?: number } = {}, column?: vscode.ViewColumn): MappingPanel {
    const panel = vscode.window.createWebviewPanel(MappingPanel.viewType, MappingPanel.title(key), { viewColumn: column ?? resultColumn(), preserveFocus: column !== undefined }, webviewOptions(host.extensionUri));
    return new MappingPanel(host, panel, key, opts.scheme, opts.epoch);
  }

  static title(key: string): string {
    return mappingTitle(key);
  }

  /** Show a run (another one, or the same with other choices). */
  show(key: string, opts: { scheme?: string; epoch?: number } = {}): void {
    this.key = key;
    this.scheme = opts.scheme;
    this.epoch = opts.epoch;
    this.panel.title = MappingPanel.title(key);
    this.send();
  }

  send(): void {
    try {
      this.post({ type: 'show', view: mappingViewOf(this.key, { scheme: this.scheme, epoch: this.epoch }) });
    } catch (e) {
      this.host.log.warn(`mapping panel: ${(e as Error).message}`);
      this.post({ type: 'error', message: (e as Error).message });
    }
  }

  protected handle(m: MappingToHost): void {
    switch (m.type) {
      case 'ready':
        this.send();
        break;
      case 'select':
        if (this.allowed(m.key)) this.show(m.key, { scheme: m.scheme, epoch: m.epoch });
        break;
      case 'openReport':
        if (this.allowed(m.key)) void this.host.openReport(m.key);
        break;
    }
  }
}
