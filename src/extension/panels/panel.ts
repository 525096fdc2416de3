/**
 * The base of every result panel: a webview panel with scripts limited to
 * its own bundle (strict CSP, nonce), resources only from `dist/webview` and
 * `media`, messages checked before they are handled (a malformed one is
 * logged and dropped), and disposables owned from the moment they exist.
 * Panels are restored after a window reload by a `WebviewPanelSerializer`
 * from the state the webview saved: a key (the run folder) and view choices,
 * never the data. A panel that shows but never says `ready` (its bundle did
 * not load) is loaded again by a watchdog, then offers a "Reload panel" button.
 */
import * as vscode from 'vscode';
import { panelHtml, reloadHtml } from './html';
import { dispatchMessage, insideRoots, type Checked } from './messages';
import { ReadyWatchdog, realTimers, watchOnViewState, type PanelPlace } from './readyWatchdog';
import { pickResultColumn } from './column';

/** What panels need of the extension's owner object. */
export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  runsRoots(): string[];
  isLive(dir: string): boolean;
  openReport(dir: string): Promise<void>;
  openMapping(dir: string, opts?: { scheme?: string; epoch?: number }): void;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** The column a new result panel opens in: the results column when one exists, else beside the editor (see column.ts). */
export function resultColumn(): vscode.ViewColumn {
  const tabs = vscode.window.tabGroups.all.flatMap((g) =>
    g.tabs.map((t) => ({ viewType: t.input instanceof vscode.TabInputWebview ? t.input.viewType : undefined, column: g.viewColumn, groupActive: g.isActive })),
  );
  return pickResultColumn(tabs) ?? vscode.ViewColumn.Beside;
}

/** The first wait for `ready` (ms; retry n waits n + 1 times as long) and the retries before the "Reload panel" button. */
export const READY_WAIT_MS = 5_000;
export const READY_RETRIES = 3;

const typeIs = (raw: unknown, type: string): boolean => typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === type;

export abstract class Panel<ToHost extends { type: string }, ToWebview> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  /** Reloads the webview when it shows but never says `ready`. */
  private readonly watchdog: ReadyWatchdog;
  /** How often the HTML was set (each load after the first uses fresh resource URLs). */
  private loads = 0;
  /** Called once when the panel closes. */
  onDispose?: () => void;
  /**
   * Re-create the panel (set by the owner of panels): a frame whose own host
   * page did not load stays blank whatever HTML it is given, while a new
   * panel renders in seconds. Used after the first reload did not help.
   */
  recreate?: () => boolean;

  protected constructor(
    protected readonly host: PanelHost,
    readonly panel: vscode.WebviewPanel,
    bundle: string,
    private readonly check: (m: unknown) => Checked<ToHost>,
  ) {
    const w = panel.webview;
    const viewType = panel.viewType;
    w.options = webviewOptions(host.extensionUri);
    this.watchdog = new ReadyWatchdog({
      waitMs: READY_WAIT_MS,
      retries: READY_RETRIES,
      timers: realTimers,
      retry: (n, waited) => {
        // Said before re-creating: the old panel is disposed by then (its viewType throws).
        if (n >= 2 && this.recreate) {
          host.log.warn(`${viewType}: no "ready" ${waited / 1000} s after reloading its HTML; re-creating the panel`);
          if (this.recreate()) return;
        }
        host.log.warn(`${panel.viewType}: no "ready" from the webview ${waited / 1000} s after it loaded; loading it again with fresh resource URLs (retry ${n} of ${READY_RETRIES})`);
        this.load(bundle);
      },
      giveUp: (waited) => {
        host.log.error(`${panel.viewType}: still no "ready" ${waited / 1000} s after retry ${READY_RETRIES}; showing a "Reload panel" button`);
        w.html = reloadHtml({ title: panel.title, tries: READY_RETRIES + 1 });
      },
    });
    this.load(bundle);
    this.own(
      w.onDidReceiveMessage((raw: unknown) => {
        if (typeIs(raw, 'reload')) {
          host.log.info(`${panel.viewType}: reloading the panel (asked from the panel)`);
          this.load(bundle);
          this.watchdog.expect();
          return;
        }
        if (typeIs(raw, 'ready')) this.watchdog.ready();
        dispatchMessage(panel.viewType, raw, this.check, (m) => this.handle(m), (line) => this.host.log.warn(line));
      }),
    );
    // A hidden webview is unloaded (no retained context) and loads again when shown: a `ready` is due then.
    // Moved to another group while shown, it loads again there too (seen in e2e: its resources requested anew).
    let place: PanelPlace = { visible: panel.visible, column: panel.viewColumn };
    if (place.visible) this.watchdog.expect();
    this.own(
      panel.onDidChangeViewState((e) => {
        const now: PanelPlace = { visible: e.webviewPanel.visible, column: e.webviewPanel.viewColumn };
        const what = watchOnViewState(place, now);
        if (what === 'expect') this.watchdog.expect();
        else if (what === 'stop') this.watchdog.stop();
        place = now;
      }),
    );
    this.own(new vscode.Disposable(() => this.watchdog.stop()));
    this.own(panel.onDidDispose(() => this.dispose()));
  }

  /** Set the panel's HTML; every load after the first asks for its resources under fresh URLs (a query the browser has not seen fail). */
  private load(bundle: string): void {
    const w = this.panel.webview;
    const fresh = this.loads++ > 0 ? `?load=${this.loads}` : '';
    const uri = (...p: string[]) => `${w.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, ...p)).toString()}${fresh}`;
    w.html = panelHtml({ cspSource: w.cspSource, script: uri('dist', 'webview', `${bundle}.js`), styles: [uri('media', 'panels.css')], title: this.panel.title });
  }

  protected own<T extends vscode.Disposable>(d: T): T {
    this.disposables.push(d);
    return d;
  }

  protected abstract handle(m: ToHost): void;

  post(m: ToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(m);
  }

  /** A run folder named by the webview: accepted only inside a runs folder. */
  protected allowed(dir: string): boolean {
    if (insideRoots(dir, this.host.runsRoots())) return true;
    this.host.log.warn(`${this.panel.viewType}: refused a path outside the runs folders: ${dir}`);
    return false;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose?.();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
