/** Sweep planning (points, shared trainings, references, budget, bad specs) and the front of a sweep record. Pure: nothing trains. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { planSweep, expandAxes, axisPath, trainingKey } from '../../src/engine/experiment/sweepPlan';
import { computeFront, formatSweepTable } from '../../src/engine/experiment/sweep';
import { pointsCsv } from '../../src/engine/store/sweepFolder';
import type { SweepJobRecord, SweepRecord } from '../../src/engine/format/sweep';

const base = (sweep: unknown) => ({
  name: 'synth',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 200, testSize: 100 } },
  network: { layers: [48, 40, 5] },
  training: { epochs: 10 },
  backend: 'wasm',
  sweep,
});

test('original and pruning train once for every crossbar and preset; TraNNsformer once per crossbar', () => {
  const loaded = loadConfigObject(base({ grid: { crossbar: [16, 32, 64], mode: ['original', 'pruning', 'trannsformer'], preset: ['resparc-45nm', 'puma-32nm'] } }));
  const plan = planSweep(loaded, { threads: 1 });
  assert.equal(plan.points.length, 18);
  assert.equal(plan.jobs.length, 1 + 1 + 3);
  const modeOf = (jobId: string) => plan.points.find((p) => p.jobId === jobId)!.mode;
  for (const j of plan.jobs) {
    const pts = plan.points.filter((p) => p.jobId === j.id);
    assert.deepEqual(j.pointIds, pts.map((p) => p.id));
    if (modeOf(j.id) === 'trannsformer') {
      assert.equal(pts.length, 2);
      assert.equal(new Set(pts.map((p) => p.crossbar)).size, 1);
    } else assert.equal(pts.length, 6);
    // The job trains with its first point's overrides, its own name and the budget's threads.
    assert.deepEqual(j.overrides.find((o) => o.path.join('.') === 'training.workers')?.value, 1);
    assert.ok(j.overrides.some((o) => o.path[0] === 'name' && o.value === j.name));
  }
  // References: the original at the same size and preset.
  for (const p of plan.points) {
    const ref = plan.points.find((q) => q.id === p.referenceId)!;
    assert.equal(ref.mode, 'original');
    assert.equal(ref.crossbar, p.crossbar);
    assert.equal(ref.preset, p.preset);
  }
  assert.equal(plan.sharing.trainingsSaved, 13);
  assert.match(plan.sharing.notes.join('\n'), /trains once for 6 points/);
  // The three TraNNsformer trainings differ only in the crossbar size, which acts from clusterStart (2 of 10 epochs): they fork.
  assert.equal(plan.sharing.checkpointForking, true);
  const tj = plan.jobs.filter((j) => modeOf(j.id) === 'trannsformer');
  const parent = tj.find((j) => j.fork?.role === 'parent')!;
  assert.deepEqual(parent.fork, { role: 'parent', epoch: 1, crossbars: [16, 32, 64], children: tj.filter((j) => j !== parent).map((j) => j.id) });
  for (const c of tj.filter((j) => j !== parent)) assert.deepEqual(c.fork, { role: 'child', parent: parent.id, epoch: 1 });
  assert.equal(plan.sharing.epochsSaved, 2);
  // Parents run first and children last.
  assert.ok(plan.jobs.indexOf(parent) < Math.min(...tj.filter((j) => j !== parent).map((j) => plan.jobs.indexOf(j))));
  assert.equal(plan.jobs[plan.jobs.length - 1].fork?.role, 'child');
  // Planning twice gives the same fingerprint; another spec another.
  assert.equal(planSweep(loaded, { threads: 2 }).fingerprint, plan.fingerprint);
  assert.notEqual(planSweep(loadConfigObject(base({ grid: { crossbar: [16, 32], mode: ['original'] } }))).fingerprint, plan.fingerprint);
});

test('pruning settings split pruning trainings but not original ones; epochs change every training', () => {
  const plan = planSweep(loadConfigObject(base({ grid: { mode: ['original', 'pruning'], pruneRateScale: [0.001, 0.002], epochs: [5, 10] } })));
  assert.equal(plan.points.length, 8);
  // original: one per epoch count; pruning: per epochs × scale.
  assert.equal(plan.jobs.length, 2 + 4);
  const a = loadConfigObject(base(undefined), undefined, [{ path: ['transform', 'crossbar'], value: 16, source: 't' }]).config;
  const b = loadConfigObject(base(undefined), undefined, [{ path: ['transform', 'crossbar'], value: 32, source: 't' }, { path: ['hardware', 'preset'], value: 'puma-32nm', source: 't' }]).config;
  assert.equal(trainingKey(a), trainingKey(b));
  const c = loadConfigObject(base(undefined), undefined, [{ path: ['training', 'learningRate'], value: 0.2, source: 't' }]).config;
  assert.notEqual(trainingKey(a), trainingKey(c));
});

test('random samples are seeded, in range, and crossed with the grid; dotted paths reach numeric fields', () => {
  const spec = { grid: { mode: ['pruning', 'trannsformer'] }, random: { samples: 5, seed: 7, ranges: { 'training.learningRate': { min: 0.01, max: 1, log: true }, partitions: { min: 1, max: 4, integer: true }, crossbar: { values: [16, 32] } } } };
  const a = expandAxes(spec as never);
  const b = expandAxes(spec as never);
  assert.equal(a.length, 10);
  assert.deepEqual(a, b);
  for (const combo of a) {
    const lr = combo.find((x) => x.axis === 'training.learningRate')!.value as number;
    assert.ok(lr >= 0.01 && lr <= 1);
    const parts = combo.find((x) => x.axis === 'partitions')!.value as number;
    assert.ok(Number.isInteger(parts) && parts >= 1 && parts <= 4);
    assert.ok([16, 32].includes(combo.find((x) => x.axis === 'crossbar')!.value as number));
  }
  assert.notDeepEqual(expandAxes({ ...spec, random: { ...spec.random, seed: 8 } } as never), a);
  assert.deepEqual(axisPath('transform.pruneRates.1', 'x'), ['transform', 'pruneRates', 1]);
});

test('bad specs fail with what and where', () => {
  const err = (sweep: unknown, re: RegExp) => assert.throws(() => planSweep(loadConfigObject(base(sweep))), re);
  // Refused when the config is read, with the editor's codes (config/checks.ts), before any planning.
  err({ grid: { 'training.nope': [1, 2] } }, /sweep\.grid\["training\.nope"\]: "training\.nope" is not a config field .*\[sweep\.unknown-axis\]/);
  err({ grid: { 'dataset.name': [1] } }, /is not a numeric field/);
  err({ grid: { crossbar: [16, 32, 64], mode: ['original', 'pruning'] }, maxPoints: 5 }, /sweep\.grid: plans 6 points, more than the budget of 5.*\[sweep\.too-many-points\]/);
  // The planner refuses the same on its own (a spec given in code, not through a config).
  assert.throws(() => axisPath('training.nope', 'sweep.grid.training.nope'), /sweep\.grid\.training\.nope: "training\.nope" is not a config field/);
  err({ grid: { 'training.learningRate': [-1] } }, /training\.learningRate.*set by sweep axis training\.learningRate/);
  err({ random: { samples: 2, ranges: { 'training.momentum': { min: 0.5, max: 0.1 } } } }, /sweep\.random\.ranges\.training\.momentum: min \(0\.5\) must not exceed max/);
  assert.throws(() => planSweep(loadConfigObject(base(undefined))), /has no "sweep" section/);
  // The schema holds the section's shape too.
  assert.throws(() => loadConfigObject(base({ grid: { crossbar: [4] } })), /sweep\.grid\.crossbar\[0\]/);
  assert.throws(() => loadConfigObject(base({ objectives: ['speed'] })), /sweep\.objectives\[0\]/);
});

test('the front: non-dominated points, accuracy loss against the original, the lowest area × energy within the limit', () => {
  const plan = planSweep(loadConfigObject(base({ grid: { crossbar: [16, 32], mode: ['original', 'pruning', 'trannsformer'] }, accuracyLossLimit: 0.01 })));
  const rec = { name: 'synth', points: plan.points, jobs: plan.jobs, objectives: plan.objectives, accuracyLossLimit: plan.accuracyLossLimit, sharing: plan.sharing } as SweepRecord;
  // Figures by point: [accuracy, area, energy].
  const fig: Record<string, [number, number, number]> = {};
  for (const p of plan.points) {
    const x = p.crossbar === 16 ? 1 : 0.8;
    fig[p.id] = p.mode === 'original' ? [0.9, 2 * x, 2 * x] : p.mode === 'pruning' ? [0.895, 1.5 * x, 1.5 * x] : [0.85, 1 * x, 1 * x];
  }
  const jobs = new Map<string, SweepJobRecord | undefined>();
  for (const j of plan.jobs) {
    const priced = Object.fromEntries(j.pointIds.map((id) => [id, { testAccuracy: fig[id][0], snnAccuracy: fig[id][0], mpes: 1, utilisation: 1, area_mm2: fig[id][1], energy_uJ: fig[id][2] }]));
    jobs.set(j.id, { jobId: j.id, status: 'completed', owner: { pid: 1 }, startedAt: '', priced });
  }
  // One trannsformer training failed: its point is recorded with the error, the rest stand.
  const trn32 = plan.points.find((p) => p.mode === 'trannsformer' && p.crossbar === 32)!;
  jobs.set(trn32.jobId, { jobId: trn32.jobId, status: 'failed', owner: { pid: 1 }, startedAt: '', error: { message: 'boom' } });
  const f = computeFront(rec, jobs);
  const byKey = (mode: string, x: number) => f.points.find((p) => p.mode === mode && p.crossbar === x)!;
  assert.equal(byKey('trannsformer', 32).status, 'failed');
  assert.equal(byKey('trannsformer', 32).error, 'boom');
  assert.equal(byKey('trannsformer', 32).rank, undefined);
  // On the front: trannsformer@16 (smallest of what finished, least accurate), pruning@32, original@32 (most accurate).
  assert.deepEqual(new Set(f.front), new Set([byKey('trannsformer', 16).id, byKey('pruning', 32).id, byKey('original', 32).id]));
  assert.ok(Math.abs(byKey('pruning', 32).accuracyLoss! - 0.005) < 1e-12);
  // Trannsformer loses 5 points: beyond the limit. Pruning at 32 has the lowest area × energy within it.
  assert.equal(f.recommended, byKey('pruning', 32).id);
  assert.equal(f.done, 6);
  // A point priced beyond its preset's largest reliable crossbar is never recommended: the next best within the limit is.
  const warned = jobs.get(byKey('pruning', 32).jobId)!;
  const prunedFigures = warned.priced![byKey('pruning', 32).id] as { warnings?: string[] };
  prunedFigures.warnings = ['32×32 exceeds x'];
  assert.equal(computeFront(rec, jobs).recommended, byKey('pruning', 16).id);
  assert.match(formatSweepTable(computeFront(rec, jobs)), /⚠ beyond the preset's largest reliable crossbar/);
  delete prunedFigures.warnings;
  const table = formatSweepTable(f);
  assert.match(table, new RegExp(`recommended: ${byKey('pruning', 32).id} — pruning, 32×32 crossbars`));
  assert.match(table, /failed: boom/);
  const csv = pointsCsv(f).trim().split('\n');
  assert.equal(csv.length, 7);
  assert.match(csv[0], /^id,job,status,mode,crossbar,preset,epochs,axis:crossbar,axis:mode,test_accuracy/);
  // Without an original in the sweep there is nothing to measure the loss against, and the table says so.
  const noOrig = { ...rec, points: rec.points.filter((p) => p.mode !== 'original').map((p) => ({ ...p, referenceId: undefined })) };
  const g = computeFront(noOrig, jobs);
  assert.equal(g.recommended, undefined);
  assert.match(g.noRecommendation!, /add "original" to sweep\.grid\.mode/);
});

test('checkpoint forking: only TraNNsformer trainings whose first clusterStart − 1 epochs are the same fork', () => {
  const fork = (sweep: unknown, transform: Record<string, unknown> = {}) => {
    const raw = { ...base(sweep), transform: { mode: 'trannsformer', clusterStart: 4, clusterPruneStart: 8, ...transform } };
    return planSweep(loadConfigObject(raw), { threads: 1 });
  };
  // Settings acting from clusterStart on: one parent, children start after epoch 3.
  const late = fork({ grid: { crossbar: [16, 32], qualityMin: [0.3, 0.5] } });
  assert.equal(late.jobs.length, 4);
  assert.equal(late.jobs.filter((j) => j.fork?.role === 'child').length, 3);
  assert.equal(late.sharing.epochsSaved, 9);
  assert.match(late.sharing.notes.join('\n'), /checkpoint after epoch 3/);
  // A setting acting from epoch 1 (the learning rate, the prune rate scale): no fork across it.
  const early = fork({ grid: { 'training.learningRate': [0.1, 0.2], pruneRateScale: [0.001, 0.002] } });
  assert.equal(early.sharing.checkpointForking, false);
  assert.ok(early.jobs.every((j) => !j.fork));
  // Mixed: forks within each learning rate, never across.
  const mixed = fork({ grid: { 'training.learningRate': [0.1, 0.2], crossbar: [16, 32] } });
  for (const c of mixed.jobs.filter((j) => j.fork?.role === 'child')) {
    const p = mixed.jobs.find((j) => j.id === (c.fork as { parent: string }).parent)!;
    const lr = (j: typeof c) => j.overrides.find((o) => o.path.join('.') === 'training.learningRate')?.value;
    assert.equal(lr(c), lr(p));
  }
  assert.equal(mixed.jobs.filter((j) => j.fork?.role === 'child').length, 2);
  // clusterStart 1 leaves no epoch to share; other modes never fork.
  assert.equal(fork({ grid: { crossbar: [16, 32] } }, { clusterStart: 1 }).sharing.checkpointForking, false);
  assert.equal(planSweep(loadConfigObject(base({ grid: { crossbar: [16, 32], mode: ['pruning', 'original'] } }))).sharing.checkpointForking, false);
});

test('hardware-aware training: the crossbar and preset it trains through split trainings the plain ones share; the levers are axes', () => {
  const plan = (transform: Record<string, unknown>, grid: Record<string, unknown[]>) =>
    planSweep(loadConfigObject({ ...base({ grid }), transform: { mode: 'original', ...transform } }), { threads: 1 });
  // Plain original: one training for every size and preset.
  assert.equal(plan({}, { crossbar: [16, 32], preset: ['resparc-45nm', 'puma-32nm'] }).jobs.length, 1);
  // Through the chip from epoch 8: each size and preset is another network.
  assert.equal(plan({ hardwareAwareFrom: 8 }, { crossbar: [16, 32], preset: ['resparc-45nm', 'puma-32nm'] }).jobs.length, 4);
  // The hardwareAware axis: off, and two starts: three trainings; placement and remapping as axes.
  const levers = plan({}, { hardwareAware: [0, 6, 9], placement: ['none', 'ir-aware'], remap: ['none', 'faults'], spareLines: [0, 2] });
  assert.equal(levers.points.length, 24);
  const first = levers.points[1];
  assert.deepEqual(first.axes.map((a) => [a.axis, a.path.join('.')]), [
    ['hardwareAware', 'transform.hardwareAwareFrom'],
    ['placement', 'hardware.placement'],
    ['remap', 'hardware.remap'],
    ['spareLines', 'hardware.spareLines'],
  ]);
  // Hardware-aware epochs before clusterStart block forking across crossbar sizes; after it, they fork.
  const fork = (from: number) =>
    planSweep(loadConfigObject({ ...base({ grid: { crossbar: [16, 32] } }), transform: { mode: 'trannsformer', clusterStart: 4, clusterPruneStart: 8, hardwareAwareFrom: from } }), { threads: 1 });
  assert.equal(fork(2).sharing.checkpointForking, false);
  assert.equal(fork(6).sharing.checkpointForking, true);
});
