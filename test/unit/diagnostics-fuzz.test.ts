/**
 * Seeded fuzzing of the config pipeline: mutated configs (wrong types,
 * missing fields, extreme numbers, broken JSON, deep nesting, byte-order
 * marks, huge and blank keys) go through the validator, the diagnostics, the
 * quick fixes, the hovers and the lenses. None may throw; every problem's
 * range (and related range) lies inside the document and agrees with its
 * line/column; every quick fix leaves valid JSON and removes its problem.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { diagnoseText, type LocatedProblem, type TextPosition } from '../../src/engine/config/diagnostics';
import { applyTextEdits, quickFixes } from '../../src/engine/config/fixes';
import { configLenses, hoverAt } from '../../src/engine/config/assist';
import { formatPath, lineColumn, stripBom, validateConfig } from '../../src/engine/config/validate';
import { Rng } from '../../src/engine/core/rng';
import { tmpDir } from '../helpers/files';

const SEED = 20171113;
const CASES = 1500;

const BASE = {
  name: 'fuzz',
  dataset: { name: 'synthetic', synthetic: { inputSize: 16, classes: 4, trainSize: 100, testSize: 20 } },
  network: { layers: [16, 12, 4], dropout: 0.5, init: { distribution: 'uniform', scale: 0.01 } },
  training: { epochs: 10, batchSize: 20, learningRate: 0.5, momentum: 0.5 },
  transform: { mode: 'trannsformer', crossbar: 64, clusterStart: 2, clusterPruneStart: 8, qualityMin: 0.3, qualityMax: 0.7, pruneRates: [0.5, 0.5] },
  hardware: { preset: 'resparc-45nm', timesteps: 100 },
};

type J = null | boolean | number | string | J[] | { [k: string]: J };

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng.next() * xs.length)];
}

function randomValue(rng: Rng, depth = 0): J {
  const kinds = ['num', 'int', 'extreme', 'str', 'bool', 'null', 'arr', 'obj'] as const;
  switch (pick(rng, depth > 2 ? kinds.slice(0, 6) : kinds)) {
    case 'num':
      return (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 8);
    case 'int':
      return Math.floor((rng.next() - 0.3) * 3000);
    case 'extreme':
      return pick(rng, [0, -0, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER, -1, 1.5, 2 ** 53 + 2, 4294967296]);
    case 'str':
      return pick(rng, ['', ' ', 'mnist', 'resparc-45mn', 'x'.repeat(1 + Math.floor(rng.next() * 300)), '\u0000', '../..', 'presets/none.json', 'svhn', 'idx']);
    case 'bool':
      return rng.next() < 0.5;
    case 'null':
      return null;
    case 'arr':
      return Array.from({ length: Math.floor(rng.next() * 5) }, () => randomValue(rng, depth + 1));
    case 'obj':
      return Object.fromEntries(Array.from({ length: Math.floor(rng.next() * 4) }, (_, i) => [pick(rng, ['a', '', ' ', 'epochs', `k${i}`]), randomValue(rng, depth + 1)]));
  }
}

/** Every [object, key] pair in a value (arrays by index). */
function slots(v: J, out: [Record<string, J> | J[], string | number][] = []): [Record<string, J> | J[], string | number][] {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push([v, i]);
      slots(x, out);
    });
  else if (v && typeof v === 'object')
    for (const k of Object.keys(v)) {
      out.push([v, k]);
      slots(v[k], out);
    }
  return out;
}

const KEYS = ['dataset', 'network', 'training', 'transform', 'hardware', 'layers', 'epochs', 'crossbar', 'preset', 'qualityMin', 'clusterStart', 'sweep'];

/** One mutated config text. */
function mutate(rng: Rng): string {
  const v = JSON.parse(JSON.stringify(BASE)) as J;
  for (let m = 1 + Math.floor(rng.next() * 3); m > 0; m--) {
    const all = slots(v);
    const [holder, key] = pick(rng, all);
    const op = pick(rng, ['set', 'set', 'delete', 'rename', 'add', 'typo'] as const);
    if (Array.isArray(holder)) {
      if (op === 'delete') holder.splice(key as number, 1);
      else holder[key as number] = randomValue(rng);
    } else if (op === 'set') holder[key] = randomValue(rng);
    else if (op === 'delete') delete holder[key];
    else if (op === 'rename' || op === 'typo') {
      const name = String(key);
      const to = op === 'typo' && name.length > 2 ? name.slice(0, 1) + name.slice(2) : pick(rng, ['', ' ', name.toLowerCase(), `${name}s`, 'y'.repeat(5000)]);
      const val = holder[key];
      delete holder[key];
      holder[to] = val;
    } else holder[pick(rng, KEYS)] = randomValue(rng);
  }
  let text = JSON.stringify(v, null, pick(rng, [0, 2, '\t']));
  // Text-level damage.
  const r = rng.next();
  if (r < 0.1) text = text.slice(0, Math.floor(rng.next() * text.length));
  else if (r < 0.18) {
    const at = Math.floor(rng.next() * text.length);
    text = text.slice(0, at) + pick(rng, [',', '}', ']', '"', ':', '//c\n', '\u0000', 'NaN', '\\', '{', '[']) + text.slice(at);
  } else if (r < 0.22) {
    const n = pick(rng, [63, 64, 65, 1000, 20000]);
    text = text.replace('"description"', '"d"').replace(/^\{/, `{"description": ${'['.repeat(n)}${']'.repeat(n)},`);
  } else if (r < 0.26) {
    const n = pick(rng, [10, 70, 5000]);
    text = text.replace(/^\{/, `{"deep": ${'{"a":'.repeat(n)}1${'}'.repeat(n)},`);
  } else if (r < 0.29) text = text.replace(/^\{/, `{"${'k'.repeat(200_000)}": 1,`);
  else if (r < 0.31) text = text.replace(/"epochs": ?\d+/, '"epochs": 1e999');
  else if (r < 0.33) text = text.replace(/^\{/, '{"training": {"epochs": 1},');
  if (rng.next() < 0.1) text = '\uFEFF' + text;
  if (rng.next() < 0.05) text = text.replace(/\n/g, '\r\n');
  return text;
}

function checkPosition(text: string, p: TextPosition, what: string): void {
  assert.ok(Number.isInteger(p.offset) && p.offset >= 0 && p.offset <= text.length, `${what}: offset ${p.offset} outside 0..${text.length}`);
  assert.deepEqual({ line: p.line, column: p.column }, lineColumn(text, p.offset), `${what}: line/column disagree with the offset`);
}

function checkRanges(text: string, problems: LocatedProblem[], what: string): void {
  for (const p of problems) {
    checkPosition(text, p.range.start, `${what} ${p.code} start`);
    checkPosition(text, p.range.end, `${what} ${p.code} end`);
    assert.ok(p.range.start.offset <= p.range.end.offset, `${what} ${p.code}: start after end`);
    assert.ok(['error', 'warning', 'hint'].includes(p.severity));
    assert.match(p.code, /^[a-z]+(\.[a-z-]+)+$/, `${what}: code "${p.code}"`);
    assert.ok(p.message.length > 0 && p.message.length < 2000, `${what} ${p.code}: message of ${p.message.length} characters`);
    assert.ok(formatPath(p.path).length < 2000);
    for (const r of p.relatedRanges ?? []) {
      checkPosition(text, r.range.start, `${what} ${p.code} related`);
      checkPosition(text, r.range.end, `${what} ${p.code} related`);
    }
  }
}

test(`${CASES} mutated configs: no exception, every range inside the document, every fix applies`, () => {
  const rng = new Rng(SEED);
  const baseDir = tmpDir('trn-fuzz-');
  const codes = new Map<string, number>();
  let fixesApplied = 0;
  let parsed = 0;
  for (let i = 0; i < CASES; i++) {
    const input = mutate(rng);
    const text = stripBom(input);
    const what = `case ${i} (seed ${SEED})`;
    const { problems, config } = diagnoseText(input, { baseDir });
    checkRanges(text, problems, what);
    for (const p of problems) codes.set(p.code, (codes.get(p.code) ?? 0) + 1);
    if (config) assert.ok(!problems.some((p) => p.severity === 'error'), `${what}: a config with errors`);
    // The validator alone, on whatever JSON.parse makes of it.
    let value: unknown;
    try {
      value = JSON.parse(text);
      parsed++;
    } catch {
      value = undefined;
    }
    if (value !== undefined) validateConfig(value, { baseDir });
    // Quick fixes: the edited text parses and the problem is gone.
    for (const p of problems.filter((x) => x.fix).slice(0, 2)) {
      for (const f of quickFixes(input, p)) {
        const fixed = applyTextEdits(text, f.edits);
        const again = diagnoseText(fixed, { baseDir }).problems;
        assert.ok(!again.some((x) => x.code.startsWith('json.')), `${what}: fix "${f.title}" broke the JSON`);
        assert.ok(
          !again.some((x) => x.code === p.code && formatPath(x.path) === formatPath(p.path) && x.message === p.message),
          `${what}: fix "${f.title}" left ${p.code} at ${formatPath(p.path)}`,
        );
        fixesApplied++;
      }
    }
    // Hovers at a few offsets and the lenses: no exception.
    for (let k = 0; k < 3; k++) {
      const h = hoverAt(input, Math.floor(rng.next() * (text.length + 1)), { baseDir });
      if (h) assert.ok(h.start >= 0 && h.end <= text.length && h.markdown.length > 0);
    }
    configLenses(input, rng.next() < 0.5);
  }
  // The fuzzer reached the interesting places (so a pass means something).
  for (const c of ['json.syntax', 'json.too-deep', 'key.unknown', 'schema.type', 'schema.required', 'layers.input-mismatch', 'number.not-finite'])
    assert.ok((codes.get(c) ?? 0) > 0, `no case produced ${c}; codes seen: ${[...codes.keys()].join(', ')}`);
  assert.ok(fixesApplied > 50, `only ${fixesApplied} fixes applied`);
  if (process.env.FUZZ_STATS) console.log(fixesApplied, parsed, [...codes].sort().join(" "));
  assert.ok(parsed > CASES / 2);
});
