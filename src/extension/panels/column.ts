/**
 * Where result panels open: one results column. The first result panel opens
 * beside the editor; later ones join the column that already holds result
 * panels, so a Pareto click or Curves does not add a column each time. Pure
 * (no `vscode`): the panels pass the open tabs in.
 */

/** The view types of the result panels (the report is one too). */
export const RESULT_VIEW_TYPES = ['trannsformer.mapping', 'trannsformer.pareto', 'trannsformer.curves', 'trannsformer.report'] as const;

/** VS Code may prefix a webview tab's view type ("mainThreadWebview-trannsformer.pareto"). */
export const isResultView = (viewType: string): boolean => RESULT_VIEW_TYPES.some((t) => viewType === t || viewType.endsWith(`-${t}`));

/** One open tab: its webview view type (undefined for other tabs), its group's column and whether that group is active. */
export interface TabSpot {
  viewType?: string;
  column: number;
  groupActive: boolean;
}

/**
 * The column for a new result panel: the group of the open result panels —
 * the active group if it holds one, else the group holding the most (the
 * rightmost on a tie) — or undefined when none is open (then: beside the editor).
 */
export function pickResultColumn(tabs: readonly TabSpot[]): number | undefined {
  const results = tabs.filter((t) => t.viewType !== undefined && isResultView(t.viewType));
  if (results.length === 0) return undefined;
  const active = results.find((t) => t.groupActive);
  if (active) return active.column;
  const counts = new Map<number, number>();
  for (const t of results) counts.set(t.column, (counts.get(t.column) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
}
