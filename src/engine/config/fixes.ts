/**
 * Quick fixes as text edits: a problem's `fix` (data: set these values,
 * rename this key) applied to the config's text, keeping the user's layout.
 * Pure; the editor turns the edits into a WorkspaceEdit, tests apply them
 * with `applyTextEdits`.
 */
import { findNodeAtLocation, modify } from 'jsonc-parser';
import { parseJsonText, stripBom, type ConfigFix, type ConfigProblem } from './validate';

/** Replace `length` characters at `offset` (in the text without its BOM) with `newText`. */
export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

export interface QuickFix {
  title: string;
  /** The problem's code, so an editor can group fixes. */
  code: string;
  edits: TextEdit[];
}

/** Indentation the file already uses (two spaces when it cannot tell). */
function indentOf(text: string): { tabSize: number; insertSpaces: boolean; eol: string } {
  const m = /\n([ \t]+)"/.exec(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (m && m[1].startsWith('\t')) return { tabSize: 1, insertSpaces: false, eol };
  return { tabSize: m ? Math.min(8, m[1].length) : 2, insertSpaces: true, eol };
}

/**
 * The edits that apply `fix` to `input`, or undefined when the text no longer
 * has what the fix was computed for (it changed since, or does not parse).
 */
export function fixEdits(input: string, fix: ConfigFix): TextEdit[] | undefined {
  const text = stripBom(input);
  const { tree, errors } = parseJsonText(text);
  if (!tree || errors.length) return undefined;
  if (fix.kind === 'rename') {
    const node = findNodeAtLocation(tree, fix.path);
    const key = node?.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    if (!key) return undefined;
    // The right name is already there: renaming would make a duplicate key, so offer nothing.
    if (findNodeAtLocation(tree, [...fix.path.slice(0, -1), fix.to])) return undefined;
    return [{ offset: key.offset, length: key.length, newText: JSON.stringify(fix.to) }];
  }
  // Set values one after another: each edit is computed on the text the previous ones produced, then all are rebased on the original.
  const fmt = indentOf(text);
  let current = text;
  const steps: TextEdit[][] = [];
  for (const c of fix.changes) {
    const edits = modify(current, c.path, c.value, { formattingOptions: fmt }).map((e) => ({ offset: e.offset, length: e.length, newText: e.content }));
    if (edits.length === 0) continue;
    steps.push(edits);
    current = applyTextEdits(current, edits);
  }
  if (steps.length === 0) return undefined;
  if (steps.length === 1) return steps[0];
  // Several changes: one edit replacing the span they cover (simple and exact).
  let start = 0;
  while (start < text.length && start < current.length && text[start] === current[start]) start++;
  let endOld = text.length;
  let endNew = current.length;
  while (endOld > start && endNew > start && text[endOld - 1] === current[endNew - 1]) {
    endOld--;
    endNew--;
  }
  return [{ offset: start, length: endOld - start, newText: current.slice(start, endNew) }];
}

/** The quick fixes of a problem in `text` (none when it has no fix or the text moved on). */
export function quickFixes(text: string, problem: Pick<ConfigProblem, 'code' | 'fix'>): QuickFix[] {
  if (!problem.fix) return [];
  const edits = fixEdits(text, problem.fix);
  return edits ? [{ title: problem.fix.title, code: problem.code, edits }] : [];
}

/** Apply non-overlapping edits to a text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.newText + out.slice(e.offset + e.length);
  return out;
}
