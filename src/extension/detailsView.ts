/**
 * The Run details view: the selected run's key numbers and training curves,
 * updated live — or a selected sweep's summary. The selection is kept in the
 * workspace's memory, so the view shows the same run after a window reload.
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { DetailsToHost, HostToDetails } from '../protocol/webview';
import { checkDetailsMessage, dispatchMessage } from './panels/messages';
import { detailsOf, restoredSelection, sweepDetailsOf } from './detailsModel';
import { ReadyWatchdog, realTimers } from './panels/readyWatchdog';
import { reloadHtml } from './panels/html';
import { READY_RETRIES, READY_WAIT_MS } from './panels/panel';

/** Where the selection is kept across reloads (the workspace's memory), and the runs folders it must lie in. */
export interface SelectionMemory {
  get(): unknown;
  set(dir: string | undefined): void;
  roots(): string[];
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
    private readonly memory?: SelectionMemory,
    /** Where the view's own troubles (a bundle that did not load) are logged. */
    private readonly log: (message: string) => void = warn,
  ) {
    this.selected = memory ? restoredSelection(memory.get(), memory.roots()) : undefined;
  }

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
    let loads = 0;
    const load = () => (view.webview.html = this.html(view.webview, loads++ > 0 ? `?load=${loads}` : ''));
    // As the result panels: a view that shows but never says `ready` (its bundle did not load) is loaded again, then offers a reload button.
    const watchdog = new ReadyWatchdog({
      waitMs: READY_WAIT_MS,
      retries: READY_RETRIES,
      timers: realTimers,
      retry: (n, waited) => {
        this.log(`Run details: no "ready" from the view ${waited / 1000} s after it loaded; loading it again with fresh resource URLs (retry ${n} of ${READY_RETRIES})`);
        load();
      },
      giveUp: (waited) => {
        this.log(`Run details: still no "ready" ${waited / 1000} s after retry ${READY_RETRIES}; showing a "Reload panel" button`);
        view.webview.html = reloadHtml({ title: 'Run details', tries: READY_RETRIES + 1 });
      },
    });
    load();
    if (view.visible) watchdog.expect();
    view.webview.onDidReceiveMessage((m: unknown) => {
      if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'reload') {
        load();
        watchdog.expect();
        return;
      }
      if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'ready') watchdog.ready();
      this.receive(m);
    });
    let shown = view.visible;
    view.onDidChangeVisibility(() => {
      if (view.visible && !shown) watchdog.expect();
      else if (!view.visible) watchdog.stop();
      shown = view.visible;
      if (view.visible) this.update();
    });
    view.onDidDispose(() => watchdog.stop());
  }

  /** Show another run (undefined: nothing selected). */
  select(dir: string | undefined): void {
    this.selected = dir;
    this.memory?.set(dir);
    this.update();
  }

  get selectedDir(): string | undefined {
    return this.selected;
  }

  /** Updates asked for so far: only the newest one's answer is sent (reads are asynchronous). */
  private updates = 0;

  /** Re-read the selected run from disk (its metrics off the event loop) and send it; a damaged run is sent saying which file and why. */
  update(): void {
    const n = ++this.updates;
    const dir = this.selected;
    void this.read(dir).then(
      (m) => n === this.updates && this.post(m),
      (e: unknown) => this.warn(`Run details: ${dir ?? ''}: ${(e as Error)?.message ?? String(e)}`),
    );
  }

  private async read(dir: string | undefined): Promise<HostToDetails> {
    if (!dir) return { type: 'show', run: undefined };
    const sweep = sweepDetailsOf(dir);
    return sweep ? { type: 'show', run: undefined, sweep } : { type: 'show', run: await detailsOf(dir, this.isLive(dir)) };
  }

  post(m: HostToDetails): void {
    void this.view?.webview.postMessage(m);
  }

  /** The view's page; `fresh` (a query) makes its resource URLs new on a reload. */
  private html(webview: vscode.Webview, fresh = ''): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const script = `${webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'details.js')).toString()}${fresh}`;
    const css = `${webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'details.css')).toString()}${fresh}`;
    return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; img-src ${webview.cspSource} data:; font-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="${css}"><title>Run details</title></head>
<body><main id="root"><p class="empty">Select a run in the Runs view.</p></main><script nonce="${nonce}" src="${script}"></script></body></html>`;
  }
}
