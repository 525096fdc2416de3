/** The Runs tree: runs grouped by config, comparisons with their runs nested, damaged folders listed as such. */
import * as vscode from 'vscode';

import { groupByConfig, pointStateSummary, readRunsFolder, runRow, runTooltip, sweepPointRows, treeIds, type ConfigGroup, type Entry, type PointState, type SweepPointRow } from './runsModel';

import type { RunRecord } from '../engine/format/run';
export type RunsNode =
  | { kind: 'group'; group: ConfigGroup }
  | { kind: 'compare'; entry: Extract<Entry, { kind: 'compare' }> }
  | { kind: 'run'; record: RunRecord; live: boolean; inCompare?: boolean }
  // A sweep's design points (under its node, beside its trainings), each with its state.
  | { kind: 'points'; dir: string; rows: SweepPointRow[] }
  | { kind: 'point'; row: SweepPointRow };

const POINT_ICON: Record<PointState, vscode.ThemeIcon> = {
  pending: new vscode.ThemeIcon('clock'),
  running: new vscode.ThemeIcon('sync~spin'),
  done: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  interrupted: new vscode.ThemeIcon('debug-pause'),
  damaged: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
};
/** A done point priced beyond its preset's largest reliable crossbar: an invalid design. */
const INVALID_ICON = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));

const STATUS_ICON: Record<string, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('sync~spin'),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  interrupted: new vscode.ThemeIcon('debug-pause'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly roots: () => string[],
    private readonly isLive: (dir: string) => boolean,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Every run folder currently listed (for "is there anything?" and for lookups). */
  allRuns(): RunRecord[] {
    return this.roots().flatMap((root) => readRunsFolder(root).flatMap((e) => (e.kind === 'run' ? [e.record] : e.runs)));
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) return groupByConfig(this.roots().flatMap((r) => readRunsFolder(r))).map((group) => ({ kind: 'group', group }));
    if (node.kind === 'group')
      return node.group.entries.map((e) => (e.kind === 'compare' ? { kind: 'compare', entry: e } : { kind: 'run', record: e.record, live: this.isLive(e.record.dir) }));
    if (node.kind === 'compare') {
      const runs: RunsNode[] = node.entry.runs.map((record) => ({ kind: 'run', record, live: this.isLive(record.dir), inCompare: true }));
      if (!node.entry.sweep) return runs;
      const rows = pointRowsOf(node.entry.dir);
      return rows.length ? [{ kind: 'points', dir: node.entry.dir, rows }, ...runs] : runs;
    }
    if (node.kind === 'points') return node.rows.map((row) => ({ kind: 'point', row }));
    return [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const item = this.treeItem(node);
    // Stable ids keep each node's expanded or collapsed state across refreshes (labels change as runs progress).
    item.id = idOf(node);
    return item;
  }

  private treeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.group.name, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon('file-code');
      item.contextValue = 'configGroup';
      item.description = `${node.group.entries.length}`;
      return item;
    }
    if (node.kind === 'points') {
      const item = new vscode.TreeItem(`points · ${pointStateSummary(node.rows)}`, vscode.TreeItemCollapsibleState.Collapsed);
      item.iconPath = new vscode.ThemeIcon('list-tree');
      item.contextValue = 'sweepPoints';
      item.tooltip = `${node.rows.length} design points of ${node.dir}: pending (not started, or queued in Slurm), running, done, failed, interrupted (a resume runs it again), damaged (its job record cannot be read)`;
      return item;
    }
    if (node.kind === 'point') {
      const r = node.row;
      const item = new vscode.TreeItem(r.label, vscode.TreeItemCollapsibleState.None);
      item.description = r.description;
      item.iconPath = r.warnings?.length ? INVALID_ICON : POINT_ICON[r.state];
      item.contextValue = `sweepPoint.${r.state}`;
      const invalid = r.warnings?.length ? `Invalid design (never recommended): ${r.warnings.join('; ')}` : undefined;
      item.tooltip = [r.label, r.state, invalid, r.error, r.runDir].filter(Boolean).join('\n');
      if (r.runDir) item.command = { command: 'trannsformer.showRun', title: 'Show run', arguments: [vscode.Uri.file(r.runDir)] };
      return item;
    }
    if (node.kind === 'compare' && node.entry.sweep) {
      // A sweep: one node, its trainings nested (re-priced points live in its pareto.json).
      const sw = node.entry.sweep;
      const item = new vscode.TreeItem(`sweep · ${sw.done}/${sw.planned} points`, vscode.TreeItemCollapsibleState.Collapsed);
      item.iconPath = new vscode.ThemeIcon('graph-scatter');
      item.contextValue = 'sweep';
      item.resourceUri = vscode.Uri.file(node.entry.dir);
      item.tooltip = `${node.entry.dir}${sw.recommended ? `\nrecommended: ${sw.recommended}` : ''}`;
      item.description = sw.recommended ? `→ ${sw.recommended}` : `${node.entry.runs.length} trainings`;
      return markDamaged(item, node.entry.damaged);
    }
    if (node.kind === 'compare') {
      const item = new vscode.TreeItem(`compare · ${node.entry.name.slice(0, 15)}`, vscode.TreeItemCollapsibleState.Collapsed);
      item.iconPath = new vscode.ThemeIcon('graph');
      item.contextValue = 'compare';
      item.resourceUri = vscode.Uri.file(node.entry.dir);
      item.tooltip = node.entry.dir;
      item.description = node.entry.runs.map((r) => r.config?.transform?.mode ?? '?').join(', ');
      return markDamaged(item, node.entry.damaged);
    }
    const r = node.record;
    // Key numbers first (accuracy, mPEs), where they show at the default sidebar width; the rest in the tooltip.
    const row = runRow(r, node.inCompare ?? false);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.description = row.description;
    item.resourceUri = vscode.Uri.file(r.dir);
    if (r.state === 'corrupt' || !r.result) {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      item.contextValue = 'run.corrupt';
      item.tooltip = `${r.dir}\n${r.problem}`;
      return item;
    }
    const status = r.result.status === 'running' && r.stale && !node.live ? 'failed' : r.result.status;
    item.iconPath = STATUS_ICON[status];
    item.contextValue = node.live ? 'run.live' : `run.${status}`;
    // Markdown built from escaped text only; no HTML, no command links, no theme icons.
    const md = new vscode.MarkdownString(runTooltip(r, node.live), false);
    md.isTrusted = false;
    md.supportHtml = false;
    item.tooltip = md;
    item.command = { command: 'trannsformer.showRun', title: 'Show run', arguments: [node] };
    return item;
  }
}

/** A comparison or sweep whose own records are damaged: a warning icon, the first damage in the description, all of them in the tooltip (it still expands). */
function markDamaged(item: vscode.TreeItem, damaged: readonly string[] | undefined): vscode.TreeItem {
  if (!damaged?.length) return item;
  item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  item.description = damaged[0].slice(0, 120);
  item.tooltip = [item.tooltip, ...damaged].join('\n');
  return item;
}

/** A sweep's point rows; none when reading them throws (a damage no check foresaw): the sweep still expands to its trainings. */
function pointRowsOf(dir: string): SweepPointRow[] {
  try {
    return sweepPointRows(dir);
  } catch {
    return [];
  }
}

function idOf(node: RunsNode): string {
  switch (node.kind) {
    case 'group':
      return treeIds.group(node.group.name);
    case 'compare':
      return treeIds.entry(node.entry);
    case 'run':
      return treeIds.run(node.record.dir);
    case 'points':
      return treeIds.points(node.dir);
    case 'point':
      return node.row.treeId;
  }
}
