/** Host-side logic of the result panels, without VS Code: message checks, paths, the HTML shell, Pareto sorting, what is sent. */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dominates, nonDominated2, paretoFront, paretoRanks } from '../../src/engine/core/pareto';
import { checkCurvesMessage, checkMappingMessage, checkPanelState, checkParetoMessage, insideRoots } from '../../src/extension/panels/messages';
import { panelHtml } from '../../src/extension/panels/html';
import { denseCrossbars, groupingOrder, mappingViewOf } from '../../src/extension/panels/mappingData';
import { paretoCsv, paretoPoints, paretoView } from '../../src/extension/panels/paretoData';
import { curvesViewOf } from '../../src/extension/panels/curvesData';
import { runRow } from '../../src/extension/runsModel';
import { RunWriter, readRun } from '../../src/engine/store/runFolder';
import { validateConfig } from '../../src/engine/config/validate';
import { Rng } from '../../src/engine/core/rng';
import { tmpDir } from '../helpers/files';

import type { ParetoPoint } from '../../src/protocol/webview';

describe('Pareto sorting', () => {
  test('dominance, ranks and the front, minimising and maximising', () => {
    assert.equal(dominates([1, 1], [2, 2], ['min', 'min']), true);
    assert.equal(dominates([1, 1], [1, 1], ['min', 'min']), false, 'equal points do not dominate each other');
    assert.equal(dominates([1, 3], [2, 2], ['min', 'min']), false);
    assert.equal(dominates([1, 3], [2, 2], ['min', 'max']), true);
    const pts = [
      [1, 5],
      [2, 3],
      [3, 1],
      [3, 4],
      [4, 4],
      [2, 3],
      [Number.NaN, 0],
    ];
    assert.deepEqual(paretoRanks(pts, ['min', 'min']), [0, 0, 0, 1, 2, 0, -1]);
    assert.deepEqual(paretoFront(pts, ['min', 'min']), [0, 1, 5, 2]);
    assert.throws(() => paretoRanks([[1]], ['min', 'min']), /point 0 has 1 values for 2 objectives/);
  });

  test('agrees with a brute-force definition on random points', () => {
    const rng = new Rng(11);
    for (let t = 0; t < 20; t++) {
      const pts = Array.from({ length: 60 }, () => [Math.round(rng.next() * 20), Math.round(rng.next() * 20), Math.round(rng.next() * 5)]);
      const senses = ['min', 'max', 'min'] as const;
      const ranks = paretoRanks(pts, senses);
      pts.forEach((p, i) => assert.equal(ranks[i] === 0, !pts.some((q) => dominates(q, p, senses)), `point ${i}`));
      // Every point of rank r > 0 is dominated by one of rank r − 1 and by none of rank ≥ r.
      pts.forEach((p, i) => {
        if (ranks[i] > 0) assert.ok(pts.some((q, j) => ranks[j] === ranks[i] - 1 && dominates(q, p, senses)));
        assert.ok(!pts.some((q, j) => ranks[j] >= ranks[i] && dominates(q, p, senses)));
      });
    }
  });

  test('the two-objective sweep agrees with the general sort, ties and missing values included', () => {
    const rng = new Rng(5);
    for (const senses of [['min', 'min'], ['min', 'max'], ['max', 'max']] as const)
      for (let t = 0; t < 30; t++) {
        const pts = Array.from({ length: 40 }, (): [number, number] => [Math.round(rng.next() * 8), rng.next() < 0.05 ? Number.NaN : Math.round(rng.next() * 8)]);
        const ranks = paretoRanks(pts, senses);
        const want = ranks.map((r) => (r < 0 ? undefined : r === 0));
        assert.deepEqual(nonDominated2(pts, senses), want);
      }
  });
});

describe('panel messages', () => {
  test('well-formed messages pass, malformed ones are rejected with a reason', () => {
    assert.deepEqual(checkMappingMessage({ type: 'select', key: '/r/a', epoch: 3 }), { ok: true, message: { type: 'select', key: '/r/a', epoch: 3 } });
    assert.deepEqual(checkMappingMessage({ type: 'select', key: '/r/a', epoch: -1 }), { ok: false, reason: '"epoch" must be a non-negative integer' });
    assert.deepEqual(checkMappingMessage({ type: 'select' }), { ok: false, reason: '"key" must be a non-empty string of at most 4096 characters (got undefined)' });
    assert.deepEqual(checkMappingMessage('ready'), { ok: false, reason: 'not a message object with a "type"' });
    assert.deepEqual(checkMappingMessage({ type: 'rm', key: '/' }), { ok: false, reason: 'unknown message type "rm"' });
    assert.deepEqual(checkParetoMessage({ type: 'exportCsv', x: 'area', y: 'mpes' }), { ok: true, message: { type: 'exportCsv', x: 'area', y: 'mpes' } });
    assert.equal(checkParetoMessage({ type: 'exportCsv', x: 'area', y: 'rm -rf' }).ok, false);
    assert.equal(checkParetoMessage({ type: 'exportPng', dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' }).ok, false);
    assert.equal(checkParetoMessage({ type: 'exportPng', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' }).ok, true);
    assert.equal(checkCurvesMessage({ type: 'openMapping', key: 7 }).ok, false);
    assert.deepEqual(checkPanelState({ key: '/r/a', scheme: 'packed', epoch: 2, layer: 1, bits: 'x' }), { key: '/r/a', scheme: 'packed', epoch: 2 });
    assert.deepEqual(checkPanelState('junk'), {});
  });

  test('paths from a webview are accepted only inside a runs folder', () => {
    const roots = ['/ws/.trannsformer/runs'];
    assert.equal(insideRoots('/ws/.trannsformer/runs/20260101-000000-a', roots), true);
    assert.equal(insideRoots('/ws/.trannsformer/runs/x-compare/20260101-000000-a', roots), true);
    assert.equal(insideRoots('/ws/.trannsformer/runs', roots), false, 'the root itself is no run');
    assert.equal(insideRoots('/ws/.trannsformer/runs/../../etc', roots), false);
    assert.equal(insideRoots('/ws/.trannsformer/runs-other/a', roots), false);
    assert.equal(insideRoots('relative/a', roots), false);
    assert.equal(insideRoots('/etc/passwd', roots), false);
  });

  test('the HTML shell has a strict CSP: nothing by default, scripts only by nonce, resources only from the webview origin', () => {
    const html = panelHtml({ cspSource: 'vscode-resource:', script: 'vscode-resource:/dist/webview/mapping.js', styles: ['vscode-resource:/media/panels.css'], title: 'A <b>', nonce: 'abc' });
    const csp = /content="([^"]*)"/.exec(html)![1];
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-abc'/);
    assert.doesNotMatch(csp, /unsafe-eval|https?:|\*/);
    assert.match(html, /<script nonce="abc" src="vscode-resource:\/dist\/webview\/mapping.js"><\/script>/);
    assert.match(html, /<title>A &lt;b&gt;<\/title>/);
    assert.notEqual(panelHtml({ cspSource: 'x', script: 'y', styles: [], title: 't' }).match(/nonce-([^']+)/)![1], panelHtml({ cspSource: 'x', script: 'y', styles: [], title: 't' }).match(/nonce-([^']+)/)![1]);
  });
});

const config = (mode: 'original' | 'pruning' | 'trannsformer', layers = [8, 6, 4]) =>
  validateConfig({ name: mode, dataset: { name: 'synthetic', synthetic: { inputSize: layers[0], classes: layers[layers.length - 1] } }, network: { layers }, training: { epochs: 2 }, transform: { mode, crossbar: 16 } }).config!;

function point(root: string, name: string, mode: 'original' | 'pruning' | 'trannsformer', acc: number, hw?: { area: number; energy: number }, mpes = 10): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const w = new RunWriter(dir, config(mode));
  w.epoch({ epoch: 1, trainLoss: 1, trainAccuracy: acc, testLoss: 1, testAccuracy: acc, seconds: 1, trainSeconds: 1, samplesPerSecond: 1, keptFraction: [1, 1] });
  w.finish('completed', {
    mapping: { mode, crossbarSize: 16, shown: 'packed', mpes, utilisation: 0.5, schemes: {}, clusters: [], clusteredFraction: [], keptFraction: [], reductionVsOriginal: 0 },
    ...(hw ? { hardware: { preset: 'p', crossbarSize: 16, snnAccuracy: acc, annAccuracy: acc, images: 1, timesteps: 1, area_mm2: hw.area, energy_uJ: hw.energy, crossbar_uJ: 0, neuron_uJ: 0, communication_uJ: 0 } } : {}),
  });
  return dir;
}

describe('what the panels are sent', () => {
  test('Pareto points: completed runs only, loss of accuracy against the comparison original, fronts per axis pair, CSV', () => {
    const root = tmpDir();
    const cmp = path.join(root, '20260101-000000-c-compare');
    const o = point(cmp, '1-original', 'original', 0.9, { area: 10, energy: 100 }, 50);
    const t = point(cmp, '2-trannsformer', 'trannsformer', 0.88, { area: 2, energy: 20 }, 8);
    const lone = point(root, 'lone', 'pruning', 0.95, undefined, 30);
    const running = path.join(root, 'running');
    fs.mkdirSync(running);
    new RunWriter(running, config('pruning'));
    const pts = paretoPoints([{ compareDir: cmp, runs: [readRun(o), readRun(t)] }, { runs: [readRun(lone)] }, { runs: [readRun(running)] }]);
    assert.deepEqual(pts.map((p) => p.key), [o, t, lone]);
    assert.ok(Math.abs(pts[1].values.accuracyLoss! - 0.02) < 1e-12);
    assert.equal(pts[1].compare, '20260101-000000-c-compare');
    assert.equal(pts[2].values.area, undefined);
    const v = paretoView(pts);
    assert.deepEqual(v.fronts['area|energy'], [1]);
    assert.equal(v.points[0].dominated['area|energy'], true);
    assert.equal(v.points[2].dominated['area|energy'], undefined, 'no flag without both values');
    assert.deepEqual(v.fronts['mpes|accuracy'], [1, 2], 'fewest mPEs, then the most accurate');
    assert.equal(Object.keys(v.fronts).length, 30, 'every ordered pair of the 6 metrics');
    const csv = paretoCsv(v, 'area', 'energy').trim().split('\n');
    assert.equal(csv.length, 4);
    assert.match(csv[0], /^name,mode,crossbar,preset,compare,sweep_point,recommended,epochs,accuracy,accuracy_loss,mpes,area_mm2,energy_uJ,hw_accuracy,dominated_area_energy,run_folder,warnings$/);
    assert.match(csv[2], /^trannsformer,trannsformer,16,p,20260101-000000-c-compare,,,1,0\.88,0\.02\d*,8,2,20,,false,/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('1,000 design points: every front is in ascending x and matches the dominated flags', () => {
    const rng = new Rng(3);
    const pts: ParetoPoint[] = Array.from({ length: 1000 }, (_, i) => ({
      key: `/r/${i}`,
      name: `p${i}`,
      mode: 'trannsformer',
      crossbar: 64,
      epochs: 1,
      values: { area: rng.next(), energy: rng.next(), accuracy: rng.next(), accuracyLoss: rng.next(), mpes: Math.round(rng.next() * 100), hwAccuracy: rng.next() },
      dominated: {},
    }));
    const v = paretoView(pts);
    for (const [key, front] of Object.entries(v.fronts)) {
      const x = key.split('|')[0] as 'area' | 'energy';
      assert.ok(front.length > 0);
      for (let k = 1; k < front.length; k++) assert.ok(pts[front[k]].values[x]! >= pts[front[k - 1]].values[x]!, 'front in ascending x');
      assert.equal(pts.filter((p) => p.dominated[key] === false).length, front.length);
    }
  });

  test('mapping helpers: grouping order and the dense tiling', () => {
    assert.deepEqual(groupingOrder(6, [[4, 1], [0]]), [4, 1, 0, 2, 3, 5]);
    assert.deepEqual(groupingOrder(3, [[5, 1, 1]]), [1, 0, 2], 'out-of-range and repeated indices are skipped');
    const mask = Uint8Array.from({ length: 5 * 3 }, (_, i) => (i % 2 ? 1 : 0));
    const tiles = denseCrossbars(5, 3, mask, 2);
    assert.equal(tiles.length, 3 * 2);
    assert.deepEqual(tiles[5], { rows: [4], cols: [2], synapses: 0, kind: 'tile' });
    assert.equal(tiles.reduce((a, t) => a + t.synapses, 0), 7);
  });

  test('mapping and curves views say clearly what is missing', () => {
    const root = tmpDir();
    assert.throws(() => mappingViewOf(path.join(root, 'nothing')), /nothing: not a readable run folder \(result\.json is missing\)/);
    const dir = path.join(root, 'r');
    fs.mkdirSync(dir);
    new RunWriter(dir, config('trannsformer'));
    assert.throws(() => mappingViewOf(dir), /the run has no readable weights yet/);
    const c = curvesViewOf(dir, true);
    assert.deepEqual({ live: c.live, metrics: c.metrics.length, mode: c.mode, planned: c.epochsPlanned }, { live: true, metrics: 0, mode: 'trannsformer', planned: 2 });
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe('Runs tree rows', () => {
  test('accuracy and mPEs are in the label (the mode instead of the name inside a comparison); the rest in the description', () => {
    const root = tmpDir();
    const dir = point(root, '20260102-030405-quick', 'trannsformer', 0.9838, { area: 3.44, energy: 114 }, 132);
    const rec = readRun(dir);
    assert.deepEqual(runRow(rec, true), { label: 'trannsformer · 98.38% · 132 mPEs', description: '16×16 · 3.44 mm² · 114 µJ' });
    assert.deepEqual(runRow(rec, false), { label: 'trannsformer · 98.38% · 132 mPEs', description: 'trannsformer · 16×16 · 3.44 mm² · 114 µJ · 20260102-030405' });
    const fresh = path.join(root, '20260102-030406-fresh');
    fs.mkdirSync(fresh);
    new RunWriter(fresh, config('pruning'));
    assert.deepEqual(runRow(readRun(fresh), false), { label: 'pruning · epoch 0/2', description: 'pruning · 16×16 · 20260102-030406' });
    assert.deepEqual(runRow(readRun(path.join(root, 'gone')), false), { label: 'gone', description: 'result.json is missing' });
    fs.rmSync(root, { recursive: true, force: true });
  });
});
