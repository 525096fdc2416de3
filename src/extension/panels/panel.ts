/**
 * The base of every result panel: a webview panel with scripts limited to
 * its own bundle (strict CSP, nonce), resources only from `dist/webview` and
 * `media`, messages checked before they are handled (a malformed one is
 * logged and dropped), and disposables owned from the moment they exist.
 * Panels are restored after a window reload by a `WebviewPanelSerializer`
 * from the state the webview saved: a key (the run folder) and view choices,
 * never the data.
 */
import * as vscode from 'vscode';
import { panelHtml } from './html';
import { dispatchMessage, insideRoots, type Checked } from './messages';

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

export abstract class Panel<ToHost extends { type: string }, ToWebview> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  /** Called once when the panel closes. */
  onDispose?: () => void;

  protected constructor(
    protected readonly host: PanelHost,
    readonly panel: vscode.WebviewPanel,
    bundle: string,
    private readonly check: (m: unknown) => Checked<ToHost>,
  ) {
    const w = panel.webview;
    w.options = webviewOptions(host.extensionUri);
    const uri = (...p: string[]) => w.asWebviewUri(vscode.Uri.joinPath(host.extensionUri, ...p)).toString();
    w.html = panelHtml({ cspSource: w.cspSource, script: uri('dist', 'webview', `${bundle}.js`), styles: [uri('media', 'panels.css')], title: panel.title });
    this.own(
      w.onDidReceiveMessage((raw: unknown) =>
        dispatchMessage(panel.viewType, raw, this.check, (m) => this.handle(m), (line) => this.host.log.warn(line)),
      ),
    );
    this.own(panel.onDidDispose(() => this.dispose()));
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
