/// <reference lib="dom" />
/** The Pareto panel's bundle in headless Chromium, on run folders read through the host's builder. */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { haveChromium, launch, openPanel } from './harness';
import { designPoint } from './fixtures';
import { paretoPoints, paretoView, sweepParetoPoints, sweepSummary } from '../../src/extension/panels/paretoData';
import { readRun } from '../../src/engine/store/runFolder';
import { tmpDir } from '../helpers/files';
import type { SweepFront, SweepPointResult } from '../../src/engine/format/sweep';
import { summarizeDesigns } from '../../src/engine/experiment/sweepSeeds';

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

  test('an empty runs folder says what to do', async () => {
    const p = await openPanel(browser, 'pareto', { theme: 'light' });
    await p.send({ type: 'show', view: paretoView([]) });
    assert.match((await p.page.textContent('#no-points')) ?? '', /No completed runs yet/);
    await p.page.context().close();
  });
});
