/**
 * The Pareto panel: every completed run and every priced sweep point as a
 * design point, fronts per pair of axes — or, opened on a sweep, that sweep's
 * points with its recommended design; re-sent when the runs folder changes
 * (a sweep rewrites its pareto.json as each training finishes).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Panel, resultColumn, webviewOptions, type PanelHost } from './panel';
import { checkParetoMessage } from './messages';
import { exportFolder, exportName, paretoCsv, readParetoView } from './paretoData';

import type { HostToPareto, ParetoToHost, ParetoView } from '../../protocol/webview';

export class ParetoPanel extends Panel<ParetoToHost, HostToPareto> {
  static readonly viewType = 'trannsformer.pareto';
  private view?: ParetoView;

  /** The sweep folder shown, or undefined for every run and sweep point of the runs folders. */
  private sweepDir?: string;

  constructor(host: PanelHost, panel: vscode.WebviewPanel, sweepDir?: string) {
    super(host, panel, 'pareto', checkParetoMessage);
    this.sweepDir = sweepDir;
    this.retitle();
  }

  /** The sweep folder shown (undefined: everything). */
  get sweep(): string | undefined {
    return this.sweepDir;
  }

  /** A new panel in the results column, or in `column` (a re-created panel takes its predecessor's place, focus left where it is). */
  static create(host: PanelHost, sweepDir?: string, column?: vscode.ViewColumn): ParetoPanel {
    const panel = vscode.window.createWebviewPanel(ParetoPanel.viewType, 'Pareto: area · energy · accuracy', { viewColumn: column ?? resultColumn(), preserveFocus: column !== undefined }, webviewOptions(host.extensionUri));
    return new ParetoPanel(host, panel, sweepDir);
  }

  /** Show one sweep (a sweep folder) or, with undefined, everything. */
  scope(sweepDir: string | undefined): void {
    if (sweepDir === this.sweepDir) return;
    this.sweepDir = sweepDir;
    this.retitle();
    this.send(true);
  }

  private retitle(): void {
    this.panel.title = this.sweepDir ? `Pareto: ${path.basename(this.sweepDir).replace(/^\d{8}-\d{6}-/, '')}` : 'Pareto: area · energy · accuracy';
  }

  private sent = '';

  /** Re-read the runs folders (or the sweep) and send the points (unless nothing changed since the last time). */
  send(force = false): void {
    this.view = readParetoView(this.host.runsRoots(), this.sweepDir);
    const json = JSON.stringify(this.view);
    if (!force && json === this.sent) return;
    this.sent = json;
    this.post({ type: 'show', view: this.view });
  }

  protected handle(m: ParetoToHost): void {
    switch (m.type) {
      case 'ready':
        this.send(true);
        break;
      case 'openMapping':
        if (this.allowed(m.key)) this.host.openMapping(m.key);
        break;
      case 'exportCsv':
        if (this.view) void this.save(exportName(this.view, 'csv'), { CSV: ['csv'] }, paretoCsv(this.view, m.x, m.y));
        break;
      case 'exportPng':
        void this.save(exportName(this.view, 'png'), { PNG: ['png'] }, Buffer.from(m.dataUrl.slice('data:image/png;base64,'.length), 'base64'));
        break;
    }
  }

  /** Ask where (starting in the workspace, not the hidden runs folder), write, and say where it went. */
  private async save(name: string, filters: Record<string, string[]>, data: string | Buffer): Promise<void> {
    const dir = exportFolder((vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), this.host.runsRoots());
    const target = await vscode.window.showSaveDialog({ defaultUri: dir ? vscode.Uri.file(path.join(dir, name)) : undefined, filters, saveLabel: 'Export' });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, typeof data === 'string' ? Buffer.from(data) : data);
    } catch (e) {
      void vscode.window.showErrorMessage(`Could not write ${target.fsPath}: ${(e as Error).message}`);
      return;
    }
    this.host.log.info(`Pareto export written: ${target.fsPath}`);
    const choice = await vscode.window.showInformationMessage(`Pareto export saved: ${target.fsPath}`, 'Reveal');
    // No OS file manager (a remote or web editor): show it in the Explorer instead.
    if (choice === 'Reveal') await vscode.commands.executeCommand('revealFileInOS', target).then(undefined, () => vscode.commands.executeCommand('revealInExplorer', target));
  }
}
