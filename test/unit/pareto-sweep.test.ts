/**
 * A sweep's design points in the Pareto panel: built from a real sweep
 * folder written through the store (plan, job records, the front the sweep
 * driver computes), read back through the store as the panel reads it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readParetoView, sweepParetoPoints, paretoCsv } from '../../src/extension/panels/paretoData';
import { RunWriter, createRunDir } from '../../src/engine/store/runFolder';
import { SWEEP_FILES, createSweepDir, readFront, readSweep, writeFront, writeJobRecord, writeSweep } from '../../src/engine/store/sweepFolder';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { planSweep } from '../../src/engine/experiment/sweepPlan';
import { computeFront } from '../../src/engine/experiment/sweep';
import { checkParetoView } from '../../webview/shared/guards';
import { tmpDir } from '../helpers/files';
import type { SweepFigures, SweepJobRecord, SweepRecord } from '../../src/engine/format/sweep';

const owner = { pid: 1, hostname: 'h' };
const fig = (testAccuracy: number, area_mm2: number, energy_uJ: number, mpes: number): SweepFigures => ({ testAccuracy, area_mm2, energy_uJ, mpes, utilisation: 0.5 });

/** crossbar 16, 32 × mode original, trannsformer: p0 original·16, p1 trannsformer·16, p2 original·32, p3 trannsformer·32; j00 trains original once for p0 and p2. */
function sweepFolder(root: string) {
  const loaded = loadConfigObject({
    name: 'synth',
    dataset: { name: 'synthetic' },
    network: { layers: [64, 20, 4] },
    training: { epochs: 2 },
    sweep: { grid: { crossbar: [16, 32], mode: ['original', 'trannsformer'] }, accuracyLossLimit: 0.005 },
  });
  const plan = planSweep(loaded);
  const dir = createSweepDir(root, 'synth', 'sweep');
  const rec = { format: 'trannsformer-sweep', formatVersion: 1, name: 'synth', kind: 'sweep', points: plan.points, jobs: plan.jobs, objectives: plan.objectives, accuracyLossLimit: plan.accuracyLossLimit, sharing: plan.sharing, status: 'running' } as unknown as SweepRecord;
  writeSweep(dir, rec);
  const jobs = new Map<string, SweepJobRecord | undefined>();
  const finishJob = (jobId: string, name: string, priced: SweepJobRecord['priced'], status: SweepJobRecord['status'] = 'completed') => {
    const runDir = createRunDir(dir, name);
    new RunWriter(runDir, loaded.config).finish(status === 'completed' ? 'completed' : 'failed');
    const r: SweepJobRecord = { jobId, status, owner, startedAt: '', runDir, priced, ...(status === 'failed' ? { error: { message: 'diverged' } } : {}) };
    writeJobRecord(dir, r);
    jobs.set(jobId, r);
    // What the sweep driver does as each training ends: the front rewritten.
    writeFront(dir, computeFront(rec, jobs));
    return runDir;
  };
  return { dir, plan, finishJob };
}

test('priced points of a sweep, keyed by their training run, with axes, figures, loss and the recommendation; they appear as trainings finish', () => {
  const root = tmpDir();
  const { dir, plan, finishJob } = sweepFolder(root);
  assert.deepEqual(
    plan.points.map((p) => [p.id, p.jobId, p.mode, p.crossbar]),
    [
      ['p0', 'j00', 'original', 16],
      ['p1', 'j01', 'trannsformer', 16],
      ['p2', 'j00', 'original', 32],
      ['p3', 'j02', 'trannsformer', 32],
    ],
    'the plan this test is written against',
  );
  // Nothing finished: an empty plot that says 0 of 4.
  writeFront(dir, computeFront(readSweep(dir)!, new Map()));
  let v = readParetoView([root], dir);
  assert.equal(v.points.length, 0);
  assert.deepEqual(v.sweep && [v.sweep.done, v.sweep.planned, v.sweep.recommended], [0, 4, undefined]);

  // The original training, priced at 16 and 32: two points at once.
  const orig = finishJob('j00', 'original-j00', { p0: fig(0.9, 10, 100, 50), p2: fig(0.9, 8, 90, 20) });
  v = readParetoView([root], dir);
  assert.deepEqual(v.points.map((p) => p.sweep?.id), ['p0', 'p2']);
  assert.deepEqual(v.points.map((p) => p.key), [orig, orig], 'a click opens the training that both points price');
  assert.deepEqual(v.points.map((p) => p.sweep?.repriced), [false, true]);
  assert.equal(v.sweep?.done, 2);

  // TraNNsformer at 16: within the loss limit and the smallest → recommended.
  const t16 = finishJob('j01', 'trannsformer-x16-j01', { p1: fig(0.897, 3, 30, 9) });
  v = readParetoView([root], dir);
  const p1 = v.points.find((p) => p.sweep?.id === 'p1')!;
  assert.equal(p1.key, t16);
  assert.equal(p1.mode, 'trannsformer');
  assert.equal(p1.crossbar, 16);
  assert.equal(p1.preset, 'resparc-45nm');
  assert.deepEqual(p1.sweep!.axes, { crossbar: '16', mode: 'trannsformer' });
  assert.deepEqual(p1.values, { accuracy: 0.897, accuracyLoss: p1.values.accuracyLoss, mpes: 9, area: 3, energy: 30 });
  assert.ok(Math.abs(p1.values.accuracyLoss! - 0.003) < 1e-12, 'loss against the original at the same settings');
  assert.equal(p1.sweep!.recommended, true);
  assert.equal(v.sweep?.recommended, 'p1');
  assert.deepEqual(v.fronts['area|energy'].map((i) => v.points[i].sweep!.id), ['p1']);
  assert.equal(v.points.find((p) => p.sweep?.id === 'p0')!.dominated['area|energy'], true);
  assert.deepEqual(v.fronts['area|accuracy'].map((i) => v.points[i].sweep!.id), ['p1', 'p2'], 'smaller or more accurate');

  // The last training fails: no point for it, counted as failed; the rest stay.
  finishJob('j02', 'trannsformer-x32-j02', undefined, 'failed');
  v = readParetoView([root], dir);
  assert.equal(v.points.length, 3);
  assert.deepEqual(v.sweep && [v.sweep.done, v.sweep.planned, v.sweep.failed], [4, 4, 1]);
  assert.equal(typeof checkParetoView(JSON.parse(JSON.stringify(v))), 'object', 'the webview accepts what the host sends');
  assert.match(String(checkParetoView({ ...JSON.parse(JSON.stringify(v)), sweep: { dir: 1 } })), /sweep must have/, 'and rejects a malformed sweep');

  const csv = paretoCsv(v, 'area', 'energy').trim().split('\n');
  assert.equal(csv.length, 4);
  assert.match(csv.find((l) => l.includes(',p1,'))!, /,p1,1,2,/, 'the sweep point and its recommendation flag');
  fs.rmSync(root, { recursive: true, force: true });
});

test('every run and every sweep point together: a sweep contributes its points, not its training runs', () => {
  const root = tmpDir();
  const { dir, finishJob } = sweepFolder(root);
  finishJob('j00', 'original-j00', { p0: fig(0.9, 10, 100, 50), p2: fig(0.9, 8, 90, 20) });
  const v = readParetoView([root]);
  assert.equal(v.sweep, undefined);
  assert.deepEqual(v.points.map((p) => p.sweep?.id), ['p0', 'p2']);
  assert.ok(v.points.every((p) => p.compare === path.basename(dir)));
  fs.rmSync(root, { recursive: true, force: true });
});

test('a sweep without a readable pareto.json: an empty view that says why, never a throw', () => {
  const root = tmpDir();
  const { dir, finishJob } = sweepFolder(root);
  finishJob('j00', 'original-j00', { p0: fig(0.9, 10, 100, 50), p2: fig(0.9, 8, 90, 20) });
  fs.writeFileSync(path.join(dir, SWEEP_FILES.pareto), '{"points": [tru');
  assert.equal(readFront(dir), undefined);
  const v = readParetoView([root], dir);
  assert.equal(v.points.length, 0);
  assert.match(v.sweep?.noRecommendation ?? '', /pareto\.json/);
  assert.deepEqual(readParetoView([root]).points, [], 'the all-runs view skips it');
  fs.rmSync(root, { recursive: true, force: true });
});

test('points not priced (pending, running, failed) are left out; non-string axis values become text', () => {
  const front = {
    format: 'trannsformer-pareto',
    formatVersion: 1,
    name: 's',
    objectives: ['area', 'energy', 'accuracy'],
    accuracyLossLimit: 0.01,
    done: 1,
    planned: 3,
    front: ['a'],
    recommended: 'a',
    sharing: { points: 3, trainings: 3, trainingsSaved: 0, notes: [], checkpointForking: false },
    points: [
      { id: 'a', jobId: 'j', status: 'completed', mode: 'pruning', crossbar: 64, preset: 'puma-32nm', epochs: 2, axes: { 'training.learningRate': 0.25, 'transform.pruneRates': [0.1, 0.2] }, runDir: '/r/a', repriced: false, figures: fig(0.9, 1, 2, 3), rank: 0 },
      { id: 'b', jobId: 'k', status: 'running', mode: 'original', crossbar: 64, preset: 'puma-32nm', epochs: 2, axes: {}, repriced: false },
      { id: 'c', jobId: 'l', status: 'failed', mode: 'original', crossbar: 64, preset: 'puma-32nm', epochs: 2, axes: {}, repriced: false, error: 'x' },
    ],
  } as const;
  const pts = sweepParetoPoints('/r/s-sweep', JSON.parse(JSON.stringify(front)));
  assert.equal(pts.length, 1);
  assert.deepEqual(pts[0].sweep, { id: 'a', folder: 's-sweep', axes: { 'training.learningRate': '0.25', 'transform.pruneRates': '[0.1,0.2]' }, repriced: false, recommended: true, onFront: true });
  assert.equal(pts[0].values.accuracyLoss, undefined, 'no loss without an original');
});
