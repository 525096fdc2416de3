/**
 * Config authoring in the editor: semantic diagnostics (debounced while
 * typing), quick fixes, hovers and CodeLens for `*.trannsformer.json` files.
 * Thin adapters over the engine's pure config functions (`diagnoseText`,
 * `quickFixes`, `hoverAt`, `configLenses`): what is underlined here is what
 * `trannsformer validate` prints, minus the schema problems VS Code's JSON
 * support already shows (`contributes.jsonValidation`).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { diagnoseText, type LocatedProblem, type TextRange } from '../../engine/config/diagnostics';
import { quickFixes } from '../../engine/config/fixes';
import { configLenses, hoverAt } from '../../engine/config/assist';
import { formatPath, isSchemaProblem } from '../../engine/config/validate';
import { HoverRunsCache } from './hoverRuns';

import type { RunRecord } from '../../engine/format/run';

export const CONFIG_SUFFIX = '.trannsformer.json';
const SOURCE = 'trannsformer';
const DEBOUNCE_MS = 300;

const isConfig = (d: vscode.TextDocument): boolean => d.fileName.endsWith(CONFIG_SUFFIX) && (d.uri.scheme === 'file' || d.uri.scheme === 'untitled');
/** The folder relative paths resolve against; none for an unsaved file (no disk checks then). */
const baseDirOf = (d: vscode.TextDocument): string | undefined => (d.uri.scheme === 'file' ? path.dirname(d.uri.fsPath) : undefined);

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  hint: vscode.DiagnosticSeverity.Hint,
} as const;

function toRange(doc: vscode.TextDocument, r: TextRange): vscode.Range {
  return new vscode.Range(doc.positionAt(r.start.offset), doc.positionAt(r.end.offset));
}

export interface ConfigSupportHost {
  log: vscode.LogOutputChannel;
  /** The newest results of a config file (a run folder or a comparison folder), if any. */
  lastResults(configFile: string): string | undefined;
  /** Every run the Runs view lists (read from disk: called once per refresh of the runs, not per hover). */
  runs(): RunRecord[];
}

export class ConfigSupport implements vscode.Disposable, vscode.CodeActionProvider, vscode.HoverProvider, vscode.CodeLensProvider {
  static readonly selector: vscode.DocumentSelector = [
    { scheme: 'file', pattern: `**/*${CONFIG_SUFFIX}` },
    { scheme: 'untitled', pattern: `**/*${CONFIG_SUFFIX}` },
  ];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly collection = vscode.languages.createDiagnosticCollection(SOURCE);
  /** Problems per document as last diagnosed, for quick fixes. */
  private readonly problems = new Map<string, { version: number; problems: LocatedProblem[] }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  /** Each config's last hardware-accuracy run, read on the first hover after the runs changed. */
  private readonly hardwareRuns: HoverRunsCache;
  readonly onDidChangeCodeLenses = this.lensesChanged.event;

  constructor(private readonly host: ConfigSupportHost) {
    // The run readers do not throw on damaged folders; if they ever do, the hover goes on without the figure.
    this.hardwareRuns = new HoverRunsCache(() => host.runs(), (e) => host.log.error(`reading the runs for the config hover failed: ${(e as Error).stack ?? String(e)}`));
    this.disposables.push(
      this.collection,
      this.lensesChanged,
      vscode.languages.registerCodeActionsProvider(ConfigSupport.selector, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.languages.registerHoverProvider(ConfigSupport.selector, this),
      vscode.languages.registerCodeLensProvider(ConfigSupport.selector, this),
      vscode.workspace.onDidOpenTextDocument((d) => this.diagnose(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidSaveTextDocument((d) => this.diagnose(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
    );
    for (const d of vscode.workspace.textDocuments) this.diagnose(d);
  }

  /** Diagnose again after a pause in typing. */
  private schedule(doc: vscode.TextDocument): void {
    if (!isConfig(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.diagnose(doc);
      }, DEBOUNCE_MS),
    );
  }

  private diagnose(doc: vscode.TextDocument): void {
    if (!isConfig(doc) || doc.isClosed) return;
    let problems: LocatedProblem[];
    try {
      problems = diagnoseText(doc.getText(), { baseDir: baseDirOf(doc) }).problems;
    } catch (e) {
      // diagnoseText does not throw on any text; if it ever does, say so in the log rather than underline nothing silently.
      this.host.log.error(`diagnosing ${doc.uri.fsPath} failed: ${(e as Error).stack ?? String(e)}`);
      return;
    }
    this.problems.set(doc.uri.toString(), { version: doc.version, problems });
    this.collection.set(
      doc.uri,
      problems.filter((p) => !isSchemaProblem(p)).map((p) => {
        const d = new vscode.Diagnostic(toRange(doc, p.range), `${formatPath(p.path)}: ${p.message}`, SEVERITY[p.severity]);
        d.source = SOURCE;
        d.code = p.code;
        d.relatedInformation = p.relatedRanges?.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(doc.uri, toRange(doc, r.range)), `${formatPath(r.path)}: ${r.message}`));
        return d;
      }),
    );
  }

  private forget(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.problems.delete(key);
    this.collection.delete(doc.uri);
  }

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!isConfig(doc)) return [];
    let cached = this.problems.get(doc.uri.toString());
    if (!cached || cached.version !== doc.version) {
      this.diagnose(doc);
      cached = this.problems.get(doc.uri.toString());
    }
    const text = doc.getText();
    const actions: vscode.CodeAction[] = [];
    for (const p of cached?.problems ?? []) {
      if (!p.fix || isSchemaProblem(p)) continue;
      const where = toRange(doc, p.range);
      if (!where.intersection(range)) continue;
      for (const fix of quickFixes(text, p)) {
        const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        a.edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) a.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
        a.diagnostics = context.diagnostics.filter((d) => d.source === SOURCE && d.code === p.code && d.range.isEqual(where));
        a.isPreferred = true;
        actions.push(a);
      }
    }
    return actions;
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!isConfig(doc)) return undefined;
    const lastRun = doc.uri.scheme === 'file' ? this.hardwareRuns.get(doc.uri.fsPath) : undefined;
    const h = hoverAt(doc.getText(), doc.offsetAt(position), { baseDir: baseDirOf(doc), lastRun });
    if (!h) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(h.markdown), new vscode.Range(doc.positionAt(h.start), doc.positionAt(h.end)));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!isConfig(doc)) return [];
    const results = doc.uri.scheme === 'file' ? this.host.lastResults(doc.uri.fsPath) : undefined;
    const lens = configLenses(doc.getText(), results !== undefined);
    if (!lens) return [];
    // A sweep lens only where the command exists (the sweep command arrives with issue 13).
    const hasSweep = lens.actions.some((a) => a.action === 'sweep') && (await vscode.commands.getCommands(true)).includes('trannsformer.sweep');
    const at = new vscode.Range(doc.positionAt(lens.offset), doc.positionAt(lens.offset));
    const commands = {
      run: { command: 'trannsformer.run', arguments: [doc.uri] },
      compare: { command: 'trannsformer.compare', arguments: [doc.uri] },
      sweep: { command: 'trannsformer.sweep', arguments: [doc.uri] },
      results: { command: 'trannsformer.openReport', arguments: results ? [vscode.Uri.file(results)] : [] },
    };
    return lens.actions
      .filter((a) => a.action !== 'sweep' || hasSweep)
      .map((a) => new vscode.CodeLens(at, { title: a.title, ...commands[a.action] }));
  }

  /** Runs changed: the "Open last results" lens may appear or move, the hover's last run may be another. */
  refreshLenses(): void {
    this.hardwareRuns.invalidate();
    this.lensesChanged.fire();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
