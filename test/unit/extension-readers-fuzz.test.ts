/**
 * The extension's readers against type-confused records: real run and sweep
 * folders (a 2×2×2-seed sweep made by `trannsformer sweep
 * test/fixtures/extension-readers/tiny.trannsformer.json`, the comparison of
 * test/fixtures/report-compare, and a stand-alone run) with one file at a
 * time rewritten — a field (at any depth: points, figures, rows, layers,
 * crossbars…) replaced by null, a number, a huge number, NaN-like text, an
 * array, an object, or removed; metrics lines likewise — seeded. For every
 * variant: no throw escapes the Runs view, the sweep rows, Run details, the
 * Pareto view or the curves; the mapping and curves panels either send a
 * view their webview accepts or an error naming the file; every other
 * folder is listed as before; a damaged item names its file.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../helpers/files';
import * as runsModel from '../../src/extension/runsModel';
import * as detailsModel from '../../src/extension/detailsModel';
import { readParetoView } from '../../src/extension/panels/paretoData';
import { mappingViewOf, mappingTitle } from '../../src/extension/panels/mappingData';
import { curvesViewAsync, curvesViewOf } from '../../src/extension/panels/curvesData';
import { checkCurvesView, checkMappingView, checkParetoView } from '../../webview/shared/guards';

const FIX = path.join(__dirname, '..', 'fixtures');
const SWEEP = '20261202-102229-tiny-sweep';
const COMPARE = '20261127-162125-synth-compare';
const SOLO = '20261126-090000-solo';

/** The runs folder: the sweep, the comparison (its compare.json pointing at its copied runs) and a stand-alone run. */
function makeRoot(): string {
  const root = tmpDir('trn-fuzz-');
  fs.cpSync(path.join(FIX, 'extension-readers', SWEEP), path.join(root, SWEEP), { recursive: true });
  const cmp = path.join(root, COMPARE);
  fs.cpSync(path.join(FIX, 'report-compare'), cmp, { recursive: true });
  const c = JSON.parse(fs.readFileSync(path.join(cmp, 'compare.json'), 'utf8')) as { rows: { runDir: string }[] };
  for (const r of c.rows) r.runDir = path.join(cmp, path.basename(r.runDir));
  fs.writeFileSync(path.join(cmp, 'compare.json'), JSON.stringify(c, null, 2));
  fs.cpSync(path.join(FIX, 'extension-readers', SWEEP, '20261202-102232-trannsformer-x16-j04'), path.join(root, SOLO), { recursive: true });
  return root;
}

/** mulberry32: a small seeded generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REMOVE = Symbol('remove');
const VALUES: unknown[] = [null, 0, -1, 7, 1e308, -1e308, 2 ** 53 + 2, 0.5, 'NaN', 'Infinity', '-Infinity', '', 'x', '42', [], [null], [1, 'a'], [[]], {}, { message: 5, error: 3 }, true, false, REMOVE];

type Path = (string | number)[];
function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

/** `doc` with the value at `p` replaced (or removed); the root replaced gives the value itself. */
function mutate(doc: unknown, p: Path, value: unknown): unknown {
  if (p.length === 0) return value === REMOVE ? undefined : value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = p[p.length - 1];
  if (value !== REMOVE) parent[last] = value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

interface Target {
  file: string;
  /** The folder whose item must show the damage (the others must not change). */
  item: string;
  lines?: boolean;
  /** Only the run's own views read it (mapping, clusters, metrics): the Runs view and the Pareto view are not asked. */
  runOnly?: boolean;
  /** A run whose views read this folder-level file too (its details read compare.json). */
  run?: string;
}

const RUN_A = path.join(SWEEP, '20261202-102232-trannsformer-x16-j04');
const TARGETS: Target[] = [
  { file: path.join(SOLO, 'result.json'), item: SOLO },
  { file: path.join(SOLO, 'config.json'), item: SOLO },
  { file: path.join(SOLO, 'metrics.jsonl'), item: SOLO, lines: true, runOnly: true },
  { file: path.join(SOLO, 'evaluation.json'), item: SOLO },
  { file: path.join(SOLO, 'mapping.json'), item: SOLO, runOnly: true },
  { file: path.join(SOLO, 'clusters.json'), item: SOLO, runOnly: true },
  { file: path.join(COMPARE, 'compare.json'), item: COMPARE, run: path.join(COMPARE, '20261127-162125-trannsformer') },
  { file: path.join(COMPARE, '20261127-162125-pruning', 'result.json'), item: COMPARE },
  { file: path.join(SWEEP, 'sweep.json'), item: SWEEP },
  { file: path.join(SWEEP, 'pareto.json'), item: SWEEP },
  { file: path.join(SWEEP, 'job-j04.json'), item: SWEEP },
  { file: path.join(RUN_A, 'result.json'), item: SWEEP },
  { file: path.join(RUN_A, 'mapping.json'), item: SWEEP, runOnly: true },
  { file: path.join(RUN_A, 'clusters.json'), item: SWEEP, runOnly: true },
  { file: path.join(RUN_A, 'metrics.jsonl'), item: SWEEP, lines: true, runOnly: true },
];

/** One variant of a file's text: a JSON record with 1–3 fields confused, or a metrics log with a line confused. */
function variant(text: string, lines: boolean, r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  if (lines) {
    const ls = text.split('\n').filter((l) => l.trim());
    const i = Math.floor(r() * ls.length);
    const doc = JSON.parse(ls[i]) as unknown;
    const out = mutate(doc, pick(paths(doc)), pick(VALUES));
    ls[i] = out === undefined ? '' : JSON.stringify(out);
    return ls.join('\n') + '\n';
  }
  let doc = JSON.parse(text) as unknown;
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n && doc !== undefined; k++) doc = mutate(doc, pick(paths(doc)), pick(VALUES));
  return doc === undefined ? '' : JSON.stringify(doc);
}

/** Everything the Runs view shows of the runs folder, as text (items by folder). */
function runsViewText(root: string): Map<string, string> {
  const entries = runsModel.readRunsFolder(root);
  const groups = runsModel.groupByConfig(entries);
  const out = new Map<string, string>();
  for (const g of groups)
    for (const e of g.entries) {
      const dir = e.kind === 'run' ? e.record.dir : e.dir;
      const runs = e.kind === 'run' ? [e.record] : e.runs;
      const lines = runs.map((r) => `${JSON.stringify(runsModel.runRow(r, e.kind !== 'run'))} ${runsModel.runTooltip(r, false)} ${runsModel.describeRun(r)}`);
      const rows = e.kind === 'compare' && e.sweep ? runsModel.sweepPointRows(e.dir) : [];
      const summary = runsModel.pointStateSummary(rows);
      out.set(path.basename(dir), [g.name, JSON.stringify({ ...e, runs: undefined, record: undefined }), ...lines, ...rows.map((x) => x.description), summary].join('\n'));
    }
  return out;
}

/** Whether a view's error names the file that was confused (or its run folder, for a file of a run that cannot be read at all). */
const namesFile = (message: string, t: Target) => message.includes(path.basename(t.file)) || message.includes(path.basename(path.dirname(t.file)));

/** What the Run details webview draws without checking (it trusts the host): the shapes it reads. */
function detailsProblem(d: unknown): string | undefined {
  const x = d as { name?: unknown; layers?: unknown; metrics?: unknown[]; final?: { keptFraction?: unknown }; mapping?: { clusters?: unknown }; hardware?: Record<string, unknown> };
  if (typeof x.name !== 'string' || !Array.isArray(x.layers) || !Array.isArray(x.metrics)) return 'lacks name, layers or metrics';
  if (x.final && !Array.isArray(x.final.keptFraction)) return 'final.keptFraction is not a list';
  if (x.mapping && !Array.isArray(x.mapping.clusters)) return 'mapping.clusters is not a list';
  if (x.hardware && !('error' in x.hardware) && typeof x.hardware.area_mm2 !== 'number') return 'hardware has no area';
  if (x.metrics.length && !x.metrics.every((m) => Array.isArray((m as { keptFraction?: unknown }).keptFraction))) return 'a metrics record has no keptFraction';
  return undefined;
}

const detailsOf = (detailsModel as { detailsOf?: (dir: string, live: boolean) => unknown }).detailsOf;

test('the extension readers contain every type-confused record to its item (10,000+ seeded variants)', async () => {
  const root = makeRoot();
  const base = runsViewText(root);
  assert.equal(base.size, 3, 'the runs folder lists the sweep, the comparison and the run');
  const r = rng(20261202);
  const stats = { variants: 0, throws: 0, unnamed: 0, otherChanged: 0, rejectedByWebview: 0, damagedShown: 0 };
  const failures: string[] = [];
  const byReader = new Map<string, number>();
  const fail = (kind: keyof typeof stats, t: Target, what: string) => {
    stats[kind]++;
    const key = `${kind} ${what.split(/ threw| rejected| changed| does not/)[0]}`;
    byReader.set(key, (byReader.get(key) ?? 0) + 1);
    if (failures.length < 15) failures.push(`${t.file}: ${what}`);
  };
  const PER_TARGET = Math.ceil(10_000 / TARGETS.length);
  for (const t of TARGETS) {
    const file = path.join(root, t.file);
    const original = fs.readFileSync(file, 'utf8');
    const inGroup = path.basename(path.dirname(file)).endsWith('-compare') || path.basename(path.dirname(file)).endsWith('-sweep');
    const runDir = t.run ? path.join(root, t.run) : inGroup ? undefined : path.dirname(file);
    const itemDir = path.join(root, t.item);
    for (let k = 0; k < PER_TARGET; k++) {
      fs.writeFileSync(file, variant(original, t.lines === true, r));
      stats.variants++;
      const guard = async (name: string, fn: () => unknown) => {
        try {
          return await fn();
        } catch (e) {
          fail('throws', t, `${name} threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
          return undefined;
        }
      };
      const view = t.runOnly ? undefined : ((await guard('the Runs view', () => runsViewText(root))) as Map<string, string> | undefined);
      if (view) {
        for (const [name, text] of base) if (name !== t.item && view.get(name) !== text) fail('otherChanged', t, `${name} changed`);
        const mine = view.get(t.item) ?? '';
        if (/damaged/.test(mine)) {
          stats.damagedShown++;
          if (!namesFile(mine.slice(mine.indexOf('damaged')), t)) fail('unnamed', t, `damaged item does not name the file: ${mine.slice(mine.indexOf('damaged'), mine.indexOf('damaged') + 160)}`);
        }
      }
      if (!t.runOnly) await guard('sweep details', () => detailsModel.sweepDetailsOf(path.join(root, SWEEP)));
      if (!t.runOnly) await guard('deleting', () => runsModel.liveWork(itemDir));
      for (const sweepDir of t.runOnly ? [] : [undefined, path.join(root, SWEEP)]) {
        const pv = await guard('the Pareto view', () => readParetoView([root], sweepDir));
        if (pv !== undefined && typeof checkParetoView(pv) === 'string') fail('rejectedByWebview', t, `Pareto view rejected: ${checkParetoView(pv) as string}`);
      }
      if (!runDir) continue;
      if (detailsOf) {
        const d = await guard('Run details', () => detailsOf(runDir, false));
        const why = d === undefined ? undefined : detailsProblem(d);
        if (why) fail('rejectedByWebview', t, `Run details ${why}`);
      }
      await guard('the mapping title', () => mappingTitle(runDir));
      for (const [name, fn, check] of [
        ['mapping', () => mappingViewOf(runDir), checkMappingView],
        ['curves', () => curvesViewOf(runDir, false), checkCurvesView],
        ['curves (read asynchronously)', () => curvesViewAsync(runDir, false), checkCurvesView],
      ] as const) {
        try {
          const v = await fn();
          if (typeof check(v) === 'string') fail('rejectedByWebview', t, `${name} view rejected: ${check(v) as string}`);
        } catch (e) {
          // A panel shows a thrown Error's message: it must be one (not a TypeError) and name the file.
          if (!(e instanceof Error) || e.name !== 'Error' || !namesFile(e.message, t)) fail('throws', t, `${name} threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
        }
      }
    }
    fs.writeFileSync(file, original);
  }
  console.log(`extension readers fuzz: ${JSON.stringify(stats)} ${JSON.stringify(Object.fromEntries(byReader))}`);
  assert.ok(stats.variants >= 10_000);
  assert.deepEqual(failures, []);
  assert.equal(stats.throws + stats.unnamed + stats.otherChanged + stats.rejectedByWebview, 0);
  assert.ok(stats.damagedShown > 1000, 'a good share of the variants damage what the views use');
});
