/// <reference lib="dom" />
/** The Pareto panel's bundle in headless Chromium, on run folders read through the host's builder. */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { haveChromium, launch, openPanel, outside, placements, sideways } from './harness';
import { designPoint } from './fixtures';
import { paretoPoints, paretoView, sweepParetoPoints, sweepSummary } from '../../src/extension/panels/paretoData';
import { readRun } from '../../src/engine/store/runFolder';
import { tmpDir } from '../helpers/files';
import type { SweepFront, SweepPointResult } from '../../src/engine/format/sweep';
import { summarizeDesigns } from '../../src/engine/experiment/sweepSeeds';
import { Rng } from '../../src/engine/core/rng';
import type { ParetoPoint } from '../../src/protocol/webview';

const hex = (h: string): [number, number, number] => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

/** Screenshots of the panel for looking at (not asserted): test-results/webview/. */
const SHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'webview');
fs.mkdirSync(SHOTS, { recursive: true });

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (apt-get install chromium)';

describe('Pareto panel', { skip }, () => {
  let browser: Browser;
  const root = tmpDir('trn-pareto-');
  const cmp = path.join(root, '20260101-000000-q-compare');
  let view: ReturnType<typeof paretoView>;
  before(async () => {
    fs.mkdirSync(cmp);
    designPoint(cmp, '20260101-000001-original', { mode: 'original', crossbar: 64, accuracy: 0.985, mpes: 627, area: 16.4, energy: 905 });
    designPoint(cmp, '20260101-000002-pruning', { mode: 'pruning', crossbar: 64, accuracy: 0.984, mpes: 570, area: 14.9, energy: 847 });
    designPoint(cmp, '20260101-000003-trannsformer', { mode: 'trannsformer', crossbar: 64, accuracy: 0.978, mpes: 132, area: 3.44, energy: 114 });
    designPoint(root, '20260102-000000-big', { mode: 'trannsformer', crossbar: 128, accuracy: 0.981, mpes: 40, area: 4.1, energy: 100 });
    const sources = [{ compareDir: cmp, runs: fs.readdirSync(cmp).map((n) => readRun(path.join(cmp, n))) }, { runs: [readRun(path.join(root, '20260102-000000-big'))] }];
    view = paretoView(paretoPoints(sources));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the host marks the front per pair of axes', () => {
    const byName = (k: string) => view.points.findIndex((p) => p.key.endsWith(k));
    assert.equal(view.points.length, 4);
    // Area vs energy: trannsformer (3.44, 114) and big (4.1, 100) trade off; original and pruning are dominated.
    assert.deepEqual(view.fronts['area|energy'], [byName('trannsformer'), byName('big')]);
    assert.equal(view.points[byName('original')].dominated['area|energy'], true);
    // Area vs accuracy (higher is better): original is the most accurate, so it is on that front.
    assert.ok(view.fronts['area|accuracy'].includes(byName('original')));
    // Loss of accuracy exists only inside the comparison.
    assert.equal(view.points[byName('big')].values.accuracyLoss, undefined);
    assert.ok(Math.abs(view.points[byName('trannsformer')].values.accuracyLoss! - 0.007) < 1e-12);
    assert.equal(view.points[byName('big')].dominated['area|accuracyLoss'], undefined);
  });

  test('draws points and the front, hover shows the design point, click asks for its mapping, axes switch, exports go to the host', async () => {
    const p = await openPanel(browser, 'pareto');
    await p.send({ type: 'show', view });
    await p.page.waitForSelector('#front tr');
    const keys = await p.page.$$eval('#front tr', (rows) => rows.map((r) => r.getAttribute('data-key')));
    assert.deepEqual(keys, view.fronts['area|energy'].map((i) => view.points[i].key));
    assert.match((await p.page.getAttribute('#pareto', 'aria-label')) ?? '', /4 runs, 2 on the front/);
    // Hover the first front point (trannsformer of the comparison).
    const box = (await p.page.locator('#pareto').boundingBox())!;
    const at = await p.page.$eval('#front tr', (r) => ({ x: Number(r.getAttribute('data-px')), y: Number(r.getAttribute('data-py')) }));
    await p.page.mouse.move(box.x + at.x, box.y + at.y);
    await p.page.waitForFunction(() => (document.getElementById('pareto-hover')?.textContent ?? '').length > 0);
    const tip = (await p.page.textContent('#pareto-hover')) ?? '';
    assert.match(tip, /trannsformer · 64×64 · resparc-45nm/);
    assert.match(tip, /area \(mm²\): 3\.44 mm²/);
    assert.match(tip, /accuracy loss vs original: 0\.70%/);
    assert.match(tip, /on the front · click to open its mapping/);
    await p.page.mouse.click(box.x + at.x, box.y + at.y);
    // Chart.js handles clicks on the next animation frame.
    await p.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'openMapping'));

    // Switch the y axis to accuracy: the front follows the host's flags for that pair.
    await p.page.evaluate(() => {
      const s = document.getElementById('y-axis') as HTMLElement & { value: string };
      s.value = 'accuracy';
      s.dispatchEvent(new Event('change'));
    });
    const keys2 = await p.page.$$eval('#front tr', (rows) => rows.map((r) => r.getAttribute('data-key')));
    assert.deepEqual(keys2, view.fronts['area|accuracy'].map((i) => view.points[i].key));
    await p.page.click('text=Export CSV');
    await p.page.click('text=Export PNG');
    const posted = await p.posted();
    assert.deepEqual(posted.find((m) => m.type === 'openMapping'), { type: 'openMapping', key: path.join(cmp, '20260101-000003-trannsformer') });
    assert.deepEqual(posted.find((m) => m.type === 'exportCsv'), { type: 'exportCsv', x: 'area', y: 'accuracy' });
    assert.match(String(posted.find((m) => m.type === 'exportPng')?.dataUrl), /^data:image\/png;base64,iVBOR/);
    // Log axes and hiding dominated points re-render without errors; a malformed view is dropped.
    for (const id of ['log-x', 'log-y', 'hide-dominated'])
      await p.page.evaluate((i) => {
        const c = document.getElementById(i) as HTMLElement & { checked: boolean };
        c.checked = true;
        c.dispatchEvent(new Event('change'));
      }, id);
    assert.equal(await p.page.$$eval('#front tr', (r) => r.length), view.fronts['area|accuracy'].length);
    await p.send({ type: 'show', view: { points: [{ key: 'x' }], fronts: {}, minimise: {} } });
    assert.equal(await p.page.$$eval('#front tr', (r) => r.length), view.fronts['area|accuracy'].length, 'the malformed view was dropped');
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('a sweep: its points, the recommended design starred, hover shows the axes, click opens the training, the sweep kept in the state', async () => {
    const dir = '/runs/20260103-000000-s-sweep';
    const pt = (id: string, mode: 'original' | 'trannsformer', crossbar: number, acc: number, area: number, energy: number, extra: Partial<SweepPointResult> = {}): SweepPointResult => ({
      id, jobId: `j-${mode}-${crossbar}`, status: 'completed', mode, crossbar, preset: 'puma-32nm', epochs: 2, axes: { crossbar, mode }, runDir: `${dir}/run-${mode}-${crossbar}`, repriced: false,
      figures: { testAccuracy: acc, area_mm2: area, energy_uJ: energy, mpes: 10, utilisation: 0.5 }, ...extra,
    });
    const front: SweepFront = {
      format: 'trannsformer-pareto', formatVersion: 1, name: 's', objectives: ['area', 'energy', 'accuracy'], accuracyLossLimit: 0.01, done: 4, planned: 5, front: [], recommended: 't32',
      sharing: { points: 5, trainings: 4, trainingsSaved: 1, notes: [], checkpointForking: false },
      points: [
        pt('o32', 'original', 32, 0.98, 10, 100, { accuracyLoss: 0 }),
        pt('o64', 'original', 64, 0.98, 12, 90, { accuracyLoss: 0, repriced: true, runDir: `${dir}/run-original-32` }),
        pt('t32', 'trannsformer', 32, 0.975, 3, 30, { accuracyLoss: 0.005 }),
        pt('t64', 'trannsformer', 64, 0.97, 4, 25, { accuracyLoss: 0.01 }),
        { ...pt('t128', 'trannsformer', 128, 0, 0, 0), status: 'running', figures: undefined },
      ],
    };
    const sv = paretoView(sweepParetoPoints(dir, front), sweepSummary(dir, front));
    const p = await openPanel(browser, 'pareto');
    await p.send({ type: 'show', view: sv });
    await p.page.waitForSelector('#front tr');
    assert.match((await p.page.textContent('h2')) ?? '', /Sweep s/);
    const summary = (await p.page.textContent('#sweep-summary')) ?? '';
    assert.match(summary, /4 of 5 points done/);
    assert.match(summary, /★ recommended: t32 · trannsformer 32×32 · puma-32nm/);
    assert.equal(await p.page.getAttribute('#sweep-summary', 'data-recommended'), 't32');
    assert.match((await p.page.getAttribute('#pareto', 'aria-label')) ?? '', /4 points, 2 on the front/);
    assert.deepEqual(await p.page.$$eval('#front tr', (rows) => rows.map((r) => [r.getAttribute('data-point'), r.getAttribute('data-recommended')])), [['t32', 'true'], ['t64', 'false']]);
    const box = (await p.page.locator('#pareto').boundingBox())!;
    const at = await p.page.$eval('#front tr', (r) => ({ x: Number(r.getAttribute('data-px')), y: Number(r.getAttribute('data-py')) }));
    await p.page.mouse.move(box.x + at.x, box.y + at.y);
    await p.page.waitForFunction(() => (document.getElementById('pareto-hover')?.textContent ?? '').length > 0);
    const tip = (await p.page.textContent('#pareto-hover')) ?? '';
    assert.match(tip, /t32 · trannsformer 32×32 · puma-32nm/);
    assert.match(tip, /axes: crossbar = 32, mode = trannsformer/);
    assert.match(tip, /★ recommended design/);
    assert.match(tip, /area \(mm²\): 3\.00 mm²|area \(mm²\): 3 mm²/);
    assert.match(tip, /accuracy loss vs original: 0\.50%/);
    assert.equal(tip.match(/t32 · trannsformer/g)?.length, 1, 'the star does not repeat the tooltip');
    await p.page.mouse.click(box.x + at.x, box.y + at.y);
    await p.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'openMapping'));
    assert.deepEqual((await p.posted()).find((m) => m.type === 'openMapping'), { type: 'openMapping', key: `${dir}/run-trannsformer-32` });
    assert.equal(await p.page.evaluate(() => (window as unknown as { __state?: { key?: string } }).__state?.key), dir, 'restored on this sweep after a reload');
    // Before any point is priced: what to wait for.
    await p.send({ type: 'show', view: paretoView([], { ...sweepSummary(dir, front), done: 0 }) });
    assert.match((await p.page.textContent('#no-points')) ?? '', /points appear as the sweep's trainings finish/);
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('hardware accuracy: a run\'s chips and a sweep point\'s, on hover with their spread over chips, and as an axis', async () => {
    const hwRoot = tmpDir('trn-pareto-hw-');
    designPoint(hwRoot, '20260104-000000-chips', { mode: 'trannsformer', crossbar: 32, accuracy: 0.97, mpes: 50, area: 4, energy: 40, chips: { mean: 0.9512, std: 0.0034, min: 0.9471, max: 0.9553, chips: 3 } });
    const [run] = paretoPoints([{ runs: [readRun(path.join(hwRoot, '20260104-000000-chips'))] }]);
    assert.equal(run.values.hwAccuracy, 0.9512);
    assert.deepEqual(run.hwChips, { chips: 3, std: 0.0034, min: 0.9471, max: 0.9553 });
    fs.rmSync(hwRoot, { recursive: true, force: true });
    const dir = '/runs/20260105-000000-hw-sweep';
    const pt = (id: string, crossbar: number, hw: number, area: number): SweepPointResult => ({
      id, jobId: 'j', status: 'completed', mode: 'original', crossbar, preset: 'resparc-45nm', epochs: 2, axes: { crossbar }, runDir: `${dir}/run`, repriced: crossbar !== 8, accuracyLoss: 0.97 - hw,
      figures: { testAccuracy: 0.97, hwAccuracy: hw, hwAccuracySpread: { std: 0.004, min: hw - 0.005, max: hw + 0.005, chips: 3 }, area_mm2: area, energy_uJ: 10, mpes: 10, utilisation: 0.5, ...(crossbar === 64 ? { beyondClaim: "64×64 exceeds planted's largest reliable crossbar (32×32): the source's claim; accuracy measured on 3 simulated chips decides" } : {}) },
    });
    const front: SweepFront = {
      format: 'trannsformer-pareto', formatVersion: 1, name: 'hw', objectives: ['area', 'energy', 'hwAccuracy'], accuracyLossLimit: 0.02, done: 2, planned: 2, front: ['p8', 'p64'], recommended: 'p8',
      sharing: { points: 2, trainings: 1, trainingsSaved: 1, notes: [], checkpointForking: false },
      points: [pt('p8', 8, 0.965, 5), pt('p64', 64, 0.62, 3)],
    };
    const sv = paretoView([run, ...sweepParetoPoints(dir, front)]);
    assert.equal(sv.points[2].values.hwAccuracy, 0.62);
    assert.deepEqual(sv.fronts['area|hwAccuracy'], [2, 0, 1], 'lower area and higher hardware accuracy trade off');
    const p = await openPanel(browser, 'pareto');
    await p.send({ type: 'show', view: sv });
    await p.page.waitForSelector('#front tr');
    const options = await p.page.$$eval('#y-axis vscode-option, #y-axis option', (os) => os.map((o) => o.getAttribute('value') ?? (o as HTMLOptionElement).value));
    assert.ok(options.includes('hwAccuracy'), `hwAccuracy is an axis choice (${options.join(', ')})`);
    await p.page.evaluate(() => {
      const s = document.getElementById('y-axis') as HTMLElement & { value: string };
      s.value = 'hwAccuracy';
      s.dispatchEvent(new Event('change'));
    });
    assert.deepEqual(await p.page.$$eval('#front tr', (rows) => rows.map((r) => r.getAttribute('data-key'))), sv.fronts['area|hwAccuracy'].map((i) => sv.points[i].key));
    const tipAt = async (i: number) => {
      const box = (await p.page.locator('#pareto').boundingBox())!;
      const at = (await p.page.$$eval('#front tr', (rows) => rows.map((r) => ({ x: Number(r.getAttribute('data-px')), y: Number(r.getAttribute('data-py')) }))))[i];
      await p.page.mouse.move(box.x + 1, box.y + 1);
      await p.page.mouse.move(box.x + at.x, box.y + at.y);
      await p.page.waitForFunction(() => (document.getElementById('pareto-hover')?.textContent ?? '').length > 0);
      return (await p.page.textContent('#pareto-hover')) ?? '';
    };
    const lossy = await tipAt(0);
    assert.match(lossy, /p64 · original 64×64/);
    assert.match(lossy, /hardware accuracy \(simulated chips\): 62\.00%/);
    assert.match(lossy, /beyond the claim: 64×64 exceeds planted's largest reliable crossbar \(32×32\): the source's claim; accuracy measured on 3 simulated chips decides/);
    assert.match(lossy, /over 3 chips: ± 0\.40% \(61\.50%–62\.50%\)/);
    const chips = await tipAt(1);
    assert.match(chips, /hardware accuracy \(simulated chips\): 95\.12%/);
    assert.match(chips, /over 3 chips: ± 0\.34% \(94\.71%–95\.53%\)/);
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('a sweep over seeds: one point per design at its means, ± std error bars, spreads and the verdict on hover (dark and light)', async () => {
    const dir = '/runs/20260104-000000-seeds-sweep';
    // Two designs × three seeds, figures planted; the engine's own summary makes the designs.
    const mk = (id: string, mode: 'original' | 'trannsformer', seed: number, acc: number, area: number, energy: number): SweepPointResult => ({
      id, jobId: `j-${id}`, status: 'completed', mode, crossbar: 64, preset: 'puma-32nm', epochs: 20, axes: { mode, seed }, runDir: `${dir}/run-${id}`, repriced: false,
      figures: { testAccuracy: acc, area_mm2: area, energy_uJ: energy, mpes: mode === 'original' ? 95 : 44 + seed, utilisation: 0.5 },
    });
    const points = [
      mk('p0', 'original', 1, 0.98, 2.5, 65), mk('p1', 'original', 2, 0.982, 2.5, 66), mk('p2', 'original', 3, 0.984, 2.5, 64),
      mk('p3', 'trannsformer', 1, 0.979, 1.1, 34), mk('p4', 'trannsformer', 2, 0.98, 1.2, 36), mk('p5', 'trannsformer', 3, 0.981, 1.15, 35),
    ];
    points.forEach((p, i) => (p.accuracyLoss = i < 3 ? 0 : points[i - 3].figures!.testAccuracy! - p.figures!.testAccuracy!));
    const front: SweepFront = {
      format: 'trannsformer-pareto', formatVersion: 1, name: 'seeds', objectives: ['area', 'energy', 'accuracy'], accuracyLossLimit: 0.005, done: 6, planned: 6, front: [], points,
      sharing: { points: 6, trainings: 6, trainingsSaved: 0, notes: [], checkpointForking: false },
    };
    summarizeDesigns(front, new Map(points.map((p, i) => [p.id, i < 3 ? p.id : points[i - 3].id])));
    assert.equal(front.designs?.length, 2);
    const sv = paretoView(sweepParetoPoints(dir, front), sweepSummary(dir, front));
    assert.equal(sv.points.length, 2, 'one point per design');
    for (const theme of ['dark', 'light'] as const) {
      const p = await openPanel(browser, 'pareto', { theme });
      await p.send({ type: 'show', view: sv });
      await p.page.waitForSelector('#front tr');
      assert.match((await p.page.textContent('#sweep-summary')) ?? '', /★ recommended: d3 · trannsformer 64×64 · puma-32nm · 3 seeds/);
      const box = (await p.page.locator('#pareto').boundingBox())!;
      const at = await p.page.$eval('#front tr[data-point="d3"]', (r) => ({ x: Number(r.getAttribute('data-px')), y: Number(r.getAttribute('data-py')) }));
      await p.page.mouse.move(box.x + at.x, box.y + at.y);
      await p.page.waitForFunction(() => (document.getElementById('pareto-hover')?.textContent ?? '').length > 0);
      const tip = (await p.page.textContent('#pareto-hover')) ?? '';
      assert.match(tip, /over seeds 1, 2, 3/);
      assert.match(tip, /accuracy: no measurable loss \(−0\.20 pt, within the spread ±0\.20 pt over 3 seeds\)/);
      assert.match(tip, /area \(mm²\): 1\.15 mm² ± 0\.0500 mm² \(1\.10 mm²–1\.20 mm²\)/);
      assert.match(tip, /mPEs \(crossbars\): 46 ± 1 \(45–47\)/);
      await p.page.screenshot({ path: path.join(SHOTS, `pareto-seeds-${theme}.png`) });
      assert.deepEqual(p.errors, []);
      await p.page.context().close();
    }
  });

  test('every point is on the chart in every projection, log axes too, whatever order the points come in', async () => {
    // 21 designs in no particular order, as a sweep's pareto.json lists them: several above 2.5 mm² between smaller ones.
    const rng = new Rng(20);
    const modes = ['original', 'pruning', 'trannsformer'];
    const pts: ParetoPoint[] = Array.from({ length: 21 }, (_, i) => ({
      key: `/runs/p${i}`,
      name: `p${i}`,
      mode: modes[i % 3],
      crossbar: [32, 64, 128][(i >> 1) % 3],
      epochs: 2,
      values: { area: i % 4 === 1 ? 2.5 + 14 * rng.next() : 0.2 + 2 * rng.next(), energy: 5 + 900 * rng.next(), accuracy: 0.9 + 0.09 * rng.next(), accuracyLoss: 0.0005 + 0.02 * rng.next(), mpes: 10 + Math.round(600 * rng.next()) },
      dominated: {},
    }));
    const v = paretoView(pts);
    const p = await openPanel(browser, 'pareto', { state: { x: 'area', y: 'energy' } });
    await p.send({ type: 'show', view: v });
    await p.page.waitForSelector('#front');
    const metrics = ['area', 'energy', 'accuracy', 'accuracyLoss', 'mpes'];
    const METRIC_LABEL: Record<string, string> = { area: 'area (mm²)', energy: 'energy (µJ per classification)', accuracy: 'test accuracy', accuracyLoss: 'accuracy loss vs original', mpes: 'mPEs (crossbars)' };
    let checked = 0;
    for (const log of [false, true])
      for (const x of metrics)
        for (const y of metrics) {
          if (x === y) continue;
          // One control per evaluate: a select made by the last re-render takes a value only once it has rendered.
          for (const [id, v] of [['x-axis', x], ['y-axis', y]])
            await p.page.evaluate(([id, v]) => {
              const s = document.getElementById(id) as HTMLElement & { value: string };
              s.value = v;
              s.dispatchEvent(new Event('change'));
            }, [id, v]);
          for (const id of ['log-x', 'log-y'])
            await p.page.evaluate(([id, on]) => {
              const c = document.getElementById(id as string) as HTMLElement & { checked: boolean };
              if (c.checked === on) return;
              c.checked = on as boolean;
              c.dispatchEvent(new Event('change'));
            }, [id, log] as const);
          assert.match((await p.page.getAttribute('#pareto', 'aria-label')) ?? '', new RegExp(`^${METRIC_LABEL[y].replace(/[()]/g, '\\$&')} against ${METRIC_LABEL[x].replace(/[()]/g, '\\$&')}:`), 'the projection asked for');
          const placed = await placements(p.page, 'pareto');
          const front = v.fronts[`${x}|${y}`].length;
          // The mode datasets' points plus the front line's (no spreads, no sweep: no other layer).
          assert.equal(placed.points.length, pts.length + front, `${x}|${y}${log ? ' log' : ''}: every point placed`);
          assert.deepEqual(outside(placed), [], `${x}|${y}${log ? ' log' : ''}: every point inside the plot area ${JSON.stringify(placed.area)}`);
          checked++;
        }
    assert.equal(checked, 40);
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('invalid design points (a crossbar beyond the preset\'s limit): crossed out, named in the tooltip and the summary, never starred (dark and light)', async () => {
    const dir = '/runs/20260105-000000-limits-sweep';
    const warn = '128×128 exceeds resparc-45nm\'s largest reliable crossbar (64×64)';
    const pt = (id: string, mode: 'original' | 'trannsformer', crossbar: number, acc: number, area: number, energy: number, loss: number): SweepPointResult => ({
      id, jobId: `j-${id}`, status: 'completed', mode, crossbar, preset: 'resparc-45nm', epochs: 2, axes: { crossbar, mode }, runDir: `${dir}/run-${id}`, repriced: false, accuracyLoss: loss,
      figures: { testAccuracy: acc, area_mm2: area, energy_uJ: energy, mpes: 10, utilisation: 0.5, ...(crossbar > 64 ? { warnings: [warn] } : {}) },
    });
    const front: SweepFront = {
      format: 'trannsformer-pareto', formatVersion: 1, name: 'limits', objectives: ['area', 'energy', 'accuracy'], accuracyLossLimit: 0.01, done: 4, planned: 4, front: [],
      // As a stale or hand-edited pareto.json might say: the invalid p3 recommended.
      recommended: 'p3',
      sharing: { points: 4, trainings: 3, trainingsSaved: 1, notes: [], checkpointForking: false },
      points: [pt('p0', 'original', 64, 0.98, 10, 100, 0), pt('p1', 'trannsformer', 64, 0.975, 3, 5, 0.005), pt('p2', 'original', 128, 0.98, 8, 90, 0), pt('p3', 'trannsformer', 128, 0.976, 1, 10, 0.004)],
    };
    const sv = paretoView(sweepParetoPoints(dir, front), sweepSummary(dir, front));
    for (const theme of ['dark', 'light'] as const) {
      const p = await openPanel(browser, 'pareto', { theme });
      await p.send({ type: 'show', view: sv });
      await p.page.waitForSelector('#front tr');
      const summary = (await p.page.textContent('#sweep-summary')) ?? '';
      assert.match(summary, /no recommendation: pareto\.json recommends p3, but it is invalid/);
      assert.match(summary, /⚠ 2 invalid \(crossbar beyond its preset's largest reliable one\), never recommended/);
      assert.equal(await p.page.getAttribute('#sweep-summary', 'data-recommended'), null);
      assert.match((await p.page.getAttribute('#pareto', 'aria-label')) ?? '', /4 points, \d on the front, 2 invalid/);
      assert.match((await p.page.textContent('.note:last-of-type')) ?? '', /Red ×: invalid, priced beyond its preset's largest reliable crossbar/);
      assert.equal(await p.page.$$eval('#front tr[data-recommended="true"]', (r) => r.length), 0, 'nothing starred');
      // The invalid p3 is on the front (cheapest): a cross in the error colour over it; the valid p1 has none.
      const red = hex(theme === 'dark' ? '#f85149' : '#f85149');
      const at = async (id: string) => p.page.$eval(`#front tr[data-point="${id}"]`, (r) => ({ x: Number(r.getAttribute('data-px')), y: Number(r.getAttribute('data-py')) }));
      const near = (c: { x: number; y: number }) =>
        p.page.evaluate(({ c, red }) => {
          const cv = document.getElementById('pareto') as HTMLCanvasElement;
          const d = cv.getContext('2d')!.getImageData(Math.round(c.x) - 12, Math.round(c.y) - 12, 25, 25).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - red[0]) < 40 && Math.abs(d[i + 1] - red[1]) < 40 && Math.abs(d[i + 2] - red[2]) < 40) n++;
          return n;
        }, { c, red });
      const p3 = await at('p3');
      assert.ok((await near(p3)) > 15, `a red cross over the invalid point (${await near(p3)} px)`);
      assert.equal(await near(await at('p1')), 0, 'no cross over a valid point');
      const box = (await p.page.locator('#pareto').boundingBox())!;
      await p.page.mouse.move(box.x + p3.x, box.y + p3.y);
      await p.page.waitForFunction(() => (document.getElementById('pareto-hover')?.textContent ?? '').length > 0);
      const tip = (await p.page.textContent('#pareto-hover')) ?? '';
      assert.match(tip, /⚠ invalid design: 128×128 exceeds resparc-45nm's largest reliable crossbar \(64×64\)/);
      assert.match(tip, /⚠ never recommended/);
      assert.doesNotMatch(tip, /★ recommended design/);
      assert.match(tip, /invalid · on the front · click to open its mapping/);
      await p.page.mouse.move(0, 0);
      await p.page.screenshot({ path: path.join(SHOTS, `pareto-invalid-${theme}.png`) });
      assert.deepEqual(p.errors, []);
      await p.page.context().close();
    }
  });

  test('PNG export: opaque, 2× a 1200 × 800 print size, dark ink on white even from a dark theme', async () => {
    const p = await openPanel(browser, 'pareto', { theme: 'dark' });
    await p.send({ type: 'show', view });
    await p.page.waitForSelector('#front tr');
    await p.page.click('text=Export PNG');
    const url = String((await p.posted()).find((m) => m.type === 'exportPng')?.dataUrl);
    assert.match(url, /^data:image\/png;base64,/);
    const png = await p.page.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let transparent = 0;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] < 255) transparent++;
        if (d[i] < 80 && d[i + 1] < 80 && d[i + 2] < 80) ink++;
      }
      return { w: img.width, h: img.height, transparent, ink, corner: [d[0], d[1], d[2]] };
    }, url);
    assert.deepEqual([png.w, png.h], [2400, 1600]);
    assert.equal(png.transparent, 0, 'no transparent pixel');
    assert.deepEqual(png.corner, [255, 255, 255], 'white paper');
    assert.ok(png.ink > 2000, `dark text and lines on it (${png.ink} px)`);
    assert.equal(await p.page.locator('.offscreen').count(), 0, 'the print chart is gone');
    fs.writeFileSync(path.join(SHOTS, 'pareto-export-from-dark.png'), Buffer.from(url.slice(22), 'base64'));
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('a panel 280 px wide: no sideways scroll, controls and chart inside, every point on the chart', async () => {
    const p = await openPanel(browser, 'pareto', { width: 280, height: 700 });
    await p.send({ type: 'show', view });
    await p.page.waitForSelector('#front tr');
    const s = await sideways(p.page);
    assert.deepEqual(s, { scrolls: false, wide: [] });
    const box = (await p.page.locator('#pareto').boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= 280, `chart inside (${box.x}–${box.x + box.width})`);
    assert.deepEqual(outside(await placements(p.page, 'pareto')), []);
    await p.page.screenshot({ path: path.join(SHOTS, 'pareto-280px.png'), fullPage: true });
    await p.page.context().close();
  });

  test('a sweep over the hardware levers: every point listed with its lever axes, hardware accuracy, area and training time, the sweep\'s front and recommendation (dark and light)', async () => {
    const dir = '/runs/20260106-000000-levers-sweep';
    // Planted: p0 (no lever) and p1 (remap) train alike, so they share area and energy and differ only on chip;
    // p3 (hardware-aware training) costs 3× the training time. The sweep's front over three objectives is p1, p3.
    const pt = (id: string, axes: Record<string, unknown>, hw: number, area: number, energy: number, trainSeconds: number): SweepPointResult => ({
      id, jobId: `j${id}`, status: 'completed', mode: 'trannsformer', crossbar: 256, preset: 'resparc-45nm', epochs: 4, axes, runDir: `${dir}/run-${id}`, repriced: false, accuracyLoss: 0.98 - hw,
      figures: { testAccuracy: 0.975, hwAccuracy: hw, area_mm2: area, energy_uJ: energy, mpes: 12, utilisation: 0.5, trainSeconds },
    });
    const front: SweepFront = {
      format: 'trannsformer-pareto', formatVersion: 1, name: 'levers', objectives: ['area', 'energy', 'hwAccuracy'], accuracyLossLimit: 0.05, done: 4, planned: 4, front: ['p1', 'p3'], recommended: 'p1',
      sharing: { points: 4, trainings: 4, trainingsSaved: 0, notes: [], checkpointForking: false },
      points: [
        pt('p0', { hardwareAware: 0, placement: 'none', remap: 'none' }, 0.91, 2.5, 40, 50),
        pt('p1', { hardwareAware: 0, placement: 'none', remap: 'faults' }, 0.95, 2.5, 40, 51),
        pt('p2', { hardwareAware: 0, placement: 'ir-aware', remap: 'none' }, 0.92, 2.5, 40, 49),
        pt('p3', { hardwareAware: 4, placement: 'ir-aware', remap: 'faults' }, 0.965, 2.6, 38, 150),
      ],
    };
    const sv = paretoView(sweepParetoPoints(dir, front), sweepSummary(dir, front));
    // The host carries the training time, the sweep's own front and its objectives.
    assert.deepEqual(sv.points.map((p) => p.trainSeconds), [50, 51, 49, 150]);
    assert.deepEqual(sv.points.map((p) => p.sweep?.onFront), [false, true, false, true]);
    assert.deepEqual(sv.sweep?.objectives, ['area', 'energy', 'hwAccuracy']);
    for (const theme of ['dark', 'light'] as const) {
      const p = await openPanel(browser, 'pareto', { theme });
      await p.send({ type: 'show', view: sv });
      await p.page.waitForSelector('#points tbody tr');
      const heads = await p.page.$$eval('#points thead th', (ths) => ths.map((t) => t.textContent));
      assert.deepEqual(heads.slice(0, 4), ['point', 'hardwareAware', 'placement', 'remap']);
      assert.ok(heads.includes('hardware accuracy') && heads.includes('area (mm²)') && heads.includes('training time'), `figure columns (${heads.join(' | ')})`);
      assert.equal(heads.at(-1), 'front (area, energy, hwAccuracy)');
      // No lever moved the test accuracy or the mPEs here: said once, not a column.
      assert.ok(!heads.includes('test accuracy') && !heads.includes('mPEs'), `no column for a figure every point shares (${heads.join(' | ')})`);
      assert.match((await p.page.textContent('#points caption')) ?? '', /the same for every point: test accuracy 97\.50%, mPEs 12$/);
      const rows = await p.page.$$eval('#points tbody tr', (trs) =>
        trs.map((r) => ({
          id: r.getAttribute('data-point'),
          front: r.getAttribute('data-on-front'),
          rec: r.getAttribute('data-recommended'),
          axes: Array.from(r.querySelectorAll('td[data-axis]'), (c) => c.textContent).join(','),
          hw: r.querySelector('td[data-metric="hwAccuracy"]')?.textContent,
          time: r.querySelector('td[data-metric="trainSeconds"]')?.textContent,
          mark: r.lastElementChild?.textContent,
        })),
      );
      assert.deepEqual(rows, [
        { id: 'p0', front: 'false', rec: 'false', axes: '0,none,none', hw: '91.00%', time: '50 s', mark: 'dominated' },
        { id: 'p1', front: 'true', rec: 'true', axes: '0,none,faults', hw: '95.00%', time: '51 s', mark: '● on the front · ★ recommended' },
        { id: 'p2', front: 'false', rec: 'false', axes: '0,ir-aware,none', hw: '92.00%', time: '49 s', mark: 'dominated' },
        { id: 'p3', front: 'true', rec: 'false', axes: '4,ir-aware,faults', hw: '96.50%', time: '2 min 30 s', mark: '● on the front' },
      ]);
      // Visible (not the screen-reader-only front table), and the hover names the training time too.
      assert.ok(await p.page.locator('#points').isVisible(), 'the points table is on screen');
      const box = (await p.page.locator('#pareto').boundingBox())!;
      const at = await p.page.$eval('#front tr', (r) => ({ x: Number(r.getAttribute('data-px')), y: Number(r.getAttribute('data-py')) }));
      await p.page.mouse.move(box.x + at.x, box.y + at.y);
      await p.page.waitForFunction(() => (document.getElementById('pareto-hover')?.textContent ?? '').length > 0);
      assert.match((await p.page.textContent('#pareto-hover')) ?? '', /training: (2 min 30 s|5\d s|49 s)/);
      assert.deepEqual(await sideways(p.page), { scrolls: false, wide: [] });
      await p.page.screenshot({ path: path.join(SHOTS, `pareto-levers-${theme}.png`), fullPage: true });
      assert.deepEqual(p.errors, []);
      await p.page.context().close();
    }
  });

  test('an empty runs folder says what to do', async () => {
    const p = await openPanel(browser, 'pareto', { theme: 'light' });
    await p.send({ type: 'show', view: paretoView([]) });
    assert.match((await p.page.textContent('#no-points')) ?? '', /No completed runs yet/);
    await p.page.context().close();
  });
});
