/**
 * The vocabulary of config problems, shared by the schema validation, the
 * semantic checks, the editor's diagnostics and the CLI: a problem's path,
 * severity, code, related fields and fix, and how a path is printed.
 */

export type JsonPath = (string | number)[];

export type Severity = 'error' | 'warning' | 'hint';

/** A change that fixes a problem, as data: `fixes.ts` turns it into text edits. */
export type ConfigFix =
  | { title: string; kind: 'set'; changes: { path: JsonPath; value: unknown }[] }
  | { title: string; kind: 'rename'; path: JsonPath; to: string };

export interface ConfigProblem {
  severity: Severity;
  /**
   * Stable identifier of the check, e.g. `layers.input-mismatch`. Codes
   * starting with `schema.` (and `json.syntax`) are what the JSON Schema (and
   * a JSON parser) already says; the editor leaves those to VS Code's JSON
   * support.
   */
  code: string;
  /** Path segments into the config, e.g. ['network', 'layers', 0]. */
  path: JsonPath;
  message: string;
  /** Other fields the problem is about (the dataset a layer size disagrees with). */
  related?: { path: JsonPath; message: string }[];
  fix?: ConfigFix;
}

export interface ValidateOptions {
  /**
   * Folder the config's relative paths are resolved against. When given, the
   * checks also look at the disk: dataset files and the hardware preset (by
   * name or path). `run`, `validate` and the editor all pass it.
   */
  baseDir?: string;
}

/** Problems the JSON Schema (or the JSON parser) reports itself: the editor's JSON support shows these. */
export function isSchemaProblem(p: Pick<ConfigProblem, 'code'>): boolean {
  return p.code.startsWith('schema.') || p.code === 'json.syntax';
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_SHOWN_KEY = 48;

/** A key as printed in a path: identifiers bare, others quoted, very long ones cut (their length said). */
function showKey(k: string): string {
  if (k.length > MAX_SHOWN_KEY) return `${JSON.stringify(k.slice(0, MAX_SHOWN_KEY - 8))}…(${k.length} characters)`;
  return JSON.stringify(k);
}

/**
 * `['network', 'layers', 0]` → `network.layers[0]`; the root is `(config)`.
 * Keys that are not identifiers (empty, blank, with dots or spaces) are
 * quoted, so every path is visible: `network[""]`, `training["  "]`.
 */
export function formatPath(p: JsonPath): string {
  if (p.length === 0) return '(config)';
  return p
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : s.length <= MAX_SHOWN_KEY && IDENTIFIER.test(s) ? (i === 0 ? s : `.${s}`) : `[${showKey(s)}]`))
    .join('');
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.severity} ${p.code}: ${formatPath(p.path)}: ${p.message}`;
}
