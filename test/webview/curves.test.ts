/// <reference lib="dom" />
/** The training curves panel's bundle in headless Chromium: a finished run, then live epochs. */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { haveChromium, launch, openPanel, outside, placements, sideways } from './harness';
import { plantedRun } from './fixtures';
import { curvesViewOf } from '../../src/extension/panels/curvesData';
import { tmpDir } from '../helpers/files';

import type { EpochMetrics } from '../../src/engine/format/metrics';

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (apt-get install chromium)';

const epoch = (e: number): EpochMetrics => ({
  epoch: e,
  trainLoss: 1 / e,
  trainAccuracy: 0.5 + 0.1 * e,
  testLoss: 1 / e,
  testAccuracy: 0.55 + 0.1 * e,
  seconds: 1,
  trainSeconds: 1,
  samplesPerSecond: 10,
  keptFraction: [0.9, 0.8],
  transform: { prunedFraction: [0.1, 0.2], unclusteredFraction: [0.5, 0.4], clusters: [0, 0], mpes: 30 - e, mapping: 'packed' },
});

/** Pixels of the canvas that differ from its top-left corner (the background): 0 for a blank chart area. */
const inked = (id: string) => `(() => {
  const c = document.getElementById('${id}');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0) n++;
  return n;
})()`;

describe('training curves panel', { skip }, () => {
  let browser: Browser;
  const root = tmpDir('trn-curves-');
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('a finished run: accuracy, loss, pruned, unclustered and mPEs charts', async () => {
    const run = plantedRun(root, [{ blocks: 2, bRows: 8, bCols: 8, density: 0.9, noise: 0, seed: 1 }], { crossbar: 16 });
    const p = await openPanel(browser, 'curves');
    await p.send({ type: 'show', view: curvesViewOf(run.dir, false) });
    await p.page.waitForSelector('#mpes');
    for (const id of ['accuracy', 'loss', 'pruned', 'unclustered', 'mpes']) assert.equal(await p.page.locator(`#${id}`).count(), 1, id);
    assert.match((await p.page.textContent('#epochs')) ?? '', /3 of 3 epochs/);
    await p.page.click('text=Open mapping');
    assert.deepEqual((await p.posted()).find((m) => m.type === 'openMapping'), { type: 'openMapping', key: run.dir });
    await p.page.context().close();
  });

  test('live: one epoch is drawn (points, not a blank chart), later epochs extend the charts', async () => {
    const p = await openPanel(browser, 'curves');
    await p.send({ type: 'show', view: { key: '/runs/r', name: 'live', mode: 'trannsformer', status: 'running', live: true, crossbar: 64, epochsPlanned: 5, metrics: [] } });
    await p.page.waitForSelector('#waiting');
    await p.send({ type: 'epoch', key: '/runs/r', metrics: epoch(1) });
    await p.page.waitForSelector('#accuracy');
    const one = (await p.page.evaluate(inked('accuracy'))) as number;
    await p.send({ type: 'epoch', key: '/runs/other', metrics: epoch(2) });
    assert.match((await p.page.textContent('#epochs')) ?? '', /1 of 5 epochs/, 'epochs of another run are ignored');
    await p.send({ type: 'epoch', key: '/runs/r', metrics: epoch(2) });
    await p.page.waitForFunction(() => document.getElementById('epochs')?.textContent?.includes('2 of 5'));
    const two = (await p.page.evaluate(inked('accuracy'))) as number;
    assert.ok(two > one, `a second epoch adds ink (${one} → ${two})`);
    // The single-epoch chart shows its point: a point of radius 2.5 in the test colour exists near the plot.
    await p.send({ type: 'show', view: { key: '/runs/s', name: 'one', mode: 'trannsformer', status: 'running', live: true, crossbar: 64, epochsPlanned: 5, metrics: [epoch(1)] } });
    await p.page.waitForSelector('#accuracy');
    const blue = await p.page.evaluate(`(() => {
      const c = document.getElementById('accuracy');
      // Below the legend (the top 40 px), inside the plot.
      const d = c.getContext('2d').getImageData(0, 40, c.width, c.height - 40).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 0x37) < 30 && Math.abs(d[i + 1] - 0x94) < 30 && Math.abs(d[i + 2] - 0xff) < 30) n++;
      return n;
    })()`);
    // A line through one point draws nothing: without its point the plot would have no test-blue pixel.
    assert.ok((blue as number) > 10, `the single epoch's point is drawn (${blue} blue pixels)`);
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('every epoch is on the charts, whatever order the epochs come in', async () => {
    const p = await openPanel(browser, 'curves');
    // Epoch 12 between 2 and 3, 3 planned: a scale sized from the first and last point would leave it off.
    await p.send({ type: 'show', view: { key: '/runs/u', name: 'unsorted', mode: 'trannsformer', status: 'completed', live: false, crossbar: 64, epochsPlanned: 3, metrics: [epoch(2), epoch(12), epoch(3)] } });
    await p.page.waitForSelector('#mpes');
    for (const id of ['accuracy', 'loss', 'pruned', 'unclustered', 'mpes']) {
      const placed = await placements(p.page, id);
      assert.ok(placed.points.length >= 3, `${id}: points placed`);
      assert.deepEqual(outside(placed), [], `${id}: every point inside the plot area ${JSON.stringify(placed.area)}`);
    }
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('what was measured: straight segments between epochs, no spline through them', async () => {
    const p = await openPanel(browser, 'curves', { width: 900 });
    // A zigzag of test accuracy: a spline bends each segment away from the straight line.
    const zig = [0.2, 0.9, 0.2, 0.9].map((a, k) => ({ ...epoch(k + 1), testAccuracy: a, trainAccuracy: 0.55 }));
    await p.send({ type: 'show', view: { key: '/runs/z', name: 'zigzag', mode: 'trannsformer', status: 'completed', live: false, crossbar: 64, epochsPlanned: 4, metrics: zig } });
    await p.page.waitForSelector('#accuracy');
    const placed = await placements(p.page, 'accuracy');
    // Dataset 0 is the test series (blue): its four points.
    const pts = placed.points.filter(([k]) => k === 0).map(([, , x, y]) => ({ x, y }));
    assert.equal(pts.length, 4);
    const worst = await p.page.evaluate(
      ({ pts, area }) => {
        const c = document.getElementById('accuracy') as HTMLCanvasElement;
        const ctx = c.getContext('2d')!;
        let worst = 0;
        for (let s = 0; s + 1 < pts.length; s++)
          for (const f of [0.2, 0.3, 0.7, 0.8]) {
            // One pixel column a fraction of the way along the segment: where the blue line crosses it, against where a straight line does.
            const x = Math.round(pts[s].x + f * (pts[s + 1].x - pts[s].x));
            const d = ctx.getImageData(x, Math.floor(area.top), 1, Math.ceil(area.bottom - area.top)).data;
            const ys: number[] = [];
            for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - 0x37) < 40 && Math.abs(d[i + 1] - 0x94) < 40 && Math.abs(d[i + 2] - 0xff) < 40) ys.push(Math.floor(area.top) + i / 4 + 0.5);
            const seen = ys.reduce((a, b) => a + b, 0) / ys.length;
            const straight = pts[s].y + ((x - pts[s].x) / (pts[s + 1].x - pts[s].x)) * (pts[s + 1].y - pts[s].y);
            worst = Math.max(worst, ys.length ? Math.abs(seen - straight) : Infinity);
          }
        return worst;
      },
      { pts, area: placed.area },
    );
    assert.ok(worst < 2, `the line is straight between epochs (worst ${worst.toFixed(1)} px off)`);
    await p.page.context().close();
  });

  test('a panel 280 px wide: the charts stack, no sideways scroll', async () => {
    const run = plantedRun(root, [{ blocks: 2, bRows: 8, bCols: 8, density: 0.9, noise: 0, seed: 1 }], { crossbar: 16 });
    const p = await openPanel(browser, 'curves', { width: 280, height: 700 });
    await p.send({ type: 'show', view: curvesViewOf(run.dir, false) });
    await p.page.waitForSelector('#mpes');
    assert.deepEqual(await sideways(p.page), { scrolls: false, wide: [] });
    await p.page.context().close();
  });
});
