/// <reference lib="dom" />
/** The Run details view's bundle in headless Chromium: one epoch is drawn, charts follow a live theme switch. */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { haveChromium, launch, openPanel } from './harness';

import type { DetailsRun } from '../../src/protocol/webview';
import { reductionText } from '../../src/engine/core/reduction';

const SHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'webview');

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (apt-get install chromium)';

const run: DetailsRun = {
  dir: '/runs/a',
  name: 'a',
  status: 'running',
  live: true,
  mode: 'trannsformer',
  crossbar: 64,
  layers: [8, 4],
  epochsCompleted: 1,
  epochsPlanned: 5,
  metrics: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.6, testLoss: 1, testAccuracy: 0.7, seconds: 1, trainSeconds: 1, samplesPerSecond: 1, keptFraction: [0.9] }],
};

/** Opaque canvas pixels within 2 of an RGB colour (the themes' grid colours are further away). */
const count = (sel: string, rgb: [number, number, number]) =>
  `(() => { const c = document.querySelector('${sel}'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - ${rgb[0]}) < 3 && Math.abs(d[i + 1] - ${rgb[1]}) < 3 && Math.abs(d[i + 2] - ${rgb[2]}) < 3) n++; return n; })()`;

describe('run details view', { skip }, () => {
  let browser: Browser;
  before(async () => (browser = await launch()));
  after(async () => browser?.close());

  test('after one epoch the accuracy chart shows its point; a theme switch recolours the charts', async () => {
    const p = await openPanel(browser, 'details', { width: 420, height: 900 });
    await p.send({ type: 'show', run });
    await p.page.waitForSelector('canvas[aria-label="Accuracy"]');
    await p.page.waitForTimeout(100);
    // Dark charts-blue (#3794ff) below the legend: the test-accuracy point.
    const blue = (await p.page.evaluate(`(() => { const c = document.querySelector('canvas[aria-label="Accuracy"]'); const d = c.getContext('2d').getImageData(0, 30, c.width, c.height - 30).data; let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 0x37) < 30 && Math.abs(d[i + 1] - 0x94) < 30 && Math.abs(d[i + 2] - 0xff) < 30) n++; return n; })()`)) as number;
    assert.ok(blue > 5, `the single epoch is drawn (${blue} px)`);
    const darkText = (await p.page.evaluate(count('canvas[aria-label="Accuracy"]', [0xcc, 0xcc, 0xcc]))) as number;
    assert.ok(darkText > 20, `tick labels in the dark foreground (${darkText} px)`);
    // Switch theme as VS Code does: the body's class changes (and its variables with it).
    await p.page.evaluate(() => {
      document.body.classList.replace('vscode-dark', 'vscode-light');
    });
    await p.page.waitForTimeout(150);
    const lightText = (await p.page.evaluate(count('canvas[aria-label="Accuracy"]', [0x3b, 0x3b, 0x3b]))) as number;
    const stale = (await p.page.evaluate(count('canvas[aria-label="Accuracy"]', [0xcc, 0xcc, 0xcc]))) as number;
    assert.ok(lightText > 20 && stale < 5, `recoloured for the light theme (${lightText} dark-grey px, ${stale} light-grey px left)`);
    await p.page.click('text=Curves');
    assert.deepEqual((await p.posted()).find((m) => m.type === 'openCurves'), { type: 'openCurves', dir: '/runs/a' });
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('reductions read as the report words them: "41.0% fewer mPEs", an increase "26.7% more mPEs" (never "−26.7% fewer")', async () => {
    const p = await openPanel(browser, 'details', { width: 420, height: 900 });
    const done: DetailsRun = {
      ...run,
      status: 'completed',
      live: false,
      final: { testAccuracy: 0.7, trainAccuracy: 0.6, trainLoss: 1, keptFraction: [0.5] },
      mapping: { mode: 'trannsformer', crossbarSize: 64, shown: 'packed', mpes: 56, utilisation: 0.5, schemes: {}, clusters: [0], clusteredFraction: [0], keptFraction: [0.5], reductionVsOriginal: 0.41 },
      vsPruning: -0.267,
    };
    await p.send({ type: 'show', run: done });
    await p.page.waitForSelector('table.numbers');
    const cell = (label: string) => p.page.evaluate(`[...document.querySelectorAll('table.numbers tr')].find((r) => r.querySelector('th').textContent === ${JSON.stringify(label)})?.querySelector('td').textContent`);
    // The report's helper gives the same text for the same numbers (test/unit/reduction-wording.test.ts holds the two copies alike).
    assert.equal(await cell('vs original'), reductionText(0.41, 'mPEs'));
    assert.equal(await cell('vs pruning'), reductionText(-0.267, 'mPEs'));
    assert.equal(await cell('vs pruning'), '26.7% more mPEs');
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('hardware accuracy: mean ± std (min–max) over the chips, preset and size, the derived reliable crossbar beside the claim', async () => {
    const p = await openPanel(browser, 'details', { width: 420, height: 900 });
    const hardware = { preset: 'puma-32nm', crossbarSize: 128, snnAccuracy: 0.95, annAccuracy: 0.96, images: 100, timesteps: 50, area_mm2: 2, energy_uJ: 3, crossbar_uJ: 1, neuron_uJ: 1, communication_uJ: 1 };
    const chips = { softwareAccuracy: 0.9612, mean: 0.9403, std: 0.0051, min: 0.9347, max: 0.9449, chips: 4, reliableCrossbar: 64, claimedCrossbar: 128, lossLimit: 0.005 };
    const done: DetailsRun = { ...run, status: 'completed', live: false, final: { testAccuracy: 0.96, trainAccuracy: 0.9, trainLoss: 1, keptFraction: [0.5] }, hardware: { ...hardware, hardwareAccuracy: chips } };
    await p.send({ type: 'show', run: done });
    await p.page.waitForSelector('table.numbers');
    const cell = (label: string) => p.page.evaluate(`[...document.querySelectorAll('table.numbers tr')].find((r) => r.querySelector('th').textContent === ${JSON.stringify(label)})?.querySelector('td').textContent`);
    assert.equal(await cell('hardware accuracy'), '94.03% ± 0.51 (93.47%–94.49%) over 4 chips · puma-32nm 128×128 · software 96.12%');
    assert.equal(await cell('reliable crossbar'), '64×64 derived (within 0.50 pt) · puma-32nm claims 128×128');
    // For looking: the rows in both themes.
    fs.mkdirSync(SHOTS, { recursive: true });
    await p.page.screenshot({ path: path.join(SHOTS, 'details-hardware-dark.png'), fullPage: true });
    const light = await openPanel(browser, 'details', { theme: 'light', width: 420, height: 900 });
    await light.send({ type: 'show', run: done });
    await light.page.waitForSelector('table.numbers');
    await light.page.screenshot({ path: path.join(SHOTS, 'details-hardware-light.png'), fullPage: true });
    await light.page.context().close();
    // No reliable size among those tried, one chip (no spread): said so.
    await p.send({ type: 'show', run: { ...done, hardware: { ...hardware, hardwareAccuracy: { ...chips, std: undefined, chips: 1, reliableCrossbar: undefined } } } });
    await p.page.waitForFunction(() => document.querySelector('table.numbers')?.textContent?.includes('over 1 chip ·'));
    assert.match(String(await cell('hardware accuracy')), /^94\.03% ± — \(93\.47%–94\.49%\) over 1 chip · /);
    assert.equal(await cell('reliable crossbar'), 'no size tried is reliable (within 0.50 pt) · puma-32nm claims 128×128');
    // A run without it has no such row.
    await p.send({ type: 'show', run: { ...done, hardware } });
    await p.page.waitForFunction(() => !document.querySelector('table.numbers')?.textContent?.includes('over 1 chip'));
    assert.equal(await cell('hardware accuracy'), undefined);
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });
});
