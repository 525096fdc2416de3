/**
 * The extension's one owner object: settings, log, background sessions,
 * views, status bar and commands, every disposable registered the moment it
 * exists. Runs execute the bundled engine CLI in separate processes; this
 * process only reads their run folders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineEvent } from '../engine/events';
import type { DetailsToHost } from '../protocol/webview';
import { isCompareDir, markRunEnded, readReportFile } from '../engine/store/runFolder';
import { readSettings, sweepExecutorArgs, type Settings } from './settings';
import { SessionManager } from './sessionManager';
import { execEngine, type RunSession, type SessionKind } from './runSession';
import { RunsTreeProvider, type RunsNode } from './runsView';
import { liveWork, runsFingerprint, watchTarget } from './runsModel';
import { RunDetailsViewProvider } from './detailsView';
import { sessionText } from './progressText';
import { Panels } from './panels/panels';
import { resultColumn } from './panels/panel';
import { insideRoots } from './panels/messages';
import { ConfigSupport } from './config/configSupport';

const TEMPLATES: { label: string; file: string; detail: string }[] = [
  { label: 'Quick MNIST', file: 'quick-mnist.trannsformer.json', detail: '784-300-300-10 on the embedded MNIST; about a minute per mode' },
  { label: 'Paper: MNIST', file: 'paper-mnist.trannsformer.json', detail: '784-1200-1200-10, the reference hyperparameters, 60 epochs' },
  { label: 'Paper: MNIST, reference transformation', file: 'paper-mnist-reference.trannsformer.json', detail: 'the authors\' SCIC exactly, for fidelity' },
  { label: 'Paper: SVHN', file: 'paper-svhn.trannsformer.json', detail: '1024-1200-1200-1200-10 on your train_32x32.mat / test_32x32.mat' },
  { label: 'Paper: CIFAR-10', file: 'paper-cifar10.trannsformer.json', detail: '1024-1200-1200-1200-10 on your CIFAR-10 binary batches' },
];

export class Studio implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly log: vscode.LogOutputChannel;
  private settings: Settings;
  readonly sessions: SessionManager;
  readonly runs: RunsTreeProvider;
  readonly details: RunDetailsViewProvider;
  readonly panels: Panels;
  /** Diagnostics, quick fixes, hovers and CodeLens in *.trannsformer.json files. */
  readonly configSupport: ConfigSupport;
  /** What each session trains now: a compare's current mode (from its `started` event). */
  private readonly training = new WeakMap<RunSession, string>();
  /** The sweep folder of a sweep session (from its sweep-started event). */
  private readonly sweepDirs = new WeakMap<RunSession, string>();
  private readonly status: vscode.StatusBarItem;
  private refreshTimer?: NodeJS.Timeout;
  private deadRunTimer?: NodeJS.Timeout;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.log = this.own(vscode.window.createOutputChannel('TraNNsformer', { log: true }));
    this.settings = readSettings();
    this.sessions = new SessionManager(() => this.settings.maxConcurrentRuns);
    this.runs = new RunsTreeProvider(() => this.runsRoots(), (dir) => this.isLive(dir));
    const tree = this.own(vscode.window.createTreeView('trannsformer.runs', { treeDataProvider: this.runs }));
    // Selecting a sweep node shows its summary in Run details (a command on the node would stop a click from expanding it).
    this.own(tree.onDidChangeSelection((e) => {
      const n = e.selection[0];
      if (n?.kind === 'compare' && n.entry.sweep) this.details.select(n.entry.dir);
    }));
    const selection = { get: () => context.workspaceState.get('trannsformer.details.selected'), set: (d: string | undefined) => void context.workspaceState.update('trannsformer.details.selected', d), roots: () => this.runsRoots() };
    this.details = new RunDetailsViewProvider(context.extensionUri, (dir) => this.isLive(dir), (m) => this.onDetailsMessage(m), (line) => this.log.warn(line), selection);
    this.own(vscode.window.registerWebviewViewProvider(RunDetailsViewProvider.viewId, this.details));
    this.panels = this.own(
      new Panels({ extensionUri: context.extensionUri, log: this.log, runsRoots: () => this.runsRoots(), isLive: (d) => this.isLive(d), openReport: (d) => this.openReport(d), allRuns: () => this.runs.allRuns(), dirOf: (a) => this.dirOf(a) }),
    );
    this.configSupport = this.own(new ConfigSupport({ log: this.log, lastResults: (f) => this.lastResults(f), runs: () => this.runs.allRuns() }));
    this.status = this.own(vscode.window.createStatusBarItem('trannsformer.status', vscode.StatusBarAlignment.Left, 10));
    this.status.name = 'TraNNsformer runs';
    this.status.command = 'trannsformer.cancelRun';
    this.own(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('trannsformer') && this.onSettingsChanged()));
    this.own(vscode.workspace.onDidChangeWorkspaceFolders(() => this.watchRuns()));
    this.own(vscode.workspace.onDidGrantWorkspaceTrust(() => this.runs.refresh()));
    this.watchRuns();
    this.scheduleRefresh();
    this.sessions.on('changed', () => this.updateStatus());
    this.registerCommands();
    this.log.info(`activated; runs folder "${this.settings.runsFolder}", up to ${this.settings.maxConcurrentRuns} runs at once`);
  }

  private own<T extends vscode.Disposable>(d: T): T {
    this.disposables.push(d);
    return d;
  }

  // ---- runs folder --------------------------------------------------------

  runsRoots(): string[] {
    const f = this.settings.runsFolder;
    if (path.isAbsolute(f)) return [f];
    return (vscode.workspace.workspaceFolders ?? []).map((w) => path.join(w.uri.fsPath, f));
  }

  private watcher?: vscode.Disposable;
  private watchRuns(): void {
    this.watcher?.dispose();
    const ws = this.runsRoots().map((root) => {
      // The runs folder may not exist yet: watch from its nearest existing ancestor.
      const { base, pattern } = watchTarget(root);
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), pattern));
      const kick = () => this.scheduleRefresh();
      w.onDidCreate(kick);
      w.onDidChange(kick);
      w.onDidDelete(kick);
      return w;
    });
    // Watchers can miss the first run folder under a runs folder that did not exist yet: also compare
    // the folders' listings every few seconds (no run file is read) and refresh when they change.
    let seen = runsFingerprint(this.runsRoots());
    const poll = setInterval(() => {
      const now = runsFingerprint(this.runsRoots());
      if (now !== seen) {
        seen = now;
        this.scheduleRefresh();
      }
    }, 3_000);
    this.watcher = vscode.Disposable.from(...ws, new vscode.Disposable(() => clearInterval(poll)));
    this.own(this.watcher);
    this.runs.refresh();
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.reconcileDeadRuns();
      this.runs.refresh();
      this.details.update();
      this.panels.refresh();
      this.configSupport.refreshLenses();
      void vscode.commands.executeCommand('setContext', 'trannsformer.hasRuns', this.runs.allRuns().length > 0);
    }, 300);
  }

  /**
   * A folder still "running" whose process is gone (a window reloaded
   * mid-run, a crash) is closed as interrupted; while a run of another
   * process is running here, look again every few seconds, so one that dies
   * later is not shown as running forever.
   */
  private reconcileDeadRuns(): void {
    clearTimeout(this.deadRunTimer);
    let watching = false;
    for (const r of this.runs.allRuns()) {
      if (r.result?.status !== 'running' || this.isLive(r.dir)) continue;
      if (r.stale) {
        if (markRunEnded(r.dir, 'interrupted', 'its process is gone')) this.log.info(`${r.dir}: its process is gone; marked interrupted`);
      } else watching = true;
    }
    if (watching) this.deadRunTimer = setTimeout(() => this.scheduleRefresh(), 5_000);
  }

  private onSettingsChanged(): void {
    const before = this.settings;
    this.settings = readSettings();
    if (before.runsFolder !== this.settings.runsFolder) this.watchRuns();
    this.log.info(`settings changed; runs folder "${this.settings.runsFolder}", up to ${this.settings.maxConcurrentRuns} runs at once`);
  }

  /** The newest results of a config: its comparison folder, or its run folder. */
  lastResults(configFile: string): string | undefined {
    const mine = this.runs.allRuns().filter((r) => r.result?.configFile && path.resolve(r.result.configFile) === path.resolve(configFile));
    const newest = mine.sort((a, b) => (b.result!.createdAt < a.result!.createdAt ? -1 : 1))[0];
    if (!newest) return undefined;
    const parent = path.dirname(newest.dir);
    return isCompareDir(parent) ? parent : newest.dir;
  }

  isLive(dir: string): boolean {
    return this.sessions.sessions.some((s) => s.runDirs.includes(dir) && (s.state === 'running' || s.state === 'cancelling'));
  }

  // ---- launching ------------------------------------------------------------

  private configFrom(arg: unknown): string | undefined {
    if (arg instanceof vscode.Uri) return arg.fsPath;
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && doc.fileName.endsWith('.trannsformer.json')) return doc.fileName;
    return undefined;
  }

  async launch(kind: SessionKind, arg?: unknown): Promise<RunSession | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('TraNNsformer runs are disabled in Restricted Mode: a run executes the engine on files of this workspace. Trust the workspace to run; existing results can still be viewed.');
      return undefined;
    }
    let config = this.configFrom(arg);
    if (!config) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'TraNNsformer config': ['json'] }, openLabel: kind === 'run' ? 'Run' : kind === 'sweep' ? 'Sweep' : 'Compare' });
      config = picked?.[0]?.fsPath;
    }
    if (!config) return undefined;
    const doc = vscode.workspace.textDocuments.find((d) => d.fileName === config);
    if (doc?.isDirty) await doc.save();
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(config));
    const outRoot = path.isAbsolute(this.settings.runsFolder) ? this.settings.runsFolder : path.join(folder?.uri.fsPath ?? path.dirname(config), this.settings.runsFolder);
    const extraArgs = [...(this.settings.backend === 'config' ? [] : ['--backend', this.settings.backend]), ...(kind === 'sweep' ? sweepExecutorArgs(this.settings) : [])];
    const session = this.sessions.submit({
      kind,
      configFile: config,
      outRoot,
      cliPath: this.context.asAbsolutePath(path.join('dist', 'cli.js')),
      nodePath: this.settings.nodePath || undefined,
      cwd: path.dirname(config),
      extraArgs,
    });
    this.track(session);
    return session;
  }

  /** Continue a stopped, failed or killed run from its checkpoint, in its own folder (`trannsformer resume`). */
  async resume(dir: string | undefined): Promise<RunSession | undefined> {
    if (!dir) return undefined;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('TraNNsformer runs are disabled in Restricted Mode: trust the workspace to resume a run.');
      return undefined;
    }
    const session = this.sessions.submit({
      kind: 'resume',
      configFile: dir,
      outRoot: path.dirname(dir),
      cliPath: this.context.asAbsolutePath(path.join('dist', 'cli.js')),
      nodePath: this.settings.nodePath || undefined,
      cwd: dir,
      extraArgs: this.settings.backend === 'config' ? [] : ['--backend', this.settings.backend],
      // One resume of a folder at a time, across windows.
      exclusiveKey: dir,
    });
    this.track(session);
    return session;
  }

  private track(s: RunSession): void {
    const name = path.basename(s.options.configFile);
    if (s.state === 'queued') this.log.info(`${s.label}: queued (${this.sessions.active.length} running)`);
    s.on('log', (line: string) => this.log.info(`[${name}] ${line}`));
    s.on('event', (e: EngineEvent) => {
      if (e.type === 'started') {
        this.log.info(`[${name}] backend ${e.backend.name} (${e.backend.detail}); run folder ${e.runDir}`);
        this.details.select(e.runDir);
        if (s.options.kind === 'compare') {
          this.training.set(s, `${e.name} (run ${s.runDirs.length})`);
          this.log.info(`[${name}] training ${e.name}`);
        }
        this.panels.runChanged(e.runDir);
        this.scheduleRefresh();
      } else if (e.type === 'progress' && s.runDirs.length) this.details.post({ type: 'progress', dir: s.runDirs[s.runDirs.length - 1], progress: e });
      else if (e.type === 'epoch') {
        if (s.runDirs.length) this.panels.epoch(s.runDirs[s.runDirs.length - 1], e.metrics);
        this.scheduleRefresh();
      } else if (e.type === 'finished') this.panels.runChanged(e.runDir);
      else if (e.type === 'error') this.log.error(`[${name}] ${e.where ? `${e.where}: ` : ''}${e.message}`);
      this.updateStatus();
    });
    const logStart = () => this.log.info(`${s.label}: ${s.commandLine().join(' ')}`);
    if (s.state !== 'queued' && s.pid !== undefined) logStart(); // (a refused session never started: its exit says why)
    else {
      const onStarted = (started: RunSession) => {
        if (started !== s) return;
        this.sessions.off('started', onStarted);
        logStart();
      };
      this.sessions.on('started', onStarted);
    }
    const watch = async (progress: vscode.Progress<{ message?: string; increment?: number }>, token?: vscode.CancellationToken) => {
      token?.onCancellationRequested(() => s.cancel());
      let lastEpoch = 0;
      const onEvent = (e: EngineEvent) => {
        if (e.type === 'progress') {
          const pct = (100 * ((e.epoch - 1) * e.batches + e.batch)) / (e.epochs * e.batches);
          const inc = pct - lastEpoch;
          lastEpoch = pct;
          progress.report({ increment: s.options.kind === 'run' || s.options.kind === 'resume' ? inc : undefined, message: this.progressText(s) });
        } else if (e.type === 'epoch' || e.type === 'log') progress.report({ message: this.progressText(s) });
        else if (e.type === 'sweep-job' && e.status !== 'started') this.scheduleRefresh();
        else if (e.type === 'sweep-started') this.sweepDirs.set(s, e.sweepDir);
      };
      s.on('event', onEvent);
      const exit = await s.done;
      s.off('event', onEvent);
      this.log.info(`${s.label}: ${exit.state}${exit.code !== null ? ` (exit code ${exit.code})` : ''}${exit.signal ? ` (${exit.signal})` : ''}`);
      this.scheduleRefresh();
      if (exit.state === 'failed') {
        this.log.error(`${s.label} failed: ${exit.error}`);
        void vscode.window.showErrorMessage(`TraNNsformer ${s.options.kind} of ${name} failed: ${exit.error}`, 'Open log').then((b) => b && this.log.show());
      } else if (exit.state === 'completed') {
        const dir = s.runDirs[0] ? path.dirname(s.runDirs[0]) : undefined;
        const more = s.options.kind !== 'run' && s.options.kind !== 'resume' ? 'Open Pareto plot' : 'Open mapping';
        if (this.panels.anyVisible()) {
          // Results are on screen: say it in the status bar rather than over the panel's axis and caption.
          vscode.window.setStatusBarMessage(`$(check) TraNNsformer ${s.options.kind} of ${name} completed`, 20_000);
          return;
        }
        void vscode.window.showInformationMessage(`TraNNsformer ${s.options.kind} of ${name} completed.`, 'Open report', more).then((b) => {
          if (b === 'Open report' && s.runDirs.length) void this.openReport(s.options.kind === 'compare' ? dir : s.runDirs[0]);
          else if (b === 'Open Pareto plot') this.panels.openPareto(this.sweepDirs.get(s));
          else if (b === 'Open mapping' && s.runDirs[0]) this.panels.openMapping(s.runDirs[0]);
        });
      } else if (exit.state === 'interrupted') {
        // Stopped by the user, by a closing window or by a signal: the folder keeps the epochs that finished.
        const last = s.runDirs[s.runDirs.length - 1];
        const where = this.training.get(s);
        // Resume continues the interrupted run from its checkpoint (the Resume Run command); a sweep resumes as a whole, not from here.
        const actions = [...(last && s.options.kind !== 'sweep' ? ['Resume'] : []), 'Show details', 'Open log'];
        void vscode.window
          .showWarningMessage(`TraNNsformer ${s.options.kind} of ${name} was interrupted${where ? ` while training ${where}` : ''}${s.lastEpoch ? ` after epoch ${s.lastEpoch.epoch}` : ''}. Its run folder keeps the finished epochs.`, ...actions)
          .then((b) => {
            if (b === 'Resume' && last) void vscode.commands.executeCommand('trannsformer.resumeRun', vscode.Uri.file(last));
            else if (b === 'Show details' && last) this.details.select(last);
            else if (b === 'Open log') this.log.show();
          });
      }
    };
    // A sweep runs long while its Pareto panel fills: its progress is the status-bar item's (click to cancel), not a notification over the panel.
    if (s.options.kind === 'sweep') void watch({ report: () => undefined });
    else void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `TraNNsformer: ${s.options.kind} ${name}`, cancellable: true }, watch);
  }

  private progressText(s: RunSession): string {
    return sessionText({ cancelling: s.state === 'cancelling', training: this.training.get(s), progress: s.lastProgress, epoch: s.lastEpoch, sweep: s.lastSweep });
  }

  private updateStatus(): void {
    const active = this.sessions.active;
    const queued = this.sessions.queued.length;
    void vscode.commands.executeCommand('setContext', 'trannsformer.running', active.length + queued > 0);
    if (active.length === 0 && queued === 0) {
      this.status.hide();
      return;
    }
    const first = active[0];
    this.status.text = `$(sync~spin) TraNNsformer${active.length > 1 ? ` (${active.length})` : ''}: ${first ? this.progressText(first) || 'starting…' : ''}${queued ? ` +${queued} queued` : ''}`;
    this.status.tooltip = 'TraNNsformer runs — click to cancel one';
    this.status.show();
  }

  // ---- commands -------------------------------------------------------------

  private registerCommands(): void {
    const reg = (id: string, fn: (...args: unknown[]) => unknown) => this.own(vscode.commands.registerCommand(id, fn));
    reg('trannsformer.newConfig', () => this.newConfig());
    reg('trannsformer.run', (arg) => this.launch('run', arg));
    reg('trannsformer.resumeRun', (node) => this.resume(this.dirOf(node) ?? this.details.selectedDir));
    reg('trannsformer.compare', (arg) => this.launch('compare', arg));
    reg('trannsformer.sweep', (arg) => this.launch('sweep', arg));
    reg('trannsformer.cancelRun', () => this.cancelRun());
    reg('trannsformer.refreshRuns', () => this.runs.refresh());
    reg('trannsformer.showRun', (node) => this.details.select(this.dirOf(node)));
    reg('trannsformer.openReport', (node) => this.openReport(this.dirOf(node) ?? this.details.selectedDir));
    reg('trannsformer.revealRun', (node) => this.reveal(this.dirOf(node) ?? this.details.selectedDir));
    reg('trannsformer.deleteRun', (node) => this.deleteRun(this.dirOf(node)));
    reg('trannsformer.showLog', () => this.log.show());
  }

  private dirOf(node: unknown): string | undefined {
    const n = node as RunsNode | vscode.Uri | undefined;
    if (!n) return undefined;
    if (n instanceof vscode.Uri) return n.fsPath;
    if (n.kind === 'run') return n.record.dir;
    if (n.kind === 'compare') return n.entry.dir;
    return undefined;
  }

  private async newConfig(): Promise<void> {
    const pick = await vscode.window.showQuickPick(TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, file: t.file })), { placeHolder: 'Start from a template' });
    if (!pick) return;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = await vscode.window.showInputBox({ prompt: 'Config file name', value: pick.file, validateInput: (v) => (/^[\w.-]+\.trannsformer\.json$/.test(v) ? undefined : 'A name ending in .trannsformer.json') });
    if (!name) return;
    const target = folder ? vscode.Uri.joinPath(folder, name) : (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(name) }));
    if (!target) return;
    if (fs.existsSync(target.fsPath) && (await vscode.window.showWarningMessage(`${name} exists. Replace it?`, { modal: true }, 'Replace')) !== 'Replace') return;
    const template = fs.readFileSync(this.context.asAbsolutePath(path.join('examples', pick.file)), 'utf8');
    const text = template.replace(/"name": "[^"]*"/, `"name": "${path.basename(name, '.trannsformer.json').replace(/[^A-Za-z0-9._-]/g, '-')}"`);
    await vscode.workspace.fs.writeFile(target, Buffer.from(text));
    await vscode.window.showTextDocument(target);
  }

  private async cancelRun(): Promise<void> {
    const candidates = [...this.sessions.active, ...this.sessions.queued];
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage('No TraNNsformer run is in progress.');
      return;
    }
    const s =
      candidates.length === 1
        ? candidates[0]
        : (await vscode.window.showQuickPick(candidates.map((c) => ({ label: c.label, description: `${c.state} ${this.progressText(c)}`, c })), { placeHolder: 'Cancel which run?' }))?.c;
    s?.cancel();
  }

  async openReport(dir: string | undefined): Promise<void> {
    if (!dir) return;
    // The engine (re)writes the report in its own process, from the folder's current records.
    const r = await execEngine({ nodePath: this.settings.nodePath || undefined, cliPath: this.context.asAbsolutePath(path.join('dist', 'cli.js')), args: ['report', dir], timeoutMs: 60_000 });
    const html = r.code === 0 ? readReportFile(dir) : undefined;
    if (html === undefined) {
      const why = r.stderr.trim().split('\n').pop() || `the engine exited with code ${r.code}`;
      this.log.error(`report for ${dir} failed: ${r.stderr.trim()}`);
      void vscode.window.showErrorMessage(`No report for ${path.basename(dir)}: ${why}`, 'Open Log').then((a) => a && this.log.show());
      return;
    }
    const panel = vscode.window.createWebviewPanel('trannsformer.report', `Report: ${path.basename(dir)}`, resultColumn(), { enableScripts: false, localResourceRoots: [] });
    // The report is self-contained (inline styles and SVG, its own CSP); no scripts run.
    panel.webview.html = html;
  }

  private async reveal(dir: string | undefined): Promise<void> {
    if (!dir) return;
    const uri = vscode.Uri.file(dir);
    // Desktop VS Code opens the system's file manager; in a browser
    // (code-server, vscode.dev) that command does not exist, so the folder is
    // revealed in the Explorer instead.
    try {
      await vscode.commands.executeCommand('revealFileInOS', uri);
      return;
    } catch (e) {
      this.log.info(`revealFileInOS unavailable (${(e as Error).message}); revealing ${dir} in the Explorer`);
    }
    if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
    else void vscode.window.showInformationMessage(`Run folder: ${dir}`);
  }

  private async deleteRun(dir: string | undefined): Promise<void> {
    if (!dir) return;
    // Live anywhere (this window, another window, a terminal): the folder is still being written.
    const live = liveWork(dir, (d) => this.isLive(d));
    if (live) {
      void vscode.window.showWarningMessage(`${path.basename(dir)} cannot be deleted now: ${live}. Cancel it (or wait for it to end) first.`);
      return;
    }
    const ok = await vscode.window.showWarningMessage(`Delete run folder ${path.basename(dir)}?`, { modal: true, detail: dir }, 'Delete');
    if (ok !== 'Delete') return;
    const uri = vscode.Uri.file(dir);
    try {
      await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true });
    } catch (e) {
      // No trash where the files live (code-server, a remote): say so and
      // delete permanently only when confirmed again.
      this.log.info(`moving ${dir} to the trash failed: ${(e as Error).message}`);
      const again = await vscode.window.showWarningMessage(`${path.basename(dir)} cannot be moved to the trash here. Delete it permanently?`, { modal: true, detail: `${dir}\n\n${(e as Error).message}` }, 'Delete Permanently');
      if (again !== 'Delete Permanently') return;
      try {
        await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
      } catch (e2) {
        void vscode.window.showErrorMessage(`Could not delete ${dir}: ${(e2 as Error).message}`);
        return;
      }
    }
    if (this.details.selectedDir === dir) this.details.select(undefined);
    this.runs.refresh();
  }

  private onDetailsMessage(m: DetailsToHost): void {
    // A webview names folders: only run folders inside the runs folders are opened or revealed.
    if (m.type !== 'ready' && (typeof m.dir !== 'string' || !insideRoots(m.dir, this.runsRoots()))) {
      this.log.warn(`Run details: dropped "${String(m.type)}" for a path outside the runs folders: ${String((m as { dir?: unknown }).dir)}`);
      return;
    }
    if (m.type === 'openReport') void this.openReport(m.dir);
    else if (m.type === 'reveal') void this.reveal(m.dir);
    else if (m.type === 'openMapping') this.panels.openMapping(m.dir);
    else if (m.type === 'openCurves') this.panels.openCurves(m.dir);
  }

  async dispose(): Promise<void> {
    clearTimeout(this.refreshTimer);
    clearTimeout(this.deadRunTimer);
    // Closing the window stops runs cleanly: each folder ends "interrupted".
    await Promise.race([this.sessions.cancelAll(), new Promise((r) => setTimeout(r, 15_000))]);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
