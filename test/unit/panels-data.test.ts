/**
 * What the result panels are sent, on the points issue 20 found wrong:
 * invalid sweep points (a crossbar beyond the preset's reliable size) carry
 * their warnings and are never recommended; exports start in the workspace;
 * mapping panels of sweep trainings are titled as a person reads them.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportFolder, exportName, paretoCsv, paretoView, sweepParetoPoints, sweepSummary } from '../../src/extension/panels/paretoData';
import { mappingTitle } from '../../src/extension/panels/mappingData';
import { RunWriter } from '../../src/engine/store/runFolder';
import { validateConfig } from '../../src/engine/config/validate';
import { computeFront } from '../../src/engine/experiment/sweep';
import { summarizeDesigns } from '../../src/engine/experiment/sweepSeeds';
import { checkParetoView } from '../../webview/shared/guards';
import { tmpDir } from '../helpers/files';

import type { SweepFigures, SweepFront, SweepJobRecord, SweepPointResult, SweepRecord } from '../../src/engine/format/sweep';

const WARN = '128×128 exceeds resparc-45nm\'s largest reliable crossbar (64×64)';
const fig = (testAccuracy: number, area_mm2: number, energy_uJ: number, warn = false): SweepFigures => ({ testAccuracy, area_mm2, energy_uJ, mpes: 10, utilisation: 0.5, ...(warn ? { warnings: [WARN] } : {}) });

/** original and trannsformer × crossbar 64, 128 on resparc-45nm (max 64): the 128 points are priced with a warning. */
function sweep(): { rec: SweepRecord; jobs: Map<string, SweepJobRecord> } {
  const pt = (id: string, mode: 'original' | 'trannsformer', crossbar: number, jobId: string, referenceId?: string) => ({ id, mode, crossbar, preset: 'resparc-45nm', epochs: 2, seed: 1, jobId, axes: [{ axis: 'crossbar', path: ['transform', 'crossbar'], value: crossbar }, { axis: 'mode', path: ['transform', 'mode'], value: mode }], ...(referenceId ? { referenceId } : {}) });
  const rec = {
    name: 'limits',
    objectives: ['area', 'energy', 'accuracy'],
    accuracyLossLimit: 0.01,
    points: [pt('p0', 'original', 64, 'j0'), pt('p1', 'trannsformer', 64, 'j1', 'p0'), pt('p2', 'original', 128, 'j0'), pt('p3', 'trannsformer', 128, 'j2', 'p2')],
    jobs: [{ id: 'j0', pointIds: ['p0', 'p2'] }, { id: 'j1', pointIds: ['p1'] }, { id: 'j2', pointIds: ['p3'] }],
    sharing: { points: 4, trainings: 3, trainingsSaved: 1, notes: [], checkpointForking: false },
  } as unknown as SweepRecord;
  const job = (jobId: string, priced: SweepJobRecord['priced']): SweepJobRecord => ({ jobId, status: 'completed', owner: { pid: 1 }, startedAt: '', runDir: `/runs/s-sweep/run-${jobId}`, priced });
  // The 128×128 TraNNsformer point is by far the cheapest: what a buggy recommendation would pick.
  const jobs = new Map([
    ['j0', job('j0', { p0: fig(0.98, 10, 100), p2: fig(0.98, 8, 90, true) })],
    ['j1', job('j1', { p1: fig(0.975, 3, 30) })],
    ['j2', job('j2', { p3: fig(0.976, 1, 10, true) })],
  ]);
  return { rec, jobs };
}

describe('invalid design points in the Pareto panel', () => {
  test('the engine recommends the valid point; the panel flags the invalid ones with their warning text', () => {
    const { rec, jobs } = sweep();
    const front = computeFront(rec, jobs);
    assert.equal(front.recommended, 'p1', 'the engine skips the cheaper invalid p3');
    const v = paretoView(sweepParetoPoints('/runs/s-sweep', front), sweepSummary('/runs/s-sweep', front));
    const byId = (id: string) => v.points.find((p) => p.sweep?.id === id)!;
    assert.deepEqual(byId('p3').warnings, [WARN]);
    assert.deepEqual(byId('p2').warnings, [WARN]);
    assert.equal(byId('p1').warnings, undefined);
    assert.equal(byId('p1').sweep?.recommended, true);
    assert.equal(v.points.filter((p) => p.sweep?.recommended).length, 1);
    assert.equal(typeof checkParetoView(JSON.parse(JSON.stringify(v))), 'object', 'the webview accepts the warnings');
    assert.match(String(checkParetoView({ ...JSON.parse(JSON.stringify(v)), points: [{ ...JSON.parse(JSON.stringify(byId('p3'))), warnings: 'x' }] })), /point 0: warnings must be a list of text/);
    const csv = paretoCsv(v, 'area', 'energy').trim().split('\n');
    assert.match(csv.find((l) => l.includes(',p3,'))!, /,128×128 exceeds resparc-45nm's largest reliable crossbar \(64×64\)$/);
  });

  test('a pareto.json that recommends an invalid point (hand-edited or older) is not believed', () => {
    const { rec, jobs } = sweep();
    const front: SweepFront = { ...computeFront(rec, jobs), recommended: 'p3' };
    const v = paretoView(sweepParetoPoints('/runs/s-sweep', front), sweepSummary('/runs/s-sweep', front));
    assert.equal(v.points.some((p) => p.sweep?.recommended), false);
    assert.equal(v.sweep?.recommended, undefined);
    assert.match(v.sweep?.noRecommendation ?? '', /pareto\.json recommends p3, but it is invalid \(128×128 exceeds resparc-45nm/);
  });

  test('over seeds: a design with an invalid seed carries the warning text and is not recommended', () => {
    const mk = (id: string, mode: 'original' | 'trannsformer', crossbar: number, seed: number, acc: number, area: number, warn: boolean): SweepPointResult => ({
      id, jobId: `j${id}`, status: 'completed', mode, crossbar, preset: 'resparc-45nm', epochs: 2, axes: { crossbar, mode, seed }, runDir: `/r/${id}`, repriced: false, figures: fig(acc, area, 10 * area, warn),
    });
    const points = [mk('p0', 'original', 128, 1, 0.98, 9, true), mk('p1', 'original', 128, 2, 0.98, 9, true), mk('p2', 'trannsformer', 128, 1, 0.978, 1, true), mk('p3', 'trannsformer', 128, 2, 0.978, 1, true)];
    points.forEach((p, i) => (p.accuracyLoss = i < 2 ? 0 : 0.002));
    const front: SweepFront = { format: 'trannsformer-pareto', formatVersion: 1, name: 's', objectives: ['area', 'energy', 'accuracy'], accuracyLossLimit: 0.01, done: 4, planned: 4, front: [], points, sharing: { points: 4, trainings: 4, trainingsSaved: 0, notes: [], checkpointForking: false } };
    summarizeDesigns(front, new Map([['p2', 'p0'], ['p3', 'p1']]));
    assert.equal(front.recommendedDesign, undefined, 'the engine recommends no invalid design');
    const v = paretoView(sweepParetoPoints('/r', front), sweepSummary('/r', front));
    assert.equal(v.points.length, 2);
    for (const p of v.points) assert.deepEqual(p.warnings, [WARN]);
    // Even when pareto.json names it.
    const forced = { ...front, recommendedDesign: v.points[1].sweep!.id };
    assert.equal(sweepParetoPoints('/r', forced).some((p) => p.sweep?.recommended), false);
    assert.match(sweepSummary('/r', forced).noRecommendation ?? '', /but it is invalid/);
  });
});

describe('Pareto exports', () => {
  test('the save dialog starts in the workspace folder, else beside the hidden runs folder, never inside it', () => {
    assert.equal(exportFolder(['/home/u/proj'], ['/home/u/proj/.trannsformer/runs']), '/home/u/proj');
    assert.equal(exportFolder([], ['/home/u/proj/.trannsformer/runs']), '/home/u/proj');
    assert.equal(exportFolder([], ['/data/runs']), '/data/runs');
    assert.equal(exportFolder([], []), undefined);
    assert.equal(exportName(undefined, 'png'), 'pareto.png');
    assert.equal(exportName(paretoView([], { dir: '/r', name: 'paper mnist/x', done: 0, planned: 0, failed: 0, accuracyLossLimit: 0 }), 'csv'), 'pareto-paper-mnist-x.csv');
  });
});

describe('mapping panel titles', () => {
  const config = (mode: 'original' | 'trannsformer', crossbar: number, preset: string, seed: number) =>
    validateConfig({ name: 'm', dataset: { name: 'synthetic', synthetic: { inputSize: 8, classes: 4 } }, network: { layers: [8, 6, 4] }, training: { epochs: 2, seed }, transform: { mode, crossbar }, hardware: { preset } }).config!;
  const run = (dir: string, c: ReturnType<typeof config>) => {
    fs.mkdirSync(dir, { recursive: true });
    new RunWriter(dir, c).finish('completed');
    return dir;
  };

  test('a sweep training reads as mode, crossbar, preset and seed, with the sweep\'s name', () => {
    const root = tmpDir();
    const s = run(path.join(root, '20260101-000000-paper-mnist-sweep', '20260101-000100-trannsformer-x128-j003'), config('trannsformer', 128, 'puma-32nm', 2));
    assert.equal(mappingTitle(s), 'Mapping: trannsformer 128×128 · puma-32nm · seed 2 (paper-mnist sweep)');
    const c = run(path.join(root, '20260101-000000-q-compare', '20260101-000001-original'), config('original', 64, 'resparc-45nm', 1));
    assert.equal(mappingTitle(c), 'Mapping: original 64×64 · resparc-45nm · seed 1 (q comparison)');
    assert.equal(mappingTitle(path.join(root, '20260101-000000-q-compare', '20260101-000009-gone')), 'Mapping: gone (q comparison)', 'no record: the folder name');
    const lone = run(path.join(root, '20260101-000002-quick'), config('trannsformer', 64, 'resparc-45nm', 1));
    assert.equal(mappingTitle(lone), 'Mapping: 20260101-000002-quick');
    fs.rmSync(root, { recursive: true, force: true });
  });
});
