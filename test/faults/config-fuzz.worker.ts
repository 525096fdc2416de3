/**
 * The config fuzzer's child process (run by config-fuzz.test.ts under a
 * watchdog). Each case takes one of examples/*.trannsformer.json, mutates
 * it with a seeded RNG — type swaps, huge and tiny numbers, NaN-like
 * strings, deep nesting, removed and unknown fields, long arrays and
 * strings, odd keys, paths to devices, FIFOs and pseudo-files where the
 * disk checks look (dataset files, preset files) — and validates it as `run`
 * does (with a base folder, so the disk is checked), both as a value and as
 * text (the text sometimes damaged too). One JSON line per case.
 *
 *   node --import tsx test/faults/config-fuzz.worker.ts <seed> <from> <to>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Rng } from '../../src/engine/core/rng';
import { validateConfig, type ConfigProblem } from '../../src/engine/config/validate';
import { diagnoseText } from '../../src/engine/config/diagnostics';
import { tmpDir } from '../helpers/files';

export interface ConfigCaseLine {
  i: number;
  example: string;
  mutations: string[];
  outcome: 'valid' | 'problems' | 'throw' | 'inconsistent';
  message?: string;
  ms: number;
  rss: number;
}

type J = null | boolean | number | string | J[] | { [k: string]: J };

const ROOT = path.join(__dirname, '..', '..');

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

function nest(depth: number, leaf: J, arrays: boolean): J {
  let v = leaf;
  for (let d = 0; d < depth; d++) v = arrays ? [v] : { a: v };
  return v;
}

/** Values that break assumptions: wrong types, extremes, NaN-like strings, special paths, deep and large structures. */
function oddValue(rng: Rng, special: string[]): { value: J; what: string } {
  const choices: (() => { value: J; what: string })[] = [
    () => ({ value: pick(rng, ['NaN', 'Infinity', '-Infinity', '1e999', '-0', '0x10', '1_000', 'null', 'true', '', ' ', '\u0000', '💥', '../../../../etc/passwd']), what: 'NaN-like string' }),
    () => ({ value: pick(rng, [1e308, -1e308, 2 ** 53 + 2, -(2 ** 53), 4294967296, 4294967295, 1e-320, -0, -1, 0, 0.5, 1e9, 100000, 65536, 2 ** 31]), what: 'extreme number' }),
    () => ({ value: pick(rng, [true, false, null]), what: 'boolean or null' }),
    () => ({ value: pick<J>(rng, [[], {}, [1, 2, 3], [null], [[]], { '': 1 }]), what: 'array or object' }),
    () => ({ value: nest(60 + rng.int(20), 1, rng.int(2) === 0), what: 'deep nesting' }),
    () => ({ value: 'x'.repeat(rng.int(2) ? 100_000 : 5000), what: 'long string' }),
    () => ({ value: Array.from({ length: 1000 + rng.int(9000) }, () => rng.int(2) ? 100000 : rng.int(1000)), what: 'long array' }),
    () => ({ value: pick(rng, special), what: 'special path' }),
  ];
  return pick(rng, choices)();
}

/** Every [parent, key] of a JSON value (the root excluded). */
function places(v: J, out: [J[] | { [k: string]: J }, string | number][] = []): [J[] | { [k: string]: J }, string | number][] {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push([v, i]);
      places(x, out);
    });
  else if (v !== null && typeof v === 'object')
    for (const k of Object.keys(v)) {
      out.push([v, k]);
      places(v[k], out);
    }
  return out;
}

const ODD_KEYS = ['__proto__', 'constructor', 'prototype', '', ' ', 'a.b', 'layers ', 'Layers', '💥', 'x'.repeat(300)];

/** Sections and fields the validator reads, to aim some mutations where they matter. */
const AIMED: string[][] = [
  ['network', 'layers'],
  ['network', 'layers', '0'],
  ['training', 'batchSize'],
  ['training', 'evalBatchSize'],
  ['training', 'workers'],
  ['training', 'epochs'],
  ['dataset', 'path'],
  ['dataset', 'name'],
  ['dataset', 'trainImages'],
  ['hardware', 'preset'],
  ['transform', 'crossbar'],
  ['transform', 'pruneRates'],
  ['sweep', 'grid', 'crossbar'],
  ['sweep', 'maxPoints'],
];

function setAt(root: { [k: string]: J }, p: string[], value: J): void {
  let cur: J = root;
  for (let i = 0; i < p.length - 1; i++) {
    const k = p[i];
    if (cur === null || typeof cur !== 'object') return;
    const c = cur as { [k: string]: J };
    if (c[k] === null || typeof c[k] !== 'object') c[k] = /^\d+$/.test(p[i + 1]) ? [] : {};
    cur = c[k];
  }
  if (cur !== null && typeof cur === 'object') (cur as { [k: string]: J })[p[p.length - 1]] = value;
}

function mutateValue(cfg: { [k: string]: J }, rng: Rng, special: string[]): string {
  const all = places(cfg);
  const kind = rng.int(7);
  if (kind === 0 || all.length === 0) {
    const p = pick(rng, AIMED);
    const v = oddValue(rng, special);
    setAt(cfg, p, v.value);
    return `${p.join('.')} = ${v.what}`;
  }
  const [parent, key] = pick(rng, all);
  switch (kind) {
    case 1: {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      return `remove ${String(key)}`;
    }
    case 2: {
      if (Array.isArray(parent) || parent === null) return 'none';
      const k = pick(rng, ODD_KEYS);
      // defineProperty: `__proto__` as an own key, as JSON.parse makes it
      Object.defineProperty(parent, k, { value: oddValue(rng, special).value, enumerable: true, configurable: true, writable: true });
      return `add key ${JSON.stringify(k.slice(0, 20))}`;
    }
    case 3: {
      const v = (parent as Record<string | number, J>)[key];
      const swapped: J = typeof v === 'number' ? String(v) : typeof v === 'string' ? (Number(v) || v.length) : Array.isArray(v) ? { ...v } : v !== null && typeof v === 'object' ? Object.values(v) : 0;
      (parent as Record<string | number, J>)[key] = swapped;
      return `type swap at ${String(key)}`;
    }
    default: {
      const v = oddValue(rng, special);
      (parent as Record<string | number, J>)[key] = v.value;
      return `${String(key)} = ${v.what}`;
    }
  }
}

function mutateText(text: string, rng: Rng): { text: string; what: string } {
  const at = rng.int(text.length + 1);
  switch (rng.int(4)) {
    case 0:
      return { text: text.slice(0, at), what: `truncate text at ${at}` };
    case 1:
      return { text: text.slice(0, at) + pick(rng, ['{', '}', '[', ']', ',', '"', ':', '\\', '\u0000', '\ufeff', 'NaN', '1e999']) + text.slice(at), what: `insert at ${at}` };
    case 2:
      return { text: text.slice(0, at) + text.slice(at + 1 + rng.int(20)), what: `delete at ${at}` };
    default:
      return { text: '\ufeff' + text, what: 'byte-order mark' };
  }
}

/** Problems are well formed, and a config is returned exactly when no problem is an error. */
function consistent(r: { config?: unknown; problems: ConfigProblem[] }): string | undefined {
  for (const p of r.problems) {
    if (!['error', 'warning', 'hint'].includes(p.severity)) return `severity ${String(p.severity)}`;
    if (typeof p.code !== 'string' || !p.code) return 'a problem without a code';
    if (!Array.isArray(p.path)) return `problem ${p.code} without a path`;
    if (typeof p.message !== 'string' || !p.message) return `problem ${p.code} without a message`;
  }
  const errors = r.problems.some((p) => p.severity === 'error');
  if (errors === (r.config !== undefined)) return `config ${r.config ? 'returned despite' : 'missing without'} errors`;
  return undefined;
}

if (require.main === module) {
  const [seed, from, to] = process.argv.slice(2).map(Number);
  const dir = tmpDir('trn-cfgfuzz-');
  const fifo = path.join(dir, 'fifo.json');
  spawnSync('mkfifo', [fifo]);
  fs.mkdirSync(path.join(dir, 'folder.json'));
  const special = ['/dev/zero', '/dev/urandom', '/dev/null', '/proc/self/mem', '/proc/kcore', '/proc/self/fd/0', '/sys/kernel', fifo, path.join(dir, 'folder.json'), './fifo.json', '/'];
  const examples = fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.trannsformer.json'))
    .sort()
    .map((f) => ({ name: f, text: fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8') }));
  try {
    for (let i = from; i < to; i++) {
      const rng = new Rng(seed, i);
      const ex = pick(rng, examples);
      const cfg = JSON.parse(ex.text) as { [k: string]: J };
      const mutations: string[] = [];
      const n = 1 + rng.int(4);
      for (let k = 0; k < n; k++) mutations.push(mutateValue(cfg, rng, special));
      const t0 = performance.now();
      let outcome: ConfigCaseLine['outcome'];
      let message: string | undefined;
      try {
        const asValue = validateConfig(cfg, { baseDir: dir });
        let text = JSON.stringify(cfg, null, 2);
        if (rng.int(3) === 0) {
          const m = mutateText(text, rng);
          text = m.text;
          mutations.push(m.what);
        }
        const asText = diagnoseText(text, { baseDir: dir });
        message = consistent(asValue) ?? (asText.problems.every((p) => typeof p.code === 'string' && p.message) ? undefined : 'a text problem without code or message');
        outcome = message ? 'inconsistent' : asValue.config ? 'valid' : 'problems';
      } catch (e) {
        outcome = 'throw';
        message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      }
      const line: ConfigCaseLine = { i, example: ex.name, mutations, outcome, message, ms: performance.now() - t0, rss: process.memoryUsage().rss };
      process.stdout.write(JSON.stringify(line) + '\n');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
