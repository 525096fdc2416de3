/**
 * The result panels of the extension: crossbar mapping (one per run),
 * Pareto (one), training curves (one per run). Registers their commands and
 * the serializers that restore them after a window reload from the key the
 * webview saved; forwards live updates.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CurvesPanel } from './curvesPanel';
import { disposeMappingViews, MappingPanel } from './mappingPanel';
import { ParetoPanel } from './paretoPanel';
import { checkPanelState, insideRoots } from './messages';
import { readCompare, readRun } from '../../engine/store/runFolder';
import { readSweep } from '../../engine/store/sweepFolder';
import type { PanelHost } from './panel';

import type { EpochMetrics } from '../../engine/format/metrics';
import type { RunRecord } from '../../engine/format/run';

export interface PanelsOwner extends Omit<PanelHost, 'openMapping'> {
  /** Every run listed in the Runs view (for pickers). */
  allRuns(): RunRecord[];
  /** The run folder a command argument names (a Runs tree node or a Uri), if any. */
  dirOf(arg: unknown): string | undefined;
}

/** Re-creations of one stuck panel before it falls back to reloading its HTML and then the Reload panel button. */
const MAX_RECREATE = 2;

export class Panels implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly mapping = new Map<string, MappingPanel>();
  private readonly curves = new Map<string, CurvesPanel>();
  private pareto?: ParetoPanel;
  private readonly host: PanelHost;

  constructor(private readonly owner: PanelsOwner) {
    this.host = {
      extensionUri: owner.extensionUri,
      log: owner.log,
      runsRoots: () => owner.runsRoots(),
      isLive: (d) => owner.isLive(d),
      openReport: (d) => owner.openReport(d),
      openMapping: (d, o) => this.openMapping(d, o),
    };
    const reg = (id: string, fn: (arg: unknown) => unknown) => this.disposables.push(vscode.commands.registerCommand(id, fn));
    reg('trannsformer.openMapping', async (arg) => {
      const dir = owner.dirOf(arg) ?? (await this.pickRun('Open the crossbar mapping of which run?', (r) => r.result?.status !== 'running'));
      if (dir) this.openMapping(dir);
    });
    // On a sweep node (or a sweep folder): that sweep; otherwise every run and sweep point.
    reg('trannsformer.openPareto', (arg) => this.openPareto(owner.dirOf(arg)));
    reg('trannsformer.openCurves', async (arg) => {
      const dir = owner.dirOf(arg) ?? (await this.pickRun('Open the training curves of which run?', () => true));
      if (dir) this.openCurves(dir);
    });
    const serializer = (restore: (panel: vscode.WebviewPanel, state: ReturnType<typeof checkPanelState>) => void): vscode.WebviewPanelSerializer => ({
      deserializeWebviewPanel: async (panel, raw) => {
        const state = checkPanelState(raw);
        try {
          restore(panel, state);
        } catch (e) {
          owner.log.warn(`could not restore ${panel.viewType}: ${(e as Error).message}`);
          panel.dispose();
        }
      },
    });
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(
        MappingPanel.viewType,
        serializer((panel, s) => {
          if (!s.key || !this.known(s.key)) throw new Error(`no run to restore (${s.key ?? 'no key saved'})`);
          this.adoptMapping(new MappingPanel(this.host, panel, s.key, s.scheme, s.epoch));
        }),
      ),
      vscode.window.registerWebviewPanelSerializer(
        ParetoPanel.viewType,
        serializer((panel, s) => this.adoptPareto(new ParetoPanel(this.host, panel, this.sweepOf(s.key)))),
      ),
      vscode.window.registerWebviewPanelSerializer(
        CurvesPanel.viewType,
        serializer((panel, s) => {
          if (!s.key || !this.known(s.key)) throw new Error(`no run to restore (${s.key ?? 'no key saved'})`);
          this.adoptCurves(new CurvesPanel(this.host, panel, s.key));
        }),
      ),
    );
  }

  /** A key restored from webview state names a run folder inside the runs folders. */
  private known(dir: string): boolean {
    return insideRoots(dir, this.owner.runsRoots());
  }

  private async pickRun(placeHolder: string, filter: (r: RunRecord) => boolean): Promise<string | undefined> {
    const runs = this.owner.allRuns().filter((r) => r.state === 'ok' && filter(r));
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('No runs yet: run or compare a config first.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: `${r.config?.transform?.mode ?? ''} · ${r.result?.name ?? ''}`, description: path.basename(path.dirname(r.dir)).endsWith('-compare') ? path.basename(path.dirname(r.dir)) : path.basename(r.dir), dir: r.dir })),
      { placeHolder },
    );
    return pick?.dir;
  }

  /** A comparison folder stands for its TraNNsformer run (else its first run); a run folder for itself. */
  private runOf(dir: string): string {
    if (readRun(dir).state === 'ok') return dir;
    const c = readCompare(dir);
    // compare.json is a file anyone can edit: a runDir that is not a path falls back to the folder (then checked to be inside the runs folders).
    const named = c?.rows.find((r) => r?.mode === 'trannsformer')?.runDir ?? c?.rows[0]?.runDir;
    return typeof named === 'string' && named.length > 0 && named.length <= 4096 ? named : dir;
  }

  openMapping(folder: string, opts: { scheme?: string; epoch?: number } = {}): void {
    const dir = this.runOf(folder);
    if (!this.known(dir)) {
      void vscode.window.showWarningMessage(`Not a run folder inside the runs folders: ${dir}`);
      return;
    }
    const existing = this.mapping.get(dir);
    if (existing) {
      existing.panel.reveal(undefined, false);
      if (opts.scheme !== undefined || opts.epoch !== undefined) existing.show(dir, opts);
      return;
    }
    this.adoptMapping(MappingPanel.create(this.host, dir, opts));
  }

  /** `dir` when it is a sweep folder (not a comparison) inside the runs folders, else undefined (the panel shows everything). */
  private sweepOf(dir: string | undefined): string | undefined {
    return dir !== undefined && this.known(dir) && readSweep(dir)?.kind === 'sweep' ? dir : undefined;
  }

  /** The Pareto panel, on one sweep when `folder` is a sweep folder, else on every run and sweep point. */
  openPareto(folder?: string): void {
    const sweep = this.sweepOf(folder);
    if (this.pareto) {
      this.pareto.panel.reveal(undefined, false);
      this.pareto.scope(sweep);
      this.pareto.send();
      return;
    }
    this.adoptPareto(ParetoPanel.create(this.host, sweep));
  }

  openCurves(folder: string): void {
    const dir = this.runOf(folder);
    if (!this.known(dir)) {
      void vscode.window.showWarningMessage(`Not a run folder inside the runs folders: ${dir}`);
      return;
    }
    const existing = this.curves.get(dir);
    if (existing) existing.panel.reveal(undefined, false);
    else this.adoptCurves(CurvesPanel.create(this.host, dir));
  }

  private adoptMapping(p: MappingPanel, recreated = 0): void {
    const first = p.key;
    this.mapping.set(first, p);
    // A mapping panel may switch to a sibling run; it stays registered under the key it opened with (until a re-created one takes it).
    p.onDispose = () => {
      if (this.mapping.get(first) === p) this.mapping.delete(first);
    };
    p.recreate = this.recreator(p, recreated, (n, column) => this.adoptMapping(MappingPanel.create(this.host, first, {}, column), n));
  }

  private adoptPareto(p: ParetoPanel, recreated = 0): void {
    if (this.pareto !== p) this.pareto?.dispose();
    this.pareto = p;
    p.onDispose = () => {
      if (this.pareto === p) this.pareto = undefined;
    };
    const sweep = p.sweep;
    p.recreate = this.recreator(p, recreated, (n, column) => this.adoptPareto(ParetoPanel.create(this.host, sweep, column), n));
  }

  private adoptCurves(p: CurvesPanel, recreated = 0): void {
    this.curves.set(p.key, p);
    p.onDispose = () => {
      if (this.curves.get(p.key) === p) this.curves.delete(p.key);
    };
    p.recreate = this.recreator(p, recreated, (n, column) => this.adoptCurves(CurvesPanel.create(this.host, p.key, column), n));
  }

  /**
   * A stuck panel's re-creation: a new one opened on the same thing in the
   * old one's editor group, then the old one closed — at most MAX_RECREATE
   * times in a row. New first: closing the old one first would close a
   * group it had alone, and the new one would land in another group, where
   * it hides behind that group's tab (seen in e2e: after one re-creation the
   * next reload restored the Pareto panel as a hidden tab).
   */
  private recreator(p: { dispose(): void; readonly panel: vscode.WebviewPanel }, recreated: number, open: (recreated: number, column: vscode.ViewColumn | undefined) => void): () => boolean {
    return () => {
      if (recreated >= MAX_RECREATE) return false;
      this.owner.log.warn(`re-creating a panel whose webview did not load (${recreated + 1} of ${MAX_RECREATE}) in its editor group (${p.panel.viewColumn ?? 'unknown'})`);
      open(recreated + 1, p.panel.viewColumn);
      p.dispose();
      return true;
    };
  }

  /** Whether a result panel is on screen (then completions are announced in the status bar, not over it). */
  anyVisible(): boolean {
    return [...this.mapping.values(), ...this.curves.values(), ...(this.pareto ? [this.pareto] : [])].some((p) => p.panel.visible);
  }

  /** The runs folders changed: re-send what depends on them. */
  refresh(): void {
    this.pareto?.send();
  }

  /** A run finished an epoch (forwarded from the engine's events). */
  epoch(dir: string, metrics: EpochMetrics): void {
    this.curves.get(dir)?.epoch(metrics);
  }

  /** A run started or ended: panels that show it re-read it. */
  runChanged(dir: string): void {
    this.curves.get(dir)?.send();
  }

  dispose(): void {
    for (const p of [...this.mapping.values(), ...this.curves.values(), ...(this.pareto ? [this.pareto] : [])]) p.dispose();
    disposeMappingViews();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
