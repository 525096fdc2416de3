// The machinery of the browser e2e suite: code-server on loopback with a
// fresh user-data folder, the packaged extension installed into it, a
// temporary workspace, Chromium driven by playwright-core, and helpers that
// act on the workbench as a user does. Every wait is bounded; every process
// started here is killed on exit, failure, timeout or signal.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath } from './setup.mjs';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const EXTENSION_ID = 'trannsformer-studio.trannsformer-studio';

// ---- process hygiene -------------------------------------------------------

const children = new Set();
/** Kills every process group started here that is still alive (sync: safe in 'exit'). */
export function killAll() {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Rejects with `what` when `promise` takes longer than `ms`. */
export function within(ms, what, promise) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${(ms / 1000).toFixed(0)} s: ${what}`)), ms);
    }),
  ]);
}

/** Polls `fn` until it returns a truthy value; throws with `what` after `ms`. */
export async function until(what, fn, { timeout = 30_000, interval = 250 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${(timeout / 1000).toFixed(0)} s waiting for ${what}${last ? ` (last error: ${last.message.split('\n')[0]})` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** A webview's own document: the inner frame (fake.html) of the workbench's webview host frame. */
const isWebviewDocument = (f) => /\/webview\/browser\/pre\/fake\.html/.test(f.url());

// ---- an editor instance ----------------------------------------------------

/**
 * One code-server with its own user-data and extensions folders, the .vsix
 * installed, serving a fresh copy of examples/ as the workspace; one
 * Chromium page on it. `trust: false` leaves Workspace Trust on, the
 * workspace untrusted and the startup prompt off: Restricted Mode.
 */
export class Editor {
  constructor({ codeServer, vsix, artifacts, log, theme = 'Default Dark Modern', trust = true, settings = {} }) {
    Object.assign(this, { codeServer, vsix, artifacts, log, theme, trust, extraSettings: settings });
    this.tmp = mkdtempSync(path.join(tmpdir(), 'trannsformer-e2e-'));
    this.userData = path.join(this.tmp, 'user-data');
    this.extensionsDir = path.join(this.tmp, 'extensions');
    this.workspace = path.join(this.tmp, 'workspace');
  }

  async start() {
    mkdirSync(path.join(this.userData, 'User'), { recursive: true });
    mkdirSync(this.extensionsDir, { recursive: true });
    cpSync(path.join(root, 'examples'), this.workspace, { recursive: true });
    this.writeSettings({});
    const install = spawnSync(process.execPath, [this.codeServer, '--user-data-dir', this.userData, '--extensions-dir', this.extensionsDir, '--install-extension', this.vsix], { encoding: 'utf8', timeout: 120_000 });
    this.log(`install-extension: exit ${install.status}\n${install.stdout}${install.stderr}`);
    if (install.status !== 0) throw new Error(`code-server --install-extension ${this.vsix} failed (exit ${install.status ?? install.signal}); see the log`);
    this.port = await freePort();
    const args = [this.codeServer, '--auth', 'none', '--bind-addr', `127.0.0.1:${this.port}`, '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--user-data-dir', this.userData, '--extensions-dir', this.extensionsDir, '--ignore-last-opened'];
    if (this.trust) args.push('--disable-workspace-trust');
    this.server = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CS_DISABLE_FILE_DOWNLOADS: '1' } });
    children.add(this.server);
    this.serverLog = createWriteStream(path.join(this.artifacts, 'code-server.log'));
    this.server.stdout.pipe(this.serverLog, { end: false });
    this.server.stderr.pipe(this.serverLog, { end: false });
    let out = '';
    await within(60_000, `code-server to listen on 127.0.0.1:${this.port}`, new Promise((resolve, reject) => {
      const onData = (d) => {
        out += d;
        if (out.includes('HTTP server listening')) resolve();
      };
      this.server.stdout.on('data', onData);
      this.server.stderr.on('data', onData);
      this.server.once('exit', (code) => reject(new Error(`code-server exited (code ${code}) before listening:\n${out.slice(-2000)}`)));
    }));
    this.server.once('exit', (code, sig) => this.log(`code-server exited (${code ?? sig})`));
    this.browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
      timeout: 60_000,
    });
    this.context = await this.browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    this.page = await this.context.newPage();
    this.page.setDefaultTimeout(20_000);
    this.page.on('console', (m) => m.type() === 'error' && this.log(`[browser console] ${m.text().slice(0, 500)}`));
    this.page.on('pageerror', (e) => this.log(`[page error] ${e.message}`));
    await this.open();
  }

  writeSettings(extra) {
    const settings = {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'workbench.colorTheme': this.theme,
      'security.workspace.trust.enabled': !this.trust ? true : false,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.banner': 'always',
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'git.enabled': false,
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'window.confirmBeforeClose': 'never',
      'files.hotExit': 'off',
      ...this.extraSettings,
      ...extra,
    };
    writeFileSync(path.join(this.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }

  /** Loads the workbench on the workspace and waits until it is usable. */
  async open() {
    await this.page.goto(`http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspace)}`, { timeout: 60_000 });
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 90_000 });
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 30_000 });
    await this.waitForExtension();
  }

  /** Waits until the extension's contributions are in the workbench (its activity-bar container). */
  async waitForExtension() {
    await this.page.locator('.part.activitybar [aria-label^="TraNNsformer"]').first().waitFor({ state: 'visible', timeout: 60_000 });
  }

  /** Reloads the window (Developer: Reload Window), as a user does. */
  async reload() {
    await this.command('Developer: Reload Window');
    await this.page.waitForLoadState('domcontentloaded', { timeout: 60_000 });
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 90_000 });
    await this.waitForExtension();
  }

  async close() {
    try {
      await within(15_000, 'closing the browser', this.browser?.close() ?? Promise.resolve());
    } catch (e) {
      this.log(`browser close: ${e.message}`);
    }
    if (this.server && this.server.exitCode === null) {
      try {
        process.kill(-this.server.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      await within(10_000, 'code-server to stop', new Promise((r) => (this.server.exitCode !== null ? r() : this.server.once('exit', r)))).catch(() => {
        try {
          process.kill(-this.server.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      });
    }
    children.delete(this.server);
    this.serverLog?.end();
    // Engine processes the extension started are children of code-server's
    // extension host; they end with it. Keep the workspace only on failure.
  }

  /** The extension's output channel as written to the user-data logs (every window session, oldest first). */
  extensionLog() {
    const logs = path.join(this.userData, 'logs');
    if (!existsSync(logs)) return '';
    const files = readdirSync(logs, { recursive: true }).map(String).filter((f) => path.basename(f) === 'TraNNsformer.log').sort();
    return files.map((f) => readFileSync(path.join(logs, f), 'utf8')).join('\n');
  }

  cleanup() {
    rmSync(this.tmp, { recursive: true, force: true });
  }

  async screenshot(name) {
    const file = path.join(this.artifacts, `${name}.png`);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.page.screenshot({ path: file, timeout: 15_000 });
        break;
      } catch (e) {
        // Right after a reload the page may be between documents: try again once.
        if (attempt >= 2) {
          this.log(`screenshot ${name}: ${e.message}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    return file;
  }

  // ---- acting on the workbench -------------------------------------------

  get quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  /** Opens the command palette on `text`; returns the labels of the rows shown. */
  async palette(text) {
    await this.closeQuickInput();
    const input = this.quickInput.locator('input.input');
    // A key pressed while a webview that has focus is still loading is lost: press again once.
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: attempt === 1 ? 5_000 : 20_000 });
        break;
      } catch (e) {
        if (attempt >= 2) throw e;
        this.log('the command palette did not open on F1; pressing it again');
      }
    }
    // F1 already puts '>' in the box: type after it.
    await until('the command palette to show ">"', async () => (await input.inputValue()).startsWith('>'), { timeout: 10_000 });
    await input.pressSequentially(text, { delay: 5 });
    await this.page.waitForTimeout(400);
    return this.quickInputRows();
  }

  async quickInputRows() {
    return this.quickInput.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
  }

  /** Runs a command by its exact palette title ("Category: Title"). */
  async command(title) {
    await this.palette(title);
    const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = this.quickInput.locator('.monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: exact }) }).first();
    await until(`"${title}" in the command palette`, () => row.isVisible(), { timeout: 15_000 }).catch(async (e) => {
      throw new Error(`${e.message}; the palette shows: ${(await this.quickInputRows()).join(' | ')}`);
    });
    await row.click();
  }

  async closeQuickInput() {
    if (await this.quickInput.isVisible().catch(() => false)) {
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    }
  }

  /** Picks a row of an open quick pick by its label. */
  async pick(label) {
    const row = this.quickInput.locator('.monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  /** Texts of the notification toasts now on screen. */
  async notifications() {
    return this.page.locator('.notifications-toasts .notification-toast').evaluateAll((ts) => ts.map((t) => t.innerText ?? ''));
  }

  async waitNotification(re, timeout = 30_000) {
    return until(`a notification matching ${re}`, async () => (await this.notifications()).find((t) => re.test(t)), { timeout });
  }

  async statusBarTexts() {
    return this.page.locator('.part.statusbar .statusbar-item').evaluateAll((items) => items.map((i) => i.innerText?.trim() ?? '').filter(Boolean));
  }

  /** Opens the TraNNsformer container from the activity bar. */
  async openContainer() {
    const tab = this.page.locator('.part.activitybar [aria-label^="TraNNsformer"], .part.sidebar .composite-bar [aria-label^="TraNNsformer"]').first();
    await tab.waitFor({ state: 'visible', timeout: 60_000 });
    const view = this.page.locator('.part.sidebar .pane-header', { hasText: 'Runs' });
    // After a reload the container may be active while its panes are still being restored: a click then
    // toggles the sidebar closed. Click, give the panes a few seconds, and try again (bounded).
    for (let attempt = 1; attempt <= 4; attempt++) {
      if (await view.isVisible().catch(() => false)) return;
      await tab.click();
      try {
        await view.waitFor({ state: 'visible', timeout: 5_000 });
        return;
      } catch (e) {
        if (attempt === 4) throw e;
      }
    }
  }

  /** Texts (label and description) of the rows of the Runs tree. */
  async runsRows() {
    const pane = this.page.locator('.part.sidebar .pane', { has: this.page.locator('.pane-header', { hasText: /^Runs/ }) }).first();
    return pane.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
  }

  runsRow(text) {
    const pane = this.page.locator('.part.sidebar .pane', { has: this.page.locator('.pane-header', { hasText: /^Runs/ }) }).first();
    return pane.locator('.monaco-list-row', { hasText: text }).first();
  }

  /** Texts of the documents of every webview now attached (each is two iframes deep). */
  async webviewTexts() {
    const texts = [];
    for (const f of this.page.frames()) {
      if (!isWebviewDocument(f)) continue;
      const t = await f.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (t.trim()) texts.push(t);
    }
    return texts;
  }

  /** Waits for a webview whose text matches every pattern; returns its text. */
  async waitWebview(what, patterns, timeout = 30_000) {
    return until(what, async () => (await this.webviewTexts()).find((t) => patterns.every((p) => p.test(t))), { timeout });
  }

  /** The inner frame (the document) of the webview whose text matches `pattern`. */
  async webviewFrame(pattern) {
    for (const f of this.page.frames()) {
      if (!isWebviewDocument(f)) continue;
      const t = await f.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (pattern.test(t)) return f;
    }
    return undefined;
  }

  /** Codicon names of a tree row's icon (e.g. "pass", "debug-pause", "sync"). */
  async rowIcons(row) {
    return row.locator('.custom-view-tree-node-item-icon, .codicon').evaluateAll((els) => els.flatMap((e) => [...e.classList].filter((c) => c.startsWith('codicon-')).map((c) => c.slice(8))));
  }

  /** Switches the color theme through "Preferences: Color Theme", as a user does (`name` as the picker lists it). */
  async setTheme(name) {
    await this.command('Preferences: Color Theme');
    const input = this.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    const row = this.quickInput.locator('.monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 }).catch(async (e) => {
      throw new Error(`${e.message.split('\n')[0]}; the theme picker shows: ${(await this.quickInputRows()).join(' | ')}`);
    });
    await row.click();
    await this.quickInput.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Runs an item of a context menu (right click on `target`). */
  async contextMenu(target, label) {
    await target.click({ button: 'right' });
    const item = this.page.locator('.context-view .action-item', { hasText: label }).first();
    await item.waitFor({ state: 'visible' });
    // The workbench's menus act on a focused item's Enter more reliably than on synthetic clicks.
    await item.hover();
    await until(`"${label}" focused in the context menu`, () => item.evaluate((e) => e.classList.contains('focused') || e.contains(document.activeElement) || !!e.getRootNode().activeElement?.closest?.('.action-item.focused')), { timeout: 5_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  }

  /** Opens a workspace file through Quick Open. */
  async openFile(name) {
    await this.closeQuickInput();
    const input = this.quickInput.locator('input.input');
    // A key pressed while a webview that has focus is still loading is lost: press again once.
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: attempt === 1 ? 5_000 : 20_000 });
        break;
      } catch (e) {
        if (attempt >= 2) throw e;
        this.log('the command palette did not open on F1; pressing it again');
      }
    }
    await input.fill(name);
    const row = this.quickInput.locator('.monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await row.click();
    await this.page.locator('.part.editor .tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible' });
  }

  /** Clicks an action of the active editor's title bar by its label. */
  async editorTitleAction(label) {
    const a = this.page.locator(`.part.editor .editor-group-container.active .editor-actions .action-label[aria-label^="${label}"]`).first();
    await a.waitFor({ state: 'visible' });
    await a.click();
  }

  /** Runs folders written in the workspace (by the extension's engine processes). */
  runFolders() {
    const dir = path.join(this.workspace, '.trannsformer', 'runs');
    if (!existsSync(dir)) return [];
    // Dot-files are the extension's run claims (one run slot, one resume of a folder, across windows), not runs.
    return readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .map((n) => path.join(dir, n));
  }

  result(dir) {
    try {
      return JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Runs the installed extension's own engine CLI (the one the .vsix carries) to prepare results. */
  cli(args, { timeout = 120_000 } = {}) {
    const extDir = readdirSync(this.extensionsDir).find((n) => n.startsWith(EXTENSION_ID));
    if (!extDir) throw new Error(`the extension is not installed in ${this.extensionsDir}`);
    const r = spawnSync(process.execPath, [path.join(this.extensionsDir, extDir, 'dist', 'cli.js'), ...args], { cwd: this.workspace, encoding: 'utf8', timeout });
    this.log(`cli ${args.join(' ')}: exit ${r.status ?? r.signal}\n${r.stderr.slice(-3000)}`);
    if (r.status !== 0) throw new Error(`trannsformer ${args.join(' ')} failed (exit ${r.status ?? r.signal}); see the log`);
    return r;
  }
}

/** A small config on the embedded MNIST, sized so an epoch lasts `seconds`-ish on two cores. */
export function writeConfig(editor, name, { epochs = 2, trainLimit = 6000, layers = [784, 100, 10], mode = 'pruning', batchSize = 100 } = {}) {
  const file = path.join(editor.workspace, `${name}.trannsformer.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        name,
        dataset: { name: 'mnist', trainLimit, testLimit: 1000 },
        network: { layers },
        training: { epochs, batchSize, learningRate: 0.1, seed: 1 },
        transform: { mode, crossbar: 32 },
        hardware: { snnImages: 50, timesteps: 20 },
        backend: 'wasm',
      },
      null,
      2,
    ) + '\n',
  );
  return file;
}
