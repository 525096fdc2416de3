/**
 * Validation of experiment configs: the schema (structure, types, ranges) and
 * the semantic checks the schema cannot express (layer sizes against the
 * dataset, loss against output activation, …). Every problem carries the JSON
 * path it is about, so the CLI can print it and the editor can underline it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { UserError } from '../core/errors';
import { configSchema, type ExperimentConfig } from './schema';

export type JsonPath = (string | number)[];

export interface ConfigProblem {
  severity: 'error' | 'warning';
  /** Path segments into the config, e.g. ['network', 'layers', 0]. */
  path: JsonPath;
  message: string;
}

export interface ValidationResult {
  /** The config with schema defaults filled in; present only when there are no errors. */
  config?: ExperimentConfig;
  problems: ConfigProblem[];
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateSchema = ajv.compile(configSchema);

/** `['network', 'layers', 0]` → `network.layers[0]`; the root is `(config)`. */
export function formatPath(p: JsonPath): string {
  if (p.length === 0) return '(config)';
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.severity}: ${formatPath(p.path)}: ${p.message}`;
}

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

function closest(word: string, options: string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const dd = dist(word.toLowerCase(), o.toLowerCase());
    if (dd < bestD) [best, bestD] = [o, dd];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function schemaAt(p: JsonPath): Record<string, unknown> | undefined {
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
  const problem = (p: JsonPath, message: string): ConfigProblem => ({ severity: 'error', path: p, message });
  switch (e.keyword) {
    case 'required':
      return problem([...at, String(params.missingProperty)], 'is required but missing');
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((schemaAt(at)?.properties as object | undefined) ?? {});
      const guess = closest(name, allowed);
      return problem(
        [...at, name],
        `unknown property${guess ? ` (did you mean "${guess}"?)` : ''}; allowed here: ${allowed.join(', ')}`,
      );
    }
    case 'enum':
      return problem(at, `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    case 'type':
      return problem(at, `must be ${params.type === 'integer' ? 'a whole number' : `of type ${String(params.type)}`}`);
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
      return problem(at, `is out of range; allowed: ${allowed}`);
    }
    case 'pattern':
      return problem(at, `has characters that are not allowed; ${String(schemaAt(at)?.description ?? `must match ${params.pattern}`)}`);
    case 'minItems':
      return problem(at, `needs at least ${params.limit} entries`);
    case 'maxItems':
      return problem(at, `may have at most ${params.limit} entries`);
    default:
      return problem(at, e.message ?? 'is invalid');
  }
}

function semanticProblems(c: ExperimentConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const err = (p: JsonPath, message: string) => out.push({ severity: 'error', path: p, message });
  const warn = (p: JsonPath, message: string) => out.push({ severity: 'warning', path: p, message });
  const ds = c.dataset;
  const layers = c.network.layers;
  const shape = datasetShape(ds);
  if (shape) {
    if (layers[0] !== shape.inputs)
      err(['network', 'layers', 0], `is ${layers[0]}, but dataset "${ds.name}"${ds.name === 'cifar10' || ds.name === 'svhn' ? ` (${ds.color})` : ''} has ${shape.inputs} inputs`);
    if (layers[layers.length - 1] !== shape.classes)
      err(['network', 'layers', layers.length - 1], `is ${layers[layers.length - 1]}, but dataset "${ds.name}" has ${shape.classes} classes`);
  }
  const needsPath = ds.name === 'cifar10' || ds.name === 'svhn' || ds.name === 'idx';
  if (needsPath && !ds.path) err(['dataset', 'path'], `is required for dataset "${ds.name}": the folder holding its files`);
  if (!needsPath && ds.path) warn(['dataset', 'path'], `is ignored for dataset "${ds.name}"`);
  if ((ds.name === 'cifar10' || ds.name === 'svhn') === false && ds.color === 'rgb')
    warn(['dataset', 'color'], `only applies to cifar10 and svhn`);
  if (c.training.loss === 'cross-entropy' && c.network.output !== 'softmax')
    err(['network', 'output'], 'must be "softmax" when training.loss is "cross-entropy"');
  if (c.training.loss === 'squared-error' && c.network.output === 'softmax')
    err(['training', 'loss'], 'must be "cross-entropy" when network.output is "softmax"');
  const trainSize = ds.name === 'synthetic' ? ds.synthetic.trainSize : ds.trainLimit;
  if (trainSize !== undefined && c.training.batchSize > trainSize)
    warn(['training', 'batchSize'], `is larger than the ${trainSize} training images: every epoch is one partial batch`);
  if (c.training.workers > 1 && c.training.batchSize < 2 * c.training.workers)
    err(['training', 'workers'], `needs a batch of at least ${2 * c.training.workers} to split (batchSize is ${c.training.batchSize})`);
  const t = c.transform;
  const depth = layers.length - 1;
  if (t.pruneRates && t.pruneRates.length !== depth)
    err(['transform', 'pruneRates'], `has ${t.pruneRates.length} entries but the network has ${depth} weight layers`);
  if (t.qualityMin > t.qualityMax) err(['transform', 'qualityMin'], `(${t.qualityMin}) must not exceed qualityMax (${t.qualityMax})`);
  const E = c.training.epochs;
  if (t.clusterStart !== undefined && t.clusterStart > E) warn(['transform', 'clusterStart'], `is after the last epoch (${E}): no clustering will happen`);
  if (t.clusterPruneStart !== undefined && t.clusterPruneStart > E) warn(['transform', 'clusterPruneStart'], `is after the last epoch (${E})`);
  if (t.mode !== 'original' && layers.some((n) => n > 20000)) warn(['network', 'layers'], 'layers over 20,000 neurons make clustering slow');
  return out;
}

/** Validate a parsed config; on success return it with every default filled in. */
export function validateConfig(raw: unknown): ValidationResult {
  const copy: unknown = raw === undefined ? raw : JSON.parse(JSON.stringify(raw));
  if (copy === null || typeof copy !== 'object' || Array.isArray(copy))
    return { problems: [{ severity: 'error', path: [], message: 'must be a JSON object' }] };
  if (!validateSchema(copy)) {
    const seen = new Set<string>();
    const problems = (validateSchema.errors ?? []).map(describeAjvError).filter((p) => {
      const key = `${formatPath(p.path)}|${p.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
    return { problems };
  }
  const config = copy as ExperimentConfig;
  const problems = semanticProblems(config);
  return problems.some((p) => p.severity === 'error') ? { problems } : { config, problems };
}

/** Where in `text` (1-based line and column) a character offset falls. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** Parse JSON, turning a syntax error into a UserError with file, line and column. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(msg);
    const where = m ? (({ line, column }) => `${file}:${line}:${column}`)(lineColumn(text, Number(m[1]))) : file;
    throw new UserError(where, `not valid JSON (${msg.replace(/ in JSON at position \d+.*$/, '')})`);
  }
}

export interface LoadedConfig {
  file: string;
  /** Folder the config's relative paths are resolved against. */
  baseDir: string;
  config: ExperimentConfig;
  warnings: ConfigProblem[];
}

/** Read, parse and validate a config file; throw a UserError listing every error. */
export function loadConfigFile(file: string): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(file, `cannot read the config (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const { config, problems } = validateConfig(parseJson(text, file));
  if (!config) {
    const errors = problems.filter((p) => p.severity === 'error');
    throw new UserError(file, `invalid config:\n${errors.map((p) => `  ${formatPath(p.path)}: ${p.message}`).join('\n')}`);
  }
  return { file, baseDir: path.dirname(path.resolve(file)), config, warnings: problems };
}
