/** The crossbar mapping panel of one run: heatmaps per layer, clusters, crossbar tiles, snapshots. */
import * as vscode from 'vscode';
import { Panel, resultColumn, webviewOptions, type PanelHost } from './panel';
import { checkMappingMessage } from './messages';
import { mappingTitle } from './mappingData';
import { MappingViews } from './mappingViews';

import type { HostToMapping, MappingToHost } from '../../protocol/webview';

/** One worker for every mapping panel: views are read and computed off the extension host's event loop. */
let shared: MappingViews | undefined;
const views = (host: PanelHost) => (shared ??= new MappingViews({ log: (line) => host.log.warn(line) }));

/** Stop the shared worker (the extension's panels are disposed: deactivation). */
export function disposeMappingViews(): void {
  shared?.dispose();
  shared = undefined;
}

export class MappingPanel extends Panel<MappingToHost, HostToMapping> {
  static readonly viewType = 'trannsformer.mapping';
  /** This panel's requests: only the newest one's answer is posted; closing the panel drops it. */
  private readonly requests: ReturnType<MappingViews['channel']>;

  constructor(
    host: PanelHost,
    panel: vscode.WebviewPanel,
    public key: string,
    private scheme?: string,
    private epoch?: number,
  ) {
    super(host, panel, 'mapping', checkMappingMessage);
    this.requests = views(host).channel();
    this.own(new vscode.Disposable(() => this.requests.cancel()));
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
    void this.requests.request(this.key, { scheme: this.scheme, epoch: this.epoch }).then(
      (view) => view && this.post({ type: 'show', view }),
      (e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        this.host.log.warn(`mapping panel: ${message}`);
        this.post({ type: 'error', message });
      },
    );
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
