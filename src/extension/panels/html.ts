/**
 * The HTML shell of every panel: a strict Content Security Policy
 * (`default-src 'none'`, scripts only by a fresh nonce, styles, fonts and
 * images only from the webview's own resource origin) and one bundle.
 * Pure (no `vscode`): the webview tests load the same shell in Chromium.
 */
import * as crypto from 'node:crypto';

export interface ShellOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** `asWebviewUri` of the panel's bundle. */
  script: string;
  /** `asWebviewUri` of its style sheets. */
  styles: string[];
  title: string;
  nonce?: string;
}

export const newNonce = () => crypto.randomBytes(18).toString('base64');

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function panelHtml(o: ShellOptions): string {
  const nonce = o.nonce ?? newNonce();
  // Inline styles are allowed for Chart.js and the web components (they set style attributes); scripts are not.
  const csp = [
    "default-src 'none'",
    `style-src ${o.cspSource} 'unsafe-inline'`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.styles.map((s) => `<link rel="stylesheet" href="${esc(s)}">`).join('\n')}
<title>${esc(o.title)}</title></head>
<body><main id="root"><p class="empty">Loading…</p></main><script nonce="${nonce}" src="${esc(o.script)}"></script></body></html>`;
}

/**
 * The page a panel falls back to when its bundle never loaded after every
 * retry: what happened and a "Reload panel" button. Self-contained (the
 * panel's resources are what failed to load): an inline script, allowed by
 * the nonce, posts `{ type: 'reload' }`; the host then loads the panel again.
 */
export function reloadHtml(o: { title: string; tries: number; nonce?: string }): string {
  const nonce = o.nonce ?? newNonce();
  const csp = ["default-src 'none'", "style-src 'unsafe-inline'", `script-src 'nonce-${nonce}'`].join('; ');
  const btn = 'color:var(--vscode-button-foreground);background:var(--vscode-button-background);border:none;padding:4px 12px;cursor:pointer;font:inherit';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${esc(o.title)}</title></head>
<body style="font-family:var(--vscode-font-family);color:var(--vscode-foreground);padding:12px">
<main id="root"><p class="stuck">This panel did not load its scripts (${o.tries} ${o.tries === 1 ? 'try' : 'tries'}; see the TraNNsformer log).</p>
<button id="reload" type="button" style="${btn}">Reload panel</button></main>
<script nonce="${nonce}">const api = acquireVsCodeApi(); document.getElementById('reload').addEventListener('click', () => api.postMessage({ type: 'reload' }));</script></body></html>`;
}
