/**
 * One path from a config file to the config that runs: overrides (CLI flags,
 * a comparison's mode, a sweep's axes) are applied to the raw JSON, the
 * result is validated (schema defaults filled), the defaults that depend on
 * the epoch count and the network are filled (`resolveTransform`), and the
 * config is frozen. Checks therefore see exactly the values that run, and
 * `config.json` records them, every default filled.
 */
import * as path from 'node:path';
import { UserError } from '../core/errors';
import { readBoundedText, readProblem } from '../core/boundedFile';
import { resolveTransform, type ExperimentConfig, type ResolvedTransform } from './schema';
import { formatPath, isTooDeep, parseJson, validateConfig, type ConfigProblem, type JsonPath } from './validate';
import { locateProblems } from './diagnostics';

export interface ConfigOverride {
  path: JsonPath;
  value: unknown;
  /** Who set it, for messages: "--epochs", "compare", a sweep axis. */
  source: string;
}

export interface LoadedConfig {
  file: string;
  /** Folder the config's relative paths are resolved against. */
  baseDir: string;
  /** The file's JSON as written. */
  raw: unknown;
  /** The file's text (to place problems in it), when read from a file. */
  text?: string;
  overrides: readonly ConfigOverride[];
  /** Resolved and frozen: every default filled, overrides applied. */
  config: Readonly<ExperimentConfig>;
  /** Warnings (hints, such as a crossbar that is not a power of two, are for the editor and `validate` only). */
  warnings: ConfigProblem[];
}

/** A deep copy of `raw` with each override set at its path (objects created on the way). */
export function applyOverrides(raw: unknown, overrides: readonly ConfigOverride[]): unknown {
  const copy: unknown = raw === undefined ? undefined : JSON.parse(JSON.stringify(raw));
  for (const o of overrides) {
    if (o.path.length === 0 || copy === null || typeof copy !== 'object') continue;
    let at = copy as Record<string | number, unknown>;
    for (const seg of o.path.slice(0, -1)) {
      const next = at[seg];
      if (next === null || typeof next !== 'object') at[seg] = {};
      at = at[seg] as Record<string | number, unknown>;
    }
    at[o.path[o.path.length - 1]] = JSON.parse(JSON.stringify(o.value));
  }
  return copy;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Name the override a problem comes from, if any. */
function attribute(p: ConfigProblem, overrides: readonly ConfigOverride[]): ConfigProblem {
  const o = overrides.find((x) => x.path.length <= p.path.length && x.path.every((s, i) => p.path[i] === s));
  return o ? { ...p, message: `${p.message} (set by ${o.source})` } : p;
}

/**
 * Apply overrides, validate, fill epoch-dependent defaults, freeze. With
 * `baseDir`, the dataset files and the preset are checked too (as `validate`
 * and the editor check them).
 */
export function resolveConfig(
  raw: unknown,
  overrides: readonly ConfigOverride[] = [],
  options: { baseDir?: string } = {},
): { config?: Readonly<ExperimentConfig>; problems: ConfigProblem[] } {
  // A value nested without bound is reported before anything copies it (a copy would recurse).
  if (isTooDeep(raw)) return validateConfig(raw);
  const { config, problems } = validateConfig(applyOverrides(raw, overrides), options);
  const attributed = problems.map((p) => attribute(p, overrides));
  if (!config) return { problems: attributed };
  config.transform = resolveTransform(config.transform, config.training.epochs, config.network.layers.length - 1);
  return { config: deepFreeze(config), problems: attributed };
}

/** The lines of an invalid config's error: path and message as `validate` prints them, with code and place. */
function errorLines(problems: ConfigProblem[], text: string | undefined): string {
  const errors = problems.filter((p) => p.severity === 'error');
  const placed = text !== undefined ? locateProblems(text, errors) : undefined;
  return errors
    .map((p, i) => {
      const at = placed?.[i].range.start;
      return `  ${formatPath(p.path)}: ${p.message} [${p.code}${at ? `, line ${at.line}:${at.column}` : ''}]`;
    })
    .join('\n');
}

function resolveOrThrow(file: string, baseDir: string, raw: unknown, overrides: readonly ConfigOverride[], text?: string): LoadedConfig {
  const { config, problems } = resolveConfig(raw, overrides, { baseDir });
  if (!config) throw new UserError(file, `invalid config:\n${errorLines(problems, text)}`);
  return { file, baseDir, raw, text, overrides, config, warnings: problems.filter((p) => p.severity !== 'hint') };
}

/** Read, parse, override and validate a config file; throw a UserError listing every error. */
export function loadConfigFile(file: string, overrides: readonly ConfigOverride[] = []): LoadedConfig {
  let text: string;
  try {
    // Bounded: a config that is a FIFO, a device or gigabytes is refused, never read.
    text = readBoundedText(file, 'config');
  } catch (e) {
    throw new UserError(file, `cannot read the config (${readProblem(e, file)})`);
  }
  return resolveOrThrow(file, path.dirname(path.resolve(file)), parseJson(text, file), overrides, text);
}

/** The same config file with more overrides (a comparison's mode, a sweep point), resolved again from the raw JSON. */
export function withOverrides(loaded: LoadedConfig, more: readonly ConfigOverride[]): LoadedConfig {
  return resolveOrThrow(loaded.file, loaded.baseDir, loaded.raw, [...loaded.overrides, ...more], loaded.text);
}

/** A config given in memory (tests, tools), resolved like a file's. */
export function loadConfigObject(raw: unknown, baseDir = process.cwd(), overrides: readonly ConfigOverride[] = []): LoadedConfig {
  return resolveOrThrow('(config)', baseDir, raw, overrides);
}

/** The transform section of a resolved config, every epoch-dependent default filled (resolveConfig did it once). */
export function transformOf(config: Readonly<ExperimentConfig>): ResolvedTransform {
  const t = config.transform;
  if (t.pruneRates === undefined || t.slowdown === undefined || t.clusterStart === undefined || t.clusterPruneStart === undefined)
    throw new Error('internal: the config was not resolved (use loadConfigFile / resolveConfig)');
  return t as ResolvedTransform;
}
