/**
 * Problems with places: the config's text is parsed tolerantly (jsonc-parser,
 * strict JSON options), validated by the same `validateConfig` the CLI and
 * `run` use, and every problem's JSON path is mapped to the exact range of
 * the offending value (or key) in the text. Pure apart from the disk checks
 * `validateConfig` makes when given a base folder; no editor API, so the CLI
 * prints exactly what the editor underlines.
 */
import { findNodeAtLocation, type Node as JsonNode } from 'jsonc-parser';
import { formatPath, lineColumn, parseJsonText, stripBom, tooDeepMessage, validateConfig, type ConfigProblem, type JsonPath, type ValidateOptions } from './validate';
import type { ExperimentConfig } from './schema';

export interface TextPosition {
  /** 1-based line. */
  line: number;
  /** 1-based column, in UTF-16 code units (as editors count). */
  column: number;
  /** 0-based offset into the text (after a byte-order mark, which is not part of the text). */
  offset: number;
}

export interface TextRange {
  start: TextPosition;
  end: TextPosition;
}

export interface LocatedProblem extends ConfigProblem {
  range: TextRange;
  relatedRanges?: { path: JsonPath; message: string; range: TextRange }[];
}

export interface Diagnosis {
  problems: LocatedProblem[];
  /** Set when the text is valid JSON with no error: the config as validated, defaults filled. */
  config?: ExperimentConfig;
  /** The JSON value as far as it could be read (undefined when the syntax is broken). */
  value?: unknown;
}

/** Offsets of a path's value and, for an object member, of its key; `exact` false when only an ancestor exists. */
export interface Location {
  value: { start: number; end: number };
  key?: { start: number; end: number };
  exact: boolean;
}

/** Line starts of a text, for turning offsets into line/column quickly. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  position(offset: number): TextPosition {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo] + 1, offset: o };
  }
  range(start: number, end: number): TextRange {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}

/**
 * Where `path` is in the tree: its value and key ranges. A path that does
 * not exist (a missing field, a default) falls back to its nearest existing
 * ancestor's key (or value), `exact` false.
 */
export function locate(tree: JsonNode | undefined, path: JsonPath): Location {
  if (!tree) return { value: { start: 0, end: 0 }, exact: false };
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? tree : findNodeAtLocation(tree, path.slice(0, n));
    if (!node) continue;
    const prop = node.parent?.type === 'property' ? node.parent : undefined;
    const keyNode = prop?.children?.[0];
    const key = keyNode && keyNode !== node ? { start: keyNode.offset, end: keyNode.offset + keyNode.length } : undefined;
    const value = { start: node.offset, end: node.offset + node.length };
    if (n === path.length) return { value, key, exact: true };
    // An ancestor: point at its key (short), or at the opening bracket of the root.
    return { value: key ?? { start: value.start, end: Math.min(value.end, value.start + 1) }, key, exact: false };
  }
  return { value: { start: 0, end: 0 }, exact: false };
}

/**
 * The range a problem underlines: the value, except the key for an unknown
 * field (the name is what is wrong) and a missing one (the parent's key).
 */
function problemSpan(tree: JsonNode | undefined, p: ConfigProblem): { start: number; end: number } {
  const at = locate(tree, p.path);
  if (p.code === 'key.unknown' && at.exact && at.key) return at.key;
  return at.value;
}

/**
 * Diagnose a config's text: JSON syntax errors (with their positions), or
 * else every problem `validateConfig` finds, each with its range and the
 * ranges of the fields it conflicts with. Never throws on any input.
 */
export function diagnoseText(input: string, options: ValidateOptions = {}): Diagnosis {
  const text = stripBom(input);
  const lines = new LineIndex(text);
  const parsed = parseJsonText(text);
  if (parsed.tooDeepAt !== undefined) {
    const at = parsed.tooDeepAt;
    return { problems: [{ severity: 'error', code: 'json.too-deep', path: [], message: tooDeepMessage(), range: lines.range(at, at + 1) }] };
  }
  if (parsed.errors.length) {
    // One error per place: a parser's follow-on errors at the same offset say nothing new.
    const first = parsed.errors.filter((e, i, all) => all.findIndex((x) => x.offset === e.offset) === i);
    return {
      problems: first.map((e) => ({
        severity: 'error',
        code: 'json.syntax',
        path: [],
        message: `not valid JSON: ${e.message}`,
        range: lines.range(e.offset, e.offset + Math.max(e.length, 0)),
      })),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // The tolerant parser accepted what JSON.parse does not: report JSON.parse's reason at its position.
    const msg = e instanceof Error ? e.message : String(e);
    const at = Number(/position (\d+)/.exec(msg)?.[1] ?? 0);
    return { problems: [{ severity: 'error', code: 'json.syntax', path: [], message: `not valid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`, range: lines.range(at, at) }] };
  }
  const { config, problems } = validateConfig(value, options);
  const placed = placeAll(parsed.tree, lines, problems).sort((a, b) => a.range.start.offset - b.range.start.offset);
  return { problems: placed, config, value };
}

function placeAll(tree: JsonNode | undefined, lines: LineIndex, problems: ConfigProblem[]): LocatedProblem[] {
  return problems.map((p): LocatedProblem => {
    const span = problemSpan(tree, p);
    const relatedRanges = p.related?.map((r) => {
      const at = locate(tree, r.path);
      if (at.exact) return { ...r, range: lines.range(at.value.start, at.value.end) };
      // Not in the file (a default): point at its section's key, or — no section either — at the problem itself, never at the file's first brace.
      const where = at.key ?? span;
      return { ...r, message: `${r.message} (not set in this file: the default)`, range: lines.range(where.start, where.end) };
    });
    return { ...p, range: lines.range(span.start, span.end), ...(relatedRanges ? { relatedRanges } : {}) };
  });
}

/**
 * Place problems found on a value (say, the file's JSON with overrides
 * applied) in the file's text. Text that does not parse places them all at
 * its start.
 */
export function locateProblems(input: string, problems: ConfigProblem[]): LocatedProblem[] {
  const text = stripBom(input);
  const parsed = parseJsonText(text);
  return placeAll(parsed.errors.length ? undefined : parsed.tree, new LineIndex(text), problems);
}

/** `file:line:column: severity code: path: message`, the CLI's line for a problem (and its related places, indented). */
export function formatLocated(file: string, p: LocatedProblem): string {
  const where = p.path.length === 0 && p.code.startsWith('json.') ? '' : `${formatPath(p.path)}: `;
  const head = `${file}:${p.range.start.line}:${p.range.start.column}: ${p.severity} ${p.code}: ${where}${p.message}`;
  const related = (p.relatedRanges ?? []).map((r) => `\n  ${file}:${r.range.start.line}:${r.range.start.column}: related: ${formatPath(r.path)}: ${r.message}`);
  return head + related.join('');
}

/** A problem as `validate --json` prints it: plain data, the path both as segments and as text. */
export function problemRecord(p: LocatedProblem): Record<string, unknown> {
  const shortPath = p.path.map((s) => (typeof s === 'string' && s.length > 256 ? `${s.slice(0, 256)}…` : s));
  return {
    severity: p.severity,
    code: p.code,
    path: formatPath(p.path),
    pathSegments: shortPath,
    message: p.message,
    range: p.range,
    ...(p.relatedRanges ? { related: p.relatedRanges.map((r) => ({ path: formatPath(r.path), message: r.message, range: r.range })) } : {}),
    ...(p.fix ? { fix: p.fix.title } : {}),
  };
}

/** `lineColumn` again, for callers that have only a text and an offset. */
export { lineColumn };
