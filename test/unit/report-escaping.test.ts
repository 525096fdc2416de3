/**
 * The HTML report is built from files anyone can edit: every value from a
 * run or comparison record is escaped, numbers are printed only when they are
 * numbers, and a comparison record cannot make the report read folders
 * outside the comparison. The fixture is a real comparison folder (three
 * runs of a small synthetic config) with its JSON records only.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareReport, escapeHtml, runReport } from '../../src/engine/report/html';
import { tmpDir } from '../helpers/files';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'report-compare');
const EVIL = `"><img src=x onerror=alert(1)><script>alert(1)</script>'\`<svg onload=alert(2)>`;
const RUNS = ['20261127-162125-original', '20261127-162125-pruning', '20261127-162125-trannsformer'];

/** The fixture in a fresh folder (its compare.json names folders where it was written: found here by name). */
function copyFixture(): string {
  const dir = path.join(tmpDir(), 'x-compare');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

/** Every string and number leaf replaced by EVIL, except the keys the reader needs to recognise the file. */
function poison(v: unknown, keep: (key: string) => boolean, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => poison(x, keep, key));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keep(k) ? x : poison(x, keep, k)]));
  if (typeof v === 'string' || typeof v === 'number') return EVIL;
  return v;
}

const editJson = (file: string, f: (v: unknown) => unknown) => fs.writeFileSync(file, JSON.stringify(f(JSON.parse(fs.readFileSync(file, 'utf8')))));
const editJsonl = (file: string, f: (v: unknown) => unknown) =>
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.stringify(f(JSON.parse(l)))).join('\n') + '\n');

const ALLOWED_TAGS = new Set(['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'div', 'svg', 'text', 'tspan', 'line', 'polyline', 'circle', 'rect', 'details', 'summary', 'ul', 'li']);

/** No markup but the report's own: every tag is one the report writes, no event handler attribute, no script. */
function assertNoInjectedMarkup(doc: string, what: string, shown = true): void {
  const tags = [...doc.matchAll(/<\/?([!a-zA-Z][^\s>/]*)/g)].map((m) => m[1].toLowerCase());
  const foreign = tags.filter((t) => !ALLOWED_TAGS.has(t));
  assert.deepEqual(foreign, [], `${what}: foreign tags`);
  assert.equal(/<[^>]*\son\w+\s*=/i.test(doc), false, `${what}: an event handler attribute inside a tag`);
  assert.equal(/<script/i.test(doc), false, `${what}: a script element`);
  // Each attribute value is a whole quoted string: no quote broke out of one.
  for (const m of doc.matchAll(/<[a-zA-Z][^>]*>/g)) assert.match(m[0], /^<[a-zA-Z][\w-]*(\s+[\w:-]+(="[^"<]*")?)*\s*\/?>$/, `${what}: malformed tag ${m[0].slice(0, 120)}`);
  if (shown) assert.ok(doc.includes(escapeHtml(EVIL)), `${what}: the values are shown, escaped`);
}

test('escapeHtml escapes the five HTML specials and the backtick', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&\`</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
});

test('the report escapes the fields the issue found inserted raw (crossbar size, SNN images and timesteps, epochs)', () => {
  const dir = copyFixture();
  const run = path.join(dir, RUNS[2]);
  editJson(path.join(run, 'result.json'), (r) => {
    (r as { mapping: { crossbarSize: unknown } }).mapping.crossbarSize = EVIL;
    return r;
  });
  editJson(path.join(run, 'evaluation.json'), (e) => {
    const snn = (e as { snn: Record<string, unknown> }).snn;
    snn.images = EVIL;
    snn.timesteps = EVIL;
    (snn.curve as { timesteps: unknown }[])[0].timesteps = EVIL;
    return e;
  });
  editJson(path.join(dir, 'compare.json'), (c) => ({ ...(c as object), epochs: EVIL, crossbarSize: EVIL }));
  // Numbers that are not numbers are not printed at all.
  assertNoInjectedMarkup(runReport(run), 'run report', false);
  assertNoInjectedMarkup(compareReport(dir), 'comparison report', false);
});

test('every string and number of every record poisoned: the reports hold no markup but their own, and do not crash', () => {
  const dir = copyFixture();
  // The store recognises a run by `format` and reads `status` and `formatVersion`; compare rows are found through `runDir`.
  const keepRun = (k: string) => k === 'format';
  for (const r of RUNS) {
    const run = path.join(dir, r);
    editJson(path.join(run, 'result.json'), (v) => poison(v, keepRun));
    editJson(path.join(run, 'config.json'), (v) => poison(v, () => false));
    editJson(path.join(run, 'evaluation.json'), (v) => poison(v, () => false));
    editJsonl(path.join(run, 'metrics.jsonl'), (v) => poison(v, () => false));
    assertNoInjectedMarkup(runReport(run), `run report of ${r}`);
  }
  editJson(path.join(dir, 'compare.json'), (v) => poison(v, (k) => k === 'runDir'));
  assertNoInjectedMarkup(compareReport(dir), 'comparison report');
});

test('arrays and objects replaced by strings: a clean report or an error naming the folder, never a TypeError', () => {
  const dir = copyFixture();
  const flatten = (v: unknown, depth = 0): unknown =>
    Array.isArray(v) ? EVIL : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, depth > 0 && typeof x === 'object' ? EVIL : flatten(x, depth + 1)])) : v;
  for (const r of RUNS) {
    const run = path.join(dir, r);
    editJson(path.join(run, 'result.json'), (v) => flatten(v));
    editJson(path.join(run, 'evaluation.json'), (v) => flatten(v));
    editJsonl(path.join(run, 'metrics.jsonl'), (v) => flatten(v));
    assertNoInjectedMarkup(runReport(run), `run report of ${r}`, false);
  }
  assertNoInjectedMarkup(compareReport(dir), 'comparison report', false);
});

test('a comparison record naming a folder outside the comparison is refused, also through a symbolic link', () => {
  const dir = copyFixture();
  const outside = path.join(path.dirname(dir), 'elsewhere');
  fs.cpSync(path.join(dir, RUNS[0]), outside, { recursive: true });
  const setRow0 = (runDir: string) =>
    editJson(path.join(dir, 'compare.json'), (c) => {
      (c as { rows: { runDir: string }[] }).rows[0].runDir = runDir;
      return c;
    });
  setRow0(outside);
  assert.throws(() => compareReport(dir), /rows\[0\]\.runDir: .*is outside the comparison folder/);
  setRow0(path.join(dir, '..', 'elsewhere'));
  assert.throws(() => compareReport(dir), /is outside the comparison folder/);
  fs.symlinkSync(outside, path.join(dir, 'link'));
  setRow0(path.join(dir, 'link'));
  assert.throws(() => compareReport(dir), /is outside the comparison folder .*leads to/);
  setRow0('/etc');
  assert.throws(() => compareReport(dir), /is outside the comparison folder/);
  // A moved comparison: the recorded path is gone, the folder of that name inside is used.
  setRow0(path.join('/no/such/place', RUNS[0]));
  assert.match(compareReport(dir), /TraNNsformer comparison/);
});
