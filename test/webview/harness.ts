/// <reference lib="dom" />
/**
 * Loads a panel bundle in headless Chromium exactly as the extension does —
 * the same HTML shell and CSP (`panelHtml`), the bundle from dist/webview,
 * media/panels.css — with a thin fake `acquireVsCodeApi` that records what
 * the webview posts and keeps its state. Every request is answered from the
 * repository (a made-up origin, routed): nothing reaches the network.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/panels/html';

const REPO = path.resolve(__dirname, '../..');
const ORIGIN = 'http://panel.test';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function haveChromium(): boolean {
  return fs.existsSync(CHROMIUM);
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' };

export interface PanelPage {
  page: Page;
  /** Messages the webview posted to the host so far. */
  posted(): Promise<{ type: string; [k: string]: unknown }[]>;
  /** Deliver a host message to the webview. */
  send(m: unknown): Promise<void>;
  /** Console errors and CSP violations seen. */
  errors: string[];
}

export async function openPanel(browser: Browser, bundle: 'mapping' | 'pareto' | 'curves' | 'details', opts: { theme?: 'dark' | 'light' | 'high-contrast'; width?: number; height?: number; state?: unknown } = {}): Promise<PanelPage> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1100, height: opts.height ?? 760 }, deviceScaleFactor: 1 });
  const theme = opts.theme ?? 'dark';
  const html = panelHtml({
    cspSource: ORIGIN,
    script: `${ORIGIN}/dist/webview/${bundle}.js`,
    styles: [`${ORIGIN}/test/webview/theme.css`, `${ORIGIN}/media/panels.css`],
    title: bundle,
  }).replace('<body>', `<body class="vscode-${theme}" data-vscode-theme-kind="vscode-${theme}">`);
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) return route.abort();
    if (url.pathname === '/index.html') return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    const file = path.join(REPO, url.pathname);
    if (!file.startsWith(REPO + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, contentType: TYPES[path.extname(file)] ?? 'application/octet-stream', body: fs.readFileSync(file) });
  });
  // As a string: functions passed from here are transpiled by tsx and would carry its helpers.
  await context.addInitScript(`(() => {
    window.__posted = [];
    window.__state = ${JSON.stringify(opts.state ?? null)} ?? undefined;
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => window.__state,
        setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
      };
    };
  })();`);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  if (process.env.DEBUG_WEBVIEW) { page.on('console', (m) => console.log('[console]', m.text())); page.on('pageerror', (e) => console.log('[pageerror]', e.message)); page.on('requestfailed', (r) => console.log('[failed]', r.url())); }
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'), undefined, { timeout: 15_000 });
  return {
    page,
    errors,
    posted: () => page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted) as Promise<{ type: string; [k: string]: unknown }[]>,
    send: (m) => page.evaluate((msg) => window.postMessage(msg, '*'), m as object),
  };
}

/** Where a chart drew its points and its plot area (the canvas's data attributes, from Chart.js's own elements). */
export async function placements(page: Page, canvasId: string): Promise<{ area: { left: number; top: number; right: number; bottom: number }; points: [number, number, number, number][] }> {
  const d = await page.$eval(`#${canvasId}`, (c) => ({ area: (c as HTMLElement).dataset.area ?? '', points: (c as HTMLElement).dataset.points ?? '[]' }));
  const [left, top, right, bottom] = d.area.split(',').map(Number);
  return { area: { left, top, right, bottom }, points: JSON.parse(d.points) as [number, number, number, number][] };
}

/** Points (dataset, index, x, y) drawn outside the plot area (half a pixel of slack for rounding). */
export function outside(p: Awaited<ReturnType<typeof placements>>): [number, number, number, number][] {
  const a = p.area;
  return p.points.filter(([, , x, y]) => x < a.left - 0.5 || x > a.right + 0.5 || y < a.top - 0.5 || y > a.bottom + 0.5);
}

/** Whether the page scrolls sideways, and the elements that stick out on the right. */
export async function sideways(page: Page): Promise<{ scrolls: boolean; wide: string[] }> {
  return page.evaluate(() => {
    const se = document.scrollingElement!;
    const wide = Array.from(document.querySelectorAll('body *'))
      .filter((e) => !e.closest('.sr, .offscreen') && e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ')[0]}` : ''}`);
    return { scrolls: se.scrollWidth > se.clientWidth, wide };
  });
}
