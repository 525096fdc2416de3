/** The Pareto panel: every completed run as a design point, fronts per pair of axes; re-sent when the runs folder changes. */
import * as vscode from 'vscode';
import { Panel, webviewOptions, type PanelHost } from './panel';
import { checkParetoMessage } from './messages';
import { paretoCsv, paretoPoints, paretoView, type PointSource } from './paretoData';
import { readRunsFolder } from '../runsModel';

import type { HostToPareto, ParetoToHost, ParetoView } from '../../protocol/webview';

export class ParetoPanel extends Panel<ParetoToHost, HostToPareto> {
  static readonly viewType = 'trannsformer.pareto';
  private view?: ParetoView;

  constructor(host: PanelHost, panel: vscode.WebviewPanel) {
    super(host, panel, 'pareto', checkParetoMessage);
  }

  static create(host: PanelHost): ParetoPanel {
    const panel = vscode.window.createWebviewPanel(ParetoPanel.viewType, 'Pareto: area · energy · accuracy', vscode.ViewColumn.Beside, webviewOptions(host.extensionUri));
    return new ParetoPanel(host, panel);
  }

  private sent = '';

  /** Re-read the runs folders and send the points (unless nothing changed since the last time). */
  send(force = false): void {
    const sources: PointSource[] = this.host.runsRoots().flatMap((root) =>
      readRunsFolder(root).map((e): PointSource => (e.kind === 'compare' ? { compareDir: e.dir, runs: e.runs } : { runs: [e.record] })),
    );
    this.view = paretoView(paretoPoints(sources));
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
        if (this.view) void this.save('pareto.csv', { CSV: ['csv'] }, paretoCsv(this.view, m.x, m.y));
        break;
      case 'exportPng':
        void this.save('pareto.png', { PNG: ['png'] }, Buffer.from(m.dataUrl.slice('data:image/png;base64,'.length), 'base64'));
        break;
    }
  }

  private async save(name: string, filters: Record<string, string[]>, data: string | Buffer): Promise<void> {
    const root = this.host.runsRoots()[0];
    const target = await vscode.window.showSaveDialog({ defaultUri: root ? vscode.Uri.file(`${root}/${name}`) : undefined, filters });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, typeof data === 'string' ? Buffer.from(data) : data);
      this.host.log.info(`Pareto export written: ${target.fsPath}`);
    } catch (e) {
      void vscode.window.showErrorMessage(`Could not write ${target.fsPath}: ${(e as Error).message}`);
    }
  }
}
