/**
 * A comparison over several seeds: the statistics (mean, sample standard
 * deviation, min–max, differences paired by seed), the verdict's wording
 * (a difference within the spread is "no measurable loss", never a win),
 * the text table, the HTML report's table over seeds, and the seeds a
 * comparison takes from the flag or the config. All on planted numbers.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { accuracyVerdict, spreadOf, summarizeCompare } from '../../src/engine/experiment/compareStats';
import { compareSeeds, formatCompareTable } from '../../src/engine/experiment/compare';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { compareReport } from '../../src/engine/report/html';
import type { CompareResult, CompareRow } from '../../src/engine/format/compare';
import { tmpDir } from '../helpers/files';

const close = (a: number | undefined, b: number, tol = 1e-12) => assert.ok(a !== undefined && Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

test('spreadOf: mean, sample standard deviation (n − 1), min and max; one value has no std; non-numbers are skipped', () => {
  const s = spreadOf([1, 2, 3, 4])!;
  assert.equal(s.n, 4);
  close(s.mean, 2.5);
  close(s.std, Math.sqrt(5 / 3)); // the population std would be √1.25
  assert.equal(s.min, 1);
  assert.equal(s.max, 4);
  const one = spreadOf([0.97, undefined, Number.NaN])!;
  assert.equal(one.n, 1);
  assert.equal(one.std, undefined);
  assert.equal(spreadOf([undefined]), undefined);
});

test('accuracyVerdict: within the spread is no measurable loss in either direction; beyond it a loss or a gain; one seed says the spread is unknown', () => {
  const within = accuracyVerdict(-0.0005, 0.0008, 3);
  assert.equal(within.kind, 'no-measurable-loss');
  assert.match(within.text, /^no measurable loss \(−0\.05 pt, within the spread ±0\.08 pt over 3 seeds\)$/);
  // A higher mean inside the noise is not a win.
  const up = accuracyVerdict(0.0006, 0.0008, 3);
  assert.equal(up.kind, 'no-measurable-loss');
  assert.doesNotMatch(up.text, /gain|win|above|better/);
  // Exactly the spread: still not measurable.
  assert.equal(accuracyVerdict(-0.0008, 0.0008, 3).kind, 'no-measurable-loss');
  const loss = accuracyVerdict(-0.007, 0.0004, 3);
  assert.equal(loss.kind, 'loss');
  assert.equal(loss.text, 'loss of 0.70 pt (beyond the spread ±0.04 pt over 3 seeds)');
  assert.equal(accuracyVerdict(0.003, 0.001, 3).kind, 'gain');
  const single = accuracyVerdict(-0.007, undefined, 1);
  assert.equal(single.kind, 'single-seed');
  assert.match(single.text, /^−0\.70 pt \(1 seed: spread unknown/);
  assert.equal(accuracyVerdict(undefined, 0.001, 3).kind, 'unavailable');
});

function row(mode: CompareRow['mode'], seed: number, acc: number, mpes: number, status: CompareRow['status'] = 'completed'): CompareRow {
  return { mode, seed, status, runDir: `/x/${mode}-s${seed}`, testAccuracy: acc, mpes, seconds: 1 };
}

/** The quick network's numbers before this work: original 97.94/97.92/97.88, TraNNsformer 97.22/97.18/97.07. */
const PLANTED: CompareRow[] = [
  row('original', 1, 0.9794, 95),
  row('original', 2, 0.9792, 95),
  row('original', 3, 0.9788, 95),
  row('pruning', 1, 0.9786, 75),
  row('pruning', 2, 0.979, 74),
  row('pruning', 3, 0.9789, 77),
  row('trannsformer', 1, 0.9722, 44),
  row('trannsformer', 2, 0.9718, 44),
  row('trannsformer', 3, 0.9707, 45),
];

test('summarizeCompare: spreads per mode, Δ paired by seed, verdicts, reductions of the mean mPEs', () => {
  const [o, p, t] = summarizeCompare(PLANTED);
  assert.deepEqual([o.mode, p.mode, t.mode], ['original', 'pruning', 'trannsformer']);
  assert.deepEqual(t.seeds, [1, 2, 3]);
  assert.equal(t.completed, 3);
  close(o.testAccuracy!.mean, (0.9794 + 0.9792 + 0.9788) / 3);
  close(o.testAccuracy!.std, 0.000305505, 1e-9);
  assert.equal(o.verdict.kind, 'reference');
  // Pruning: −0.03 pt mean, inside the ±0.03 pt spread → no measurable loss.
  close(p.deltaAccuracy!.mean, (-0.0008 - 0.0002 + 0.0001) / 3);
  assert.equal(p.verdict.kind, 'no-measurable-loss');
  // TraNNsformer: −0.76 pt, far beyond the spread.
  close(t.deltaAccuracy!.mean, (-0.0072 - 0.0074 - 0.0081) / 3);
  close(t.deltaAccuracy!.min, -0.0081);
  assert.equal(t.verdict.kind, 'loss');
  assert.match(t.verdict.text, /^loss of 0\.76 pt/);
  close(t.mpes!.mean, 133 / 3);
  assert.equal(t.mpes!.min, 44);
  assert.equal(t.mpes!.max, 45);
  close(t.reductionVsOriginal, 1 - 133 / 3 / 95);
  close(t.reductionVsPruning, 1 - 133 / 226);
});

test('summarizeCompare: a failed run is left out of the spreads and of the pairing', () => {
  const rows = [...PLANTED.slice(0, 6), row('trannsformer', 1, 0.9722, 44), row('trannsformer', 2, 0.5, 1, 'failed'), row('trannsformer', 3, 0.9707, 45)];
  const t = summarizeCompare(rows)[2];
  assert.equal(t.completed, 2);
  assert.deepEqual(t.seeds, [1, 2, 3]);
  assert.equal(t.testAccuracy!.min, 0.9707);
  assert.equal(t.deltaAccuracy!.n, 2);
});

test('formatCompareTable over seeds: mean ± std, min–max and the verdict per mode, then every run with its seed', () => {
  const c: CompareResult = { name: 'quick', crossbarSize: 64, epochs: 20, seeds: [1, 2, 3], rows: PLANTED, summary: summarizeCompare(PLANTED), dir: '/x' };
  const text = formatCompareTable(c);
  const line = (mode: string) => text.split('\n').find((l) => l.startsWith(mode) && l.includes('±'))!;
  assert.match(line('original'), /97\.91 ± 0\.03%\s+97\.88–97\.94%/);
  assert.match(line('trannsformer'), /97\.16 ± 0\.08%\s+97\.07–97\.22%\s+−0\.76 ± 0\.05 pt\s+44\.3 ± 0\.6\s+44–45/);
  assert.match(line('trannsformer'), /loss of 0\.76 pt/);
  assert.match(line('pruning'), /no measurable loss/);
  assert.match(text, /over 3 seeds \(1, 2, 3\): mean ± sample standard deviation, and min–max/);
  // Per run: Δ against the original of the same seed.
  assert.ok(text.split('\n').some((l) => /^trannsformer\s+3\s+97\.07%\s+-0\.81 pt/.test(l)), text);
  // A record written before seeds (no summary, no seed): one table, the single-seed wording.
  const old: CompareResult = { name: 'q', crossbarSize: 64, epochs: 20, rows: PLANTED.filter((r) => r.seed === 1).map(({ seed: _seed, ...r }) => r), dir: '/x' };
  const oldText = formatCompareTable(old);
  assert.doesNotMatch(oldText, /±/);
  assert.match(oldText, /trannsformer: −0\.72 pt \(1 seed: spread unknown/);
});

test('compareSeeds: the flag, else compare.seeds, else training.seed; an empty or repeated list is refused', () => {
  const base = { dataset: { name: 'synthetic' }, network: { layers: [64, 8, 4] }, training: { epochs: 2, seed: 7 } };
  assert.deepEqual(compareSeeds(loadConfigObject(base).config), [7]);
  const withSeeds = loadConfigObject({ ...base, compare: { seeds: [1, 2, 3] } }).config;
  assert.deepEqual(compareSeeds(withSeeds), [1, 2, 3]);
  assert.deepEqual(compareSeeds(withSeeds, [4, 5]), [4, 5]);
  assert.throws(() => compareSeeds(withSeeds, [4, 4]), /--seeds.*twice/s);
  assert.throws(() => compareSeeds(withSeeds, []), /--seeds.*at least one/s);
  // The schema refuses a repeated seed and an unknown field of the section.
  assert.throws(() => loadConfigObject({ ...base, compare: { seeds: [1, 1] } }), /compare\.seeds/);
  assert.throws(() => loadConfigObject({ ...base, compare: { seed: [1] } }), /compare/);
});

test('the HTML report of a comparison over seeds shows the table over seeds and the verdicts', () => {
  // The report fixture's three runs, relabelled as runs of two seeds.
  const dir = path.join(tmpDir(), 'x-compare');
  fs.cpSync(path.join(__dirname, '..', 'fixtures', 'report-compare'), dir, { recursive: true });
  const file = path.join(dir, 'compare.json');
  const c = JSON.parse(fs.readFileSync(file, 'utf8')) as CompareResult;
  c.rows[0].seed = 1;
  c.rows[1].seed = 1;
  c.rows[2].seed = 2;
  c.seeds = [1, 2];
  c.summary = summarizeCompare(PLANTED);
  fs.writeFileSync(file, JSON.stringify(c));
  const doc = compareReport(dir);
  assert.match(doc, /<h2>Over seeds<\/h2>/);
  assert.match(doc, /97\.16 ± 0\.08%/);
  assert.match(doc, /−0\.76 ± 0\.05 pt/);
  assert.match(doc, /loss of 0\.76 pt/);
  assert.match(doc, /no measurable loss/);
  assert.match(doc, /<td>trannsformer s2<\/td>/);
});
