/**
 * Hardware accuracy wherever software accuracy is shown: points.csv, the
 * sweep's point and design tables, and the HTML report (run headline,
 * comparison tables, the evaluation table) — each read from the record that
 * holds it, with planted known numbers, and an em dash (an empty CSV cell)
 * where a run or point has none.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { planSweep } from '../../src/engine/experiment/sweepPlan';
import { computeFront, formatSweepTable } from '../../src/engine/experiment/sweep';
import { pointsCsv } from '../../src/engine/store/sweepFolder';
import { compareReport, escapeHtml, runReport } from '../../src/engine/report/html';
import type { SweepFigures, SweepJobRecord, SweepRecord } from '../../src/engine/format/sweep';
import { tmpDir } from '../helpers/files';

/** A sweep over mode × crossbar (× seed) with planted figures; `chips` gives the points measured on chips. */
function front(seeds: number[], chips: (mode: string, crossbar: number, seed: number) => Partial<SweepFigures>) {
  const loaded = loadConfigObject({
    name: 'hw',
    dataset: { name: 'synthetic' },
    network: { layers: [64, 20, 4] },
    training: { epochs: 2 },
    sweep: { grid: { mode: ['original', 'trannsformer'], crossbar: [16, 32], ...(seeds.length > 1 ? { seed: seeds } : {}) }, objectives: ['area', 'energy', 'hwAccuracy'], accuracyLossLimit: 0.05 },
  });
  const p = planSweep(loaded);
  const rec = { format: 'trannsformer-sweep', formatVersion: 1, name: 'hw', kind: 'sweep', points: p.points, jobs: p.jobs, objectives: p.objectives, accuracyLossLimit: p.accuracyLossLimit, sharing: p.sharing, status: 'running' } as unknown as SweepRecord;
  const jobs = new Map<string, SweepJobRecord | undefined>();
  for (const j of rec.jobs) {
    const priced: NonNullable<SweepJobRecord['priced']> = {};
    for (const id of j.pointIds) {
      const pt = rec.points.find((q) => q.id === id)!;
      priced[id] = { testAccuracy: 0.98, snnAccuracy: 0.97, mpes: 10, utilisation: 0.5, area_mm2: pt.crossbar / 16, energy_uJ: 5, ...chips(pt.mode, pt.crossbar, pt.seed) };
    }
    jobs.set(j.id, { jobId: j.id, status: 'completed', owner: { pid: 1 }, startedAt: '', priced });
  }
  return computeFront(rec, jobs);
}

/** Measured on 3 chips at 16×16 only: 0.9512 ± 0.0034, 0.9475–0.9540. */
const at16 = (_mode: string, crossbar: number): Partial<SweepFigures> =>
  crossbar === 16 ? { hwAccuracy: 0.9512, hwAccuracySpread: { std: 0.0034, min: 0.9475, max: 0.954, chips: 3 }, machine: 'adc' } : {};

test('points.csv: hw_accuracy with its std, min, max and chips, and the machine; empty cells where a point was not measured', () => {
  const f = front([], at16);
  const [head, ...lines] = pointsCsv(f).trim().split('\n').map((l) => l.split(','));
  for (const c of ['hw_accuracy', 'hw_accuracy_std', 'hw_accuracy_min', 'hw_accuracy_max', 'hw_chips', 'machine']) assert.ok(head.includes(c), `column ${c}`);
  const col = (line: string[], c: string) => line[head.indexOf(c)];
  assert.equal(lines.length, 4);
  for (const line of lines) {
    const x = Number(col(line, 'crossbar'));
    assert.deepEqual(
      ['hw_accuracy', 'hw_accuracy_std', 'hw_accuracy_min', 'hw_accuracy_max', 'hw_chips', 'machine'].map((c) => col(line, c)),
      x === 16 ? ['0.9512', '0.0034', '0.9475', '0.954', '3', 'adc'] : ['', '', '', '', '', ''],
      `crossbar ${x}`,
    );
    assert.equal(col(line, 'test_accuracy'), '0.98');
  }
});

test('the points table: chip accuracy mean ± std and min–max, "—" where not measured; one chip has no std', () => {
  const text = formatSweepTable(front([], at16));
  assert.match(text, /chip acc \(mean ± std\)\s+chip min–max/);
  assert.match(text, /95\.12% ± 0\.34\s+94\.75–95\.40%/);
  const row32 = text.split('\n').find((l) => /\btrannsformer\s+32\b/.test(l))!;
  assert.match(row32, /98\.00%\s+—\s+97\.00%\s+—\s+—/, row32);
  assert.match(text, /\(ADC machine\)/);
  const one = formatSweepTable(front([], (_m, x) => (x === 16 ? { hwAccuracy: 0.9, hwAccuracySpread: { min: 0.9, max: 0.9, chips: 1 } } : {})));
  assert.match(one, / 90\.00%\s+90\.00–90\.00%/);
  assert.doesNotMatch(one, /± —/);
});

test('the design table over seeds: chip accuracy over the seeds\' chip means, mean ± std and min–max; "—" for designs without', () => {
  // Seeds 1, 2, 3 at 16×16: chip means 0.90, 0.92, 0.94 → 92.00 ± 2.00%, 90.00–94.00%.
  const f = front([1, 2, 3], (_m, x, seed) => (x === 16 ? { hwAccuracy: 0.88 + 0.02 * seed, hwAccuracySpread: { std: 0.01, min: 0.8, max: 0.99, chips: 2 } } : {}));
  const text = formatSweepTable(f);
  const designs = text.slice(text.indexOf('over seeds'));
  assert.match(designs, /test acc \(mean ± std\)\s+chip acc \(mean ± std\)\s+chip min–max/);
  const row = (mode: string, x: number) => designs.split('\n').find((l) => new RegExp(`\\b${mode}\\s+${x}\\b`).test(l))!;
  assert.match(row('trannsformer', 16), /98\.00 ± 0\.00%\s+92\.00 ± 2\.00%\s+90\.00–94\.00%/, row('trannsformer', 16));
  assert.match(row('original', 32), /98\.00 ± 0\.00%\s+—\s+—/, row('original', 32));
});

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'report-compare');
const RUNS = ['20261127-162125-original', '20261127-162125-pruning', '20261127-162125-trannsformer'];
const editJson = (file: string, f: (v: Record<string, unknown>) => void) => {
  const v = JSON.parse(fs.readFileSync(file, 'utf8'));
  f(v);
  fs.writeFileSync(file, JSON.stringify(v));
};
/** The trannsformer run measured on 5 chips: 97.10 ± 0.20%, 96.90–97.30%; the preset's name planted with markup. */
const EVIL_PRESET = '<b>x</b>&"';
function plantChips(dir: string): string {
  const run = path.join(dir, RUNS[2]);
  editJson(path.join(run, 'result.json'), (r) => {
    const hw = r.hardware as Record<string, unknown>;
    hw.preset = EVIL_PRESET;
    hw.hardwareAccuracy = { softwareAccuracy: 0.98, mean: 0.971, std: 0.002, min: 0.969, max: 0.973, chips: 5, claimedCrossbar: 64, lossLimit: 0.005 };
  });
  return run;
}
function copyFixture(): string {
  const dir = path.join(tmpDir(), 'hw-compare');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}
const cells = (doc: string, firstCell: string) => {
  const row = [...doc.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => m[1]).find((r) => r.startsWith(`<td>${firstCell}</td>`));
  return row ? [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]) : undefined;
};

test('the run report headline: hardware accuracy with its spread, chips, preset (escaped) and size; "—" for a run without', () => {
  const dir = copyFixture();
  assert.deepEqual(cells(runReport(path.join(dir, RUNS[0])), 'hardware accuracy (chips)'), ['hardware accuracy (chips)', '—']);
  const doc = runReport(plantChips(dir));
  assert.deepEqual(cells(doc, 'hardware accuracy (chips)'), ['hardware accuracy (chips)', `97.10 ± 0.20% (96.90–97.30%) on 5 chips, ${escapeHtml(EVIL_PRESET)} at 16×16`]);
  assert.ok(!doc.includes(EVIL_PRESET), 'the preset name is escaped');
});

test('the comparison report: a hardware-accuracy column read from each run\'s result.json, "—" for runs without; none when no run has it', () => {
  const dir = copyFixture();
  const plain = compareReport(dir);
  assert.doesNotMatch(plain, /hw acc/);
  plantChips(dir);
  const doc = compareReport(dir);
  const heads = [...doc.matchAll(/<thead><tr>(.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<th>(.*?)<\/th>/g)].map((h) => h[1]));
  const main = heads.find((h) => h[0] === 'mode' && h.includes('Δ acc'))!;
  const spiking = heads.find((h) => h[0] === 'mode' && h.includes('SNN acc'))!;
  assert.equal(main[main.indexOf('hw acc (chips)') - 1], 'test acc');
  assert.equal(spiking[spiking.indexOf('hw acc (chips)') - 1], 'SNN acc');
  // Both tables: the trannsformer row has the planted figures, the others a dash (first the main table's rows, then the spiking table's).
  const rows = [...doc.matchAll(/<tr><td>(original|pruning|trannsformer)<\/td>(.*?)<\/tr>/g)];
  const hwOf = (r: RegExpMatchArray, head: string[]) => [...`<td>${r[1]}</td>${r[2]}`.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1])[head.indexOf('hw acc (chips)')];
  const main3 = rows.slice(0, 3).map((r) => [r[1], hwOf(r, main)]);
  const spiking3 = rows.slice(3, 6).map((r) => [r[1], hwOf(r, spiking)]);
  const want = [['original', '—'], ['pruning', '—'], ['trannsformer', '97.10 ± 0.20% (96.90–97.30%)']];
  assert.deepEqual(main3, want);
  assert.deepEqual(spiking3, want);
});

test('the evaluation table: hardware accuracy per preset and size from evaluation.json (escaped), "—" at sizes not measured', () => {
  const dir = copyFixture();
  const run = path.join(dir, RUNS[2]);
  let preset = '';
  editJson(path.join(run, 'evaluation.json'), (e) => {
    const results = e.results as Record<string, unknown>[];
    preset = String(results[0].preset);
    results.push({ ...results[0], crossbarSize: 32 });
    e.hardwareAccuracy = {
      softwareAccuracy: 0.8, images: 100, chips: 2, lossLimit: 0.005, off: [], solverTolerance: 1e-9, reliable: [], notes: [],
      results: [{ preset, crossbarSize: results[0].crossbarSize, chipSeeds: [1, 2], perChip: [0.7, 0.74], accuracy: { n: 2, mean: 0.72, std: 0.0283, min: 0.7, max: 0.74 }, loss: -0.08 }],
    };
  });
  const doc = runReport(run);
  assert.match(doc, /Hardware accuracy on 2 simulated chips against 80\.00% in software/);
  const rows = [...doc.matchAll(/<tr><td>([^<]*)<\/td>(.*?)<\/tr>/g)].filter((m) => m[1] === preset).map((m) => [...m[2].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => [r[0], r[2]]), [['16×16', '72.00 ± 2.83% (70.00–74.00%)'], ['32×32', '—']]);
  // Without a hardware-accuracy record, no such column.
  assert.doesNotMatch(runReport(path.join(dir, RUNS[0])), /hw acc \(chips\)/);
});
