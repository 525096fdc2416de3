/**
 * Quick fixes as text edits: a problem's `fix` (data: set these values,
 * rename this key) applied to the config's text, keeping the user's layout:
 * each edit covers only the value it sets or the member it adds.
 * Pure; the editor turns the edits into a WorkspaceEdit, tests apply them
 * with `applyTextEdits`.
 */
import { findNodeAtLocation, getNodeValue, type Node as JsonNode } from 'jsonc-parser';
import { parseJsonText, stripBom, type ConfigFix, type ConfigProblem, type JsonPath } from './validate';

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

/** The line ending the file already uses. */
const eolOf = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n');

/** The whitespace that starts the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** One indentation step as the file writes it (a tab, or the smallest indent of a key; two spaces when it cannot tell). */
function indentUnit(text: string): string {
  const indents = [...text.matchAll(/\n([ \t]+)"/g)].map((m) => m[1]);
  if (indents.some((i) => i.startsWith('\t'))) return '\t';
  const n = Math.min(8, ...indents.map((i) => i.length));
  return ' '.repeat(Number.isFinite(n) && n > 0 ? n : 2);
}

type Obj = Record<string, unknown>;

/** A value as text: objects over lines at `indent` (+ `unit`) in a multi-line layout, on one line otherwise. */
function render(value: unknown, multiline: boolean, indent: string, unit: string, eol: string): string {
  if (multiline) return JSON.stringify(value, null, unit).split('\n').join(`${eol}${indent}`);
  return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']');
}

/** Insert members into an existing object node, in its own layout (one line, or one member per line at its members' indent). */
function insertMembers(text: string, node: JsonNode, members: Obj): TextEdit {
  const eol = eolOf(text);
  const unit = indentUnit(text);
  const multiline = /\n/.test(text.slice(node.offset, node.offset + node.length));
  const props = node.children ?? [];
  const last = props[props.length - 1];
  const indent = last ? lineIndent(text, last.offset) : lineIndent(text, node.offset) + unit;
  const entries = Object.entries(members).map(([k, v]) => `${JSON.stringify(k)}: ${render(v, multiline, indent, unit, eol)}`);
  if (!last) {
    // An empty object: "{}" becomes "{ "k": v }" (or one member per line when it spans lines).
    const inner = multiline ? `${eol}${indent}${entries.join(`,${eol}${indent}`)}` : ` ${entries.join(', ')} `;
    return { offset: node.offset + 1, length: 0, newText: inner };
  }
  const sep = multiline ? `,${eol}${indent}` : ', ';
  return { offset: last.offset + last.length, length: 0, newText: `${sep}${entries.join(sep)}` };
}

/**
 * The edits of a "set" fix, each touching only the text it changes: a value
 * that exists is replaced where it stands; a missing one is inserted into its
 * nearest existing object, after that object's last member, in its layout —
 * nothing else in the file is reformatted. Undefined when a change cannot be
 * placed (its parent is not an object).
 */
function setEdits(text: string, tree: JsonNode, changes: { path: JsonPath; value: unknown }[]): TextEdit[] | undefined {
  const edits: TextEdit[] = [];
  const inserts = new Map<JsonNode, Obj>();
  for (const c of changes) {
    const node = findNodeAtLocation(tree, c.path);
    if (node) {
      const unchanged = JSON.stringify(getNodeValue(node)) === JSON.stringify(c.value);
      if (!unchanged) edits.push({ offset: node.offset, length: node.length, newText: render(c.value, false, '', '', '') });
      continue;
    }
    let k = c.path.length - 1;
    let parent: JsonNode | undefined;
    for (; k >= 0 && !parent; k--) parent = k === 0 ? tree : findNodeAtLocation(tree, c.path.slice(0, k));
    k++;
    const rest = c.path.slice(k);
    if (!parent || parent.type !== 'object' || rest.some((seg) => typeof seg !== 'string')) return undefined;
    // Changes that create the same missing object are merged into one insertion.
    const members = inserts.get(parent) ?? {};
    inserts.set(parent, members);
    let o = members;
    for (const seg of rest.slice(0, -1) as string[]) o = (o[seg] ??= {}) as Obj;
    o[rest[rest.length - 1] as string] = c.value;
  }
  for (const [parent, members] of inserts) edits.push(insertMembers(text, parent, members));
  // Edits that touch (a value replaced, a member added right after it) become one: editors refuse ambiguous neighbours.
  const merged: TextEdit[] = [];
  for (const e of edits.sort((a, b) => a.offset - b.offset)) {
    const prev = merged[merged.length - 1];
    if (prev && prev.offset + prev.length === e.offset) merged[merged.length - 1] = { offset: prev.offset, length: prev.length + e.length, newText: prev.newText + e.newText };
    else merged.push(e);
  }
  return merged;
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
  const edits = setEdits(text, tree, fix.changes);
  return edits && edits.length > 0 ? edits : undefined;
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
