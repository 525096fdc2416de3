/**
 * Validation of experiment configs: the schema (structure, types, ranges) and
 * the semantic checks the schema cannot express (`checks.ts`: layer sizes
 * against the dataset, the schedule's order, the crossbar against the preset,
 * files on disk, …). Every problem carries a stable `code`, a severity and the
 * JSON path it is about, so the CLI can print it and the editor can underline
 * it (`diagnostics.ts` turns paths into text ranges).
 */
import Ajv, { type ErrorObject } from 'ajv';
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { UserError } from '../core/errors';
import { configSchema, type ExperimentConfig } from './schema';
import { checkConfig } from './checks';
import { resolveAxis } from './sweepAxes';
import { closest } from './suggest';
import { formatPath, type ConfigProblem, type JsonPath, type ValidateOptions } from './problems';

export { formatPath, formatProblem, isSchemaProblem } from './problems';
export type { ConfigFix, ConfigProblem, JsonPath, Severity, ValidateOptions } from './problems';

export { closest };

export interface ValidationResult {
  /** The config with schema defaults filled in; present only when there are no errors. */
  config?: ExperimentConfig;
  problems: ConfigProblem[];
}

/** Deeper nesting than any config needs; bounded so no parser or copy recurses without end. */
export const MAX_DEPTH = 64;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateSchema = ajv.compile(configSchema);

/** Input and output sizes each dataset imposes (idx is known only once its files are read). */
export function datasetShape(ds: ExperimentConfig['dataset']): { inputs: number; classes: number } | undefined {
  switch (ds.name) {
    case 'mnist':
    case 'fashion-mnist':
      return { inputs: 784, classes: 10 };
    case 'cifar10':
    case 'svhn':
      return { inputs: ds.color === 'rgb' ? 3072 : 1024, classes: 10 };
    case 'synthetic':
      return { inputs: ds.synthetic.inputSize, classes: ds.synthetic.classes };
    case 'idx':
      return undefined;
  }
}

function pointerToPath(pointer: string): JsonPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function schemaAt(p: JsonPath): Record<string, unknown> | undefined {
  let s: Record<string, unknown> | undefined = configSchema as unknown as Record<string, unknown>;
  for (const seg of p) {
    if (!s) return undefined;
    if (typeof seg === 'number') s = s.items as Record<string, unknown> | undefined;
    else s = (s.properties as Record<string, Record<string, unknown>> | undefined)?.[seg];
  }
  return s;
}

function describeAjvError(e: ErrorObject): ConfigProblem {
  const at = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const problem = (code: string, p: JsonPath, message: string): ConfigProblem => ({ severity: 'error', code, path: p, message });
  switch (e.keyword) {
    case 'required':
      return problem('schema.required', [...at, String(params.missingProperty)], 'is required but missing');
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((schemaAt(at)?.properties as object | undefined) ?? {}).filter((k) => k !== '$schema');
      const guess = closest(name, allowed);
      return {
        // An error, not a warning: the schema forbids it and `run` refuses it,
        // because a misspelt field would otherwise run with its default.
        ...problem('key.unknown', [...at, name], `unknown property${guess ? ` (did you mean "${guess}"?)` : ''}; allowed here: ${allowed.join(', ')}`),
        ...(guess ? { fix: { title: `Rename to "${guess}"`, kind: 'rename' as const, path: [...at, name], to: guess } } : {}),
      };
    }
    case 'enum':
      return problem('schema.enum', at, `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    case 'type':
      return problem('schema.type', at, `must be ${params.type === 'integer' ? 'a whole number' : `of type ${String(params.type)}`}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const range = schemaAt(at);
      const lo = range?.minimum ?? range?.exclusiveMinimum;
      const hi = range?.maximum ?? range?.exclusiveMaximum;
      const lob = range?.minimum !== undefined ? '[' : '(';
      const hib = range?.maximum !== undefined ? ']' : ')';
      const allowed = lo !== undefined && hi !== undefined ? `${lob}${lo}, ${hi}${hib}` : `${e.message}`;
      return problem('schema.range', at, `is out of range; allowed: ${allowed}`);
    }
    case 'pattern':
      return problem('schema.pattern', at, `has characters that are not allowed; ${String(schemaAt(at)?.description ?? `must match ${params.pattern}`)}`);
    case 'minLength':
      return problem('schema.length', at, 'must not be empty');
    case 'maxLength':
      return problem('schema.length', at, `may have at most ${params.limit} characters`);
    case 'minItems':
      return problem('schema.items', at, `needs at least ${params.limit} entries`);
    case 'maxItems':
      return problem('schema.items', at, `may have at most ${params.limit} entries`);
    default:
      return problem('schema.invalid', at, e.message ?? 'is invalid');
  }
}

/**
 * Walk a parsed value without recursion: the first place nested deeper than
 * MAX_DEPTH, and every number that is not finite (1e999 parses as Infinity).
 */
function walk(raw: unknown): { tooDeep?: JsonPath; notFinite: JsonPath[] } {
  const notFinite: JsonPath[] = [];
  const stack: { v: unknown; path: JsonPath }[] = [{ v: raw, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) notFinite.push(path);
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= MAX_DEPTH) return { tooDeep: path, notFinite };
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: [...path, i] }));
    else for (const k of Object.keys(v)) stack.push({ v: (v as Record<string, unknown>)[k], path: [...path, k] });
  }
  return { notFinite };
}

/** Whether a parsed value nests deeper than MAX_DEPTH (checked without recursion). */
export function isTooDeep(raw: unknown): boolean {
  return walk(raw).tooDeep !== undefined;
}

export function tooDeepMessage(): string {
  return `is nested more than ${MAX_DEPTH} levels deep; a config needs at most 4 (not read further)`;
}

/**
 * Sweep axes whose array index names no item of the config's list (the
 * checks already refuse an axis that names no field, or an index past what
 * the schema allows): sweeping it would add items, or allocate the gap.
 */
function sweepIndexProblems(c: Record<string, unknown>): ConfigProblem[] {
  const sweep = c.sweep as { grid?: unknown; random?: { ranges?: unknown } } | undefined;
  const keys = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
  const axes: [JsonPath, string][] = [
    ...keys(sweep?.grid).map((a): [JsonPath, string] => [['sweep', 'grid', a], a]),
    ...keys(sweep?.random?.ranges).map((a): [JsonPath, string] => [['sweep', 'random', 'ranges', a], a]),
  ];
  const out: ConfigProblem[] = [];
  for (const [path, axis] of axes) {
    if ('problem' in resolveAxis(axis)) continue;
    const r = resolveAxis(axis, c);
    if ('problem' in r) out.push({ severity: 'error', code: 'sweep.axis-index', path, message: r.problem });
  }
  return out;
}

/**
 * Validate a parsed config; on success return it with every default filled
 * in. Schema problems and semantic problems are both reported (the checks
 * read defensively, so one wrong type does not hide the others); `config` is
 * present only when no problem is an error.
 */
export function validateConfig(raw: unknown, options: ValidateOptions = {}): ValidationResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { problems: [{ severity: 'error', code: 'schema.type', path: [], message: 'must be a JSON object' }] };
  const shape = walk(raw);
  if (shape.tooDeep) return { problems: [{ severity: 'error', code: 'json.too-deep', path: shape.tooDeep.slice(0, MAX_DEPTH), message: tooDeepMessage() }] };
  const copy = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
  const problems: ConfigProblem[] = shape.notFinite.map((path) => ({
    severity: 'error',
    code: 'number.not-finite',
    path,
    message: 'is too large to be a number (it reads as infinity)',
  }));
  // Non-finite numbers became null in the copy; the schema says so as a type error, which the line above already explains.
  const infinite = new Set(shape.notFinite.map((p) => formatPath(p)));
  if (!validateSchema(copy)) {
    const seen = new Set<string>();
    for (const p of (validateSchema.errors ?? []).map(describeAjvError)) {
      const key = `${formatPath(p.path)}|${p.message}`;
      if (seen.has(key) || (p.code === 'schema.type' && infinite.has(formatPath(p.path)))) continue;
      seen.add(key);
      problems.push(p);
    }
  }
  const semantic = checkConfig(copy, options);
  // A semantic problem that explains a schema error better takes its place (a negative rate), keeping the allowed range.
  const ranges = new Map(problems.filter((p) => p.code === 'schema.range').map((p) => [formatPath(p.path), p]));
  for (const p of semantic) {
    const r = p.code === 'rate.negative' ? ranges.get(formatPath(p.path)) : undefined;
    if (!r) continue;
    p.message += ` (${r.message.replace(/^is /, '')})`;
    problems.splice(problems.indexOf(r), 1);
  }
  const all = [...problems, ...semantic, ...sweepIndexProblems(copy)];
  return all.some((p) => p.severity === 'error') ? { problems: all } : { config: copy as unknown as ExperimentConfig, problems: all };
}

/** Where in `text` (1-based line and column, in UTF-16 units as editors count) a character offset falls. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: end - start + 1 };
}

/** A byte-order mark at the start of a file is not part of its JSON. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The first offset at which `text` nests deeper than `max` brackets, or -1.
 * A linear scan that skips strings; run before any parser so that none
 * recurses without bound.
 */
export function depthExceededAt(text: string, max = MAX_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22 || d === 0x0a) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return i;
    } else if (c === 0x7d || c === 0x5d) depth = Math.max(0, depth - 1);
  }
  return -1;
}

const PARSE_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'a property name in double quotes was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: 'a colon was expected',
  CommaExpected: 'a comma was expected',
  CloseBraceExpected: 'a closing } was expected',
  CloseBracketExpected: 'a closing ] was expected',
  EndOfFileExpected: 'the end of the file was expected (text after the JSON value)',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'a control character inside a string',
};

export interface JsonSyntaxError {
  offset: number;
  length: number;
  message: string;
}

/**
 * Parse strict JSON (no comments, no trailing commas) tolerantly: the value
 * as far as it could be read, its tree (for locating paths), and every
 * syntax error with its offset. A BOM must be stripped first; nesting deeper
 * than MAX_DEPTH is reported as one error and nothing is parsed.
 */
export function parseJsonText(text: string): { tree?: JsonNode; errors: JsonSyntaxError[]; tooDeepAt?: number } {
  const deep = depthExceededAt(text);
  if (deep >= 0) return { errors: [], tooDeepAt: deep };
  const raw: ParseError[] = [];
  const tree = parseTree(text, raw, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const errors = raw.map((e) => ({ offset: e.offset, length: e.length, message: PARSE_MESSAGES[printParseErrorCode(e.error)] ?? 'invalid JSON' }));
  for (const e of errors) {
    // `[1, 2,]` and `{"a": 1,}`: name the trailing comma, the common mistake behind "value expected".
    if ((text[e.offset] === '}' || text[e.offset] === ']') && /,\s*$/.test(text.slice(Math.max(0, e.offset - 200), e.offset)))
      e.message = 'a trailing comma is not allowed in JSON';
  }
  if (text.trim() === '') return { errors: [{ offset: 0, length: 0, message: 'the file is empty; a config is a JSON object' }] };
  return { tree, errors };
}

/** Parse JSON, turning a syntax error into a UserError with file, line and column. A leading BOM is skipped. */
export function parseJson(text: string, file: string): unknown {
  const body = stripBom(text);
  const deep = depthExceededAt(body);
  if (deep >= 0) {
    const { line, column } = lineColumn(body, deep);
    throw new UserError(`${file}:${line}:${column}`, `not valid JSON here: ${tooDeepMessage()}`);
  }
  try {
    return JSON.parse(body);
  } catch (e) {
    // JSON.parse's messages vary between Node versions; the tolerant parser gives the position.
    const { errors } = parseJsonText(body);
    const first = errors[0];
    const where = first ? (({ line, column }) => `${file}:${line}:${column}`)(lineColumn(body, first.offset)) : file;
    const why = first?.message ?? (e instanceof Error ? e.message : String(e)).replace(/ in JSON at position \d+.*$/, '');
    throw new UserError(where, `not valid JSON (${why})`);
  }
}
