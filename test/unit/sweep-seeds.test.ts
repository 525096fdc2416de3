/** Sweeps over several seeds: designs summarised over their seeds, paired losses, verdicts, the front of the means. Planted figures; nothing trains. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { planSweep } from '../../src/engine/experiment/sweepPlan';
import { computeFront, formatSweepTable } from '../../src/engine/experiment/sweep';
import type { SweepFigures, SweepJobRecord, SweepRecord } from '../../src/engine/format/sweep';

const fig = (testAccuracy: number, area_mm2: number, energy_uJ: number, mpes: number): SweepFigures => ({ testAccuracy, area_mm2, energy_uJ, mpes, utilisation: 0.5 });

function plan(seeds: number[]) {
  const loaded = loadConfigObject({
    name: 'seeds',
    dataset: { name: 'synthetic' },
    network: { layers: [64, 20, 4] },
    training: { epochs: 2 },
    sweep: { grid: { mode: ['original', 'trannsformer'], crossbar: [16, 32], seed: seeds }, accuracyLossLimit: 0.005 },
  });
  const p = planSweep(loaded);
  const rec = { format: 'trannsformer-sweep', formatVersion: 1, name: 'seeds', kind: 'sweep', points: p.points, jobs: p.jobs, objectives: p.objectives, accuracyLossLimit: p.accuracyLossLimit, sharing: p.sharing, status: 'running' } as unknown as SweepRecord;
  return { p, rec };
}

/** Planted figures per (mode, crossbar, seed): original 0.980/0.982/0.984; TraNNsformer at 16 loses 0.001/0.002/0.003 (within the spread), at 32 loses 0.010 each. */
function planted(mode: string, crossbar: number, seed: number): SweepFigures {
  const orig = [0.98, 0.982, 0.984][seed - 1];
  if (mode === 'original') return fig(orig, crossbar === 16 ? 4 : 3, 10, 40);
  if (crossbar === 16) return fig(orig - 0.001 * seed, 2 + 0.1 * seed, 5, 20 + seed);
  return fig(orig - 0.01, 1, 4, 12);
}

function priceAll(rec: SweepRecord, skip: (pointId: string) => boolean = () => false) {
  const jobs = new Map<string, SweepJobRecord | undefined>();
  for (const j of rec.jobs) {
    const priced: NonNullable<SweepJobRecord['priced']> = {};
    for (const id of j.pointIds) {
      const p = rec.points.find((q) => q.id === id)!;
      if (!skip(id)) priced[id] = planted(p.mode, p.crossbar, p.seed);
    }
    jobs.set(j.id, { jobId: j.id, status: 'completed', owner: { pid: 1 }, startedAt: '', priced });
  }
  return jobs;
}

test('designs over seeds: means, sample std, ranges, paired losses, verdicts; the front and the recommendation over the means', () => {
  const { rec } = plan([1, 2, 3]);
  const f = computeFront(rec, priceAll(rec));
  assert.equal(f.points.length, 12);
  assert.equal(f.designs?.length, 4);
  const d = (mode: string, x: number) => f.designs!.find((e) => e.mode === mode && e.crossbar === x)!;
  const t16 = d('trannsformer', 16);
  assert.deepEqual(t16.seeds, [1, 2, 3]);
  assert.equal(t16.done, 3);
  // Accuracies 0.979, 0.980, 0.981: mean 0.980, sample std 0.001.
  assert.ok(Math.abs(t16.testAccuracy!.mean - 0.98) < 1e-12);
  assert.ok(Math.abs(t16.testAccuracy!.std! - 0.001) < 1e-9);
  assert.deepEqual([t16.testAccuracy!.min, t16.testAccuracy!.max].map((v) => +v.toFixed(6)), [0.979, 0.981]);
  // Losses paired by seed: 0.001, 0.002, 0.003 → mean 0.002 — within the original's spread (std 0.002): no measurable loss.
  assert.ok(Math.abs(t16.accuracyLoss!.mean - 0.002) < 1e-12);
  assert.equal(t16.verdict?.kind, 'no-measurable-loss');
  assert.match(t16.verdict!.text, /no measurable loss \(−0\.20 pt, within the spread ±0\.20 pt over 3 seeds\)/);
  // At 32 the loss is 1 pt at every seed: beyond the spread.
  const t32 = d('trannsformer', 32);
  assert.equal(t32.verdict?.kind, 'loss');
  assert.match(t32.verdict!.text, /loss of 1\.00 pt/);
  assert.equal(t32.mpes!.std, 0);
  assert.equal(d('original', 16).verdict, undefined);
  // Front of the means (area, energy, accuracy): t32 (smallest), t16, and the originals (most accurate; o32 beats o16 on area).
  assert.deepEqual(f.designFront, [t32.id, t16.id, d('original', 32).id]);
  // Recommended: the lowest mean area × energy among designs within 0.5 pt mean loss: t16 (t32 loses 1 pt).
  assert.equal(f.recommendedDesign, t16.id);
  const text = formatSweepTable(f);
  assert.match(text, /over seeds 1, 2, 3: 4 designs/);
  assert.match(text, /recommended over seeds: d\d+ — trannsformer, 16×16/);
  assert.match(text, /98\.00 ± 0\.10%/);
});

test('a design with a seed not yet priced is shown but not recommended; one seed or no seed axis: no designs', () => {
  const { rec } = plan([1, 2, 3]);
  const t16 = rec.points.filter((p) => p.mode === 'trannsformer' && p.crossbar === 16);
  const f = computeFront(rec, priceAll(rec, (id) => id === t16[2].id));
  const d = f.designs!.find((e) => e.pointIds.includes(t16[0].id))!;
  assert.equal(d.done, 2);
  assert.notEqual(f.recommendedDesign, d.id);
  const one = plan([7]);
  assert.equal(computeFront(one.rec, priceAll(one.rec)).designs, undefined);
});
