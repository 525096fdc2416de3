/** The Runs tree's sweep nodes: invalid designs marked, ids that survive a refresh. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pointStateSummary, readRunsFolder, sweepPointRows, treeIds } from '../../src/extension/runsModel';
import { restoredSelection, sweepDetailsOf } from '../../src/extension/detailsModel';
import { readFront } from '../../src/engine/store/sweepFolder';
import { createSweepDir, thisProcess, writeFront, writeJobRecord, writeSweep } from '../../src/engine/store/sweepFolder';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { planSweep } from '../../src/engine/experiment/sweepPlan';
import { computeFront } from '../../src/engine/experiment/sweep';
import { tmpDir } from '../helpers/files';
import type { SweepJobRecord, SweepRecord } from '../../src/engine/format/sweep';

function sweepFolder() {
  const root = tmpDir();
  const loaded = loadConfigObject({
    name: 'synth',
    dataset: { name: 'synthetic' },
    network: { layers: [64, 20, 4] },
    training: { epochs: 2 },
    sweep: { grid: { crossbar: [32, 128], mode: ['original', 'trannsformer'] } },
  });
  const plan = planSweep(loaded);
  const dir = createSweepDir(root, 'synth', 'sweep');
  const rec = { format: 'trannsformer-sweep', formatVersion: 1, name: 'synth', kind: 'sweep', points: plan.points, jobs: plan.jobs, objectives: plan.objectives, accuracyLossLimit: 0.5, sharing: plan.sharing, status: 'running' } as unknown as SweepRecord;
  writeSweep(dir, rec);
  writeFront(dir, computeFront(rec, new Map()));
  return { root, dir, rec, plan };
}

/** Complete a job: each of its points priced, those at 128×128 with the pricing's warning. */
function complete(dir: string, rec: SweepRecord, records: Map<string, SweepJobRecord>, jobIndex: number) {
  const job = rec.jobs[jobIndex];
  const priced = Object.fromEntries(
    job.pointIds.map((id) => {
      const p = rec.points.find((x) => x.id === id)!;
      const fig = { testAccuracy: 0.9, mpes: 3, utilisation: 0.5, area_mm2: 0.12, energy_uJ: 0.3 };
      return [id, p.crossbar > 64 ? { ...fig, warnings: [`${p.crossbar}×${p.crossbar} exceeds ${p.preset}'s largest reliable crossbar (64×64)`] } : fig];
    }),
  );
  const r: SweepJobRecord = { jobId: job.id, status: 'completed', owner: thisProcess(), startedAt: new Date().toISOString(), priced };
  writeJobRecord(dir, r);
  records.set(job.id, r);
  writeFront(dir, computeFront(rec, records));
}

test('a done point priced beyond its preset\'s reliable crossbar is marked invalid (description, warnings, summary); others are not', () => {
  const { dir, rec } = sweepFolder();
  const records = new Map<string, SweepJobRecord>();
  rec.jobs.forEach((_, i) => complete(dir, rec, records, i));
  const rows = sweepPointRows(dir);
  const big = rows.filter((r) => / 128×128 /.test(r.label));
  const small = rows.filter((r) => / 32×32 /.test(r.label));
  assert.ok(big.length > 0 && small.length > 0);
  for (const r of big) {
    assert.equal(r.state, 'done');
    assert.match(r.description, /invalid/);
    assert.match(r.warnings?.[0] ?? '', /exceeds .* largest reliable crossbar/);
    assert.doesNotMatch(r.description, /recommended/, 'an invalid design is never recommended');
  }
  for (const r of small) {
    assert.equal(r.warnings, undefined);
    assert.doesNotMatch(r.description, /invalid/);
  }
  assert.match(pointStateSummary(rows), new RegExp(`^${rows.length} done · ${big.length} invalid$`));
});

test('tree ids stay the same while a sweep progresses (labels change), and are unique', () => {
  const { root, dir, rec } = sweepFolder();
  const before = readRunsFolder(root)[0];
  const rowsBefore = sweepPointRows(dir);
  const records = new Map<string, SweepJobRecord>();
  complete(dir, rec, records, 0);
  const after = readRunsFolder(root)[0];
  const rowsAfter = sweepPointRows(dir);
  assert.ok(before.kind === 'compare' && after.kind === 'compare');
  assert.notDeepEqual(before.sweep, after.sweep, 'the sweep node\'s figures (and label) changed');
  assert.equal(treeIds.entry(after), treeIds.entry(before));
  assert.notDeepEqual(rowsAfter.map((r) => r.description), rowsBefore.map((r) => r.description));
  assert.deepEqual(rowsAfter.map((r) => r.treeId), rowsBefore.map((r) => r.treeId));
  const ids = [treeIds.group('synth'), treeIds.entry(after), treeIds.points(dir), ...rowsAfter.map((r) => r.treeId), treeIds.run(dir)];
  assert.equal(new Set(ids).size, ids.length, 'every id differs');
});

test('a selected sweep shows its pareto.json summary in Run details: points, done, failed, invalid, the recommended design', () => {
  const { root, dir, rec } = sweepFolder();
  assert.deepEqual(sweepDetailsOf(dir), { dir, name: 'synth', done: 0, failed: 0, planned: rec.points.length, invalid: 0, accuracyLossLimit: 0.5, noRecommendation: readFront(dir)!.noRecommendation });
  const records = new Map<string, SweepJobRecord>();
  rec.jobs.forEach((_, i) => complete(dir, rec, records, i));
  const front = readFront(dir)!;
  const d = sweepDetailsOf(dir)!;
  assert.equal(d.done, front.done);
  assert.equal(d.planned, front.planned);
  assert.equal(d.invalid, front.points.filter((p) => p.figures?.warnings?.length).length);
  assert.ok(d.invalid > 0);
  assert.ok(front.recommended, 'pareto.json recommends a design');
  const rp = front.points.find((p) => p.id === front.recommended)!;
  assert.deepEqual(d.recommended, { id: rp.id, label: `${rp.mode} ${rp.crossbar}×${rp.crossbar} ${rp.preset}`, testAccuracy: rp.figures!.testAccuracy, accuracyLoss: rp.accuracyLoss, mpes: rp.figures!.mpes, area_mm2: rp.figures!.area_mm2, energy_uJ: rp.figures!.energy_uJ });
  assert.equal(sweepDetailsOf(root), undefined, 'not a sweep folder');
});

test('the details selection comes back after a reload only if it still names a folder inside the runs folders', () => {
  const { root, dir } = sweepFolder();
  assert.equal(restoredSelection(dir, [root]), dir);
  assert.equal(restoredSelection(path.join(root, 'gone'), [root]), undefined);
  assert.equal(restoredSelection(dir, ['/elsewhere']), undefined);
  assert.equal(restoredSelection(42, [root]), undefined);
  assert.equal(restoredSelection(undefined, [root]), undefined);
});
