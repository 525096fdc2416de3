/// <reference lib="dom" />
/**
 * The report's SNN-accuracy-vs-T chart as Chromium draws it: for the
 * standard checkpoints 10, 20, 50, 100, 200, 500 every x label is there and
 * no two label boxes (measured, getBBox) overlap; the estimate the report
 * thins labels with is never narrower than the drawn text.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { haveChromium, launch } from './harness';
import { labelBox, runReport } from '../../src/engine/report/html';
import { tmpDir } from '../helpers/files';

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (apt-get install chromium)';
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'report-compare');

let browser: Browser;
before(async () => {
  if (!skip) browser = await launch();
});
after(async () => browser?.close());

test('standard checkpoints: six x labels, none overlapping, each within its estimated box', { skip }, async () => {
  const dir = path.join(tmpDir(), 'x-compare');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const run = path.join(dir, '20261127-162125-trannsformer');
  const file = path.join(run, 'evaluation.json');
  const e = JSON.parse(fs.readFileSync(file, 'utf8'));
  e.snn.curve = [10, 20, 50, 100, 200, 500].map((t, i) => ({ timesteps: t, accuracy: 0.7 + i / 50 }));
  fs.writeFileSync(file, JSON.stringify(e));
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.setContent(runReport(run));
  const labels = (await page.evaluate(`[...document.querySelectorAll('svg[aria-label^="SNN accuracy"] text.a')]
    .filter((t) => t.textContent.startsWith('T = '))
    .map((t) => { const b = t.getBBox(); return { text: t.textContent, left: b.x, right: b.x + b.width, x: Number(t.getAttribute('x')), anchor: t.getAttribute('text-anchor') }; })`)) as { text: string; left: number; right: number; x: number; anchor: 'start' | 'middle' | 'end' }[];
  await context.close();
  assert.deepEqual(labels.map((l) => l.text), ['T = 10', 'T = 20', 'T = 50', 'T = 100', 'T = 200', 'T = 500']);
  for (let i = 1; i < labels.length; i++) assert.ok(labels[i - 1].right < labels[i].left, `"${labels[i - 1].text}" and "${labels[i].text}" overlap: ${JSON.stringify(labels)}`);
  for (const l of labels) {
    const est = labelBox(l);
    // Within a glyph's side bearing (1.5 px), which the 6 px gap between estimated boxes covers.
    assert.ok(est.left <= l.left + 1.5 && est.right >= l.right - 1.5, `"${l.text}" drawn ${l.left.toFixed(1)}–${l.right.toFixed(1)}, estimated ${est.left.toFixed(1)}–${est.right.toFixed(1)}`);
  }
});
