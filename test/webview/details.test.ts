/// <reference lib="dom" />
/** The Run details view's bundle in headless Chromium: one epoch is drawn, charts follow a live theme switch. */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { haveChromium, launch, openPanel } from './harness';

import type { DetailsRun } from '../../src/protocol/webview';

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
});
