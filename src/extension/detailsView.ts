/** The Run details view: the selected run's key numbers and training curves, updated live. */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { DetailsRun, DetailsToHost, HostToDetails } from '../protocol/webview';
import * as path from 'node:path';
import { readCompare, readMetrics, readRun } from '../engine/store/runFolder';
import { checkDetailsMessage, dispatchMessage } from './panels/messages';

export function detailsOf(dir: string, live: boolean): DetailsRun | undefined {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result) return undefined;
  const r = rec.result;
  return {
    dir,
    name: r.name,
    status: r.status,
    live,
    mode: rec.config?.transform?.mode ?? 'original',
    crossbar: rec.config?.transform?.crossbar ?? 64,
    layers: r.layers,
    epochsCompleted: r.epochsCompleted,
    epochsPlanned: r.epochsPlanned,
    final: r.final,
    mapping: r.mapping,
    vsPruning: readCompare(path.dirname(dir))?.rows.find((row) => typeof row?.runDir === 'string' && path.resolve(row.runDir) === path.resolve(dir))?.reductionVsPruning,
    hardware: r.hardware,
    error: r.error?.message,
    metrics: readMetrics(dir).metrics,
  };
}

export class RunDetailsViewProvider implements vscode.WebviewViewProvider {
  static readonly viewId = 'trannsformer.details';
  private view?: vscode.WebviewView;
  private selected?: string;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly isLive: (dir: string) => boolean,
    private readonly onMessage: (m: DetailsToHost) => void,
    /** Where a dropped message is reported (the extension's log). */
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** A message from the webview: checked first; a malformed one is reported and dropped (see dispatchMessage). */
  receive(raw: unknown): void {
    dispatchMessage('Run details', raw, checkDetailsMessage, (m) => (m.type === 'ready' ? this.update() : this.onMessage(m)), this.warn);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    view.webview.html = this.html(view.webview);
    view.webview.onDidReceiveMessage((m: unknown) => this.receive(m));
    view.onDidChangeVisibility(() => view.visible && this.update());
  }

  /** Show another run (undefined: nothing selected). */
  select(dir: string | undefined): void {
    this.selected = dir;
    this.update();
  }

  get selectedDir(): string | undefined {
    return this.selected;
  }

  /** Re-read the selected run from disk and send it. */
  update(): void {
    this.post({ type: 'show', run: this.selected ? detailsOf(this.selected, this.isLive(this.selected)) : undefined });
  }

  post(m: HostToDetails): void {
    void this.view?.webview.postMessage(m);
  }

  private html(webview: vscode.Webview): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'details.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'details.css'));
    return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; img-src ${webview.cspSource} data:; font-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="${css}"><title>Run details</title></head>
<body><main id="root"><p class="empty">Select a run in the Runs view.</p></main><script nonce="${nonce}" src="${script}"></script></body></html>`;
  }
}
