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
