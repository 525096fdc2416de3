/**
 * The report's SNN-accuracy-vs-T chart: its x tick labels never overlap.
 * The standard checkpoints 10, 20, 50, 100, 200, 500 sit on a log scale,
 * each labelled; any other set keeps the labels that fit (the first and
 * last always). Boxes are estimated with a glyph width no narrower than
 * the report's 11px font draws (test/webview/report-axis.test.ts measures
 * the drawn ones in Chromium).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { labelBox, lineChart, type TickLabel } from '../../src/engine/report/html';

/** The x tick labels of a chart (those starting with `prefix`), as drawn. */
function xLabels(svg: string, prefix: string): TickLabel[] {
  return [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" text-anchor="(start|middle|end)" class="a">([^<]*)<\/text>/g)]
    .map((m) => ({ x: Number(m[1]), anchor: m[2] as TickLabel['anchor'], text: m[3] }))
    .filter((l) => l.text.startsWith(prefix));
}

function assertNoOverlap(labels: TickLabel[], what: string): void {
  const boxes = labels.map(labelBox).sort((a, b) => a.left - b.left);
  for (let i = 1; i < boxes.length; i++)
    assert.ok(boxes[i - 1].right <= boxes[i].left, `${what}: "${labels[i - 1].text}" and "${labels[i].text}" overlap (${JSON.stringify(boxes)})`);
}

const snnChart = (ts: number[], logX = true) =>
  lineChart('SNN accuracy vs timesteps T (log scale)', [{ name: 'SNN', values: ts.map((_, i) => 0.5 + i / 20) }], { percent: true, x: ts, xLabel: 'T = ', logX });

test('the standard checkpoints 10, 20, 50, 100, 200, 500: every one labelled, no two labels overlap', () => {
  const labels = xLabels(snnChart([10, 20, 50, 100, 200, 500]), 'T = ');
  assert.deepEqual(labels.map((l) => l.text), ['T = 10', 'T = 20', 'T = 50', 'T = 100', 'T = 200', 'T = 500']);
  assertNoOverlap(labels, 'standard checkpoints');
  // Log scale: 10→100 spans as much as 50→500.
  const x = (t: string) => labels.find((l) => l.text === t)!.x;
  assert.ok(Math.abs(x('T = 100') - x('T = 10') - (x('T = 500') - x('T = 50'))) < 0.2);
});

test('curves ending at other T (the run\'s own T is always a checkpoint): labels that fit, first and last kept, none overlapping', () => {
  for (const T of [30, 60, 150, 250, 300, 450, 520, 1000, 5000]) {
    const ts = [...new Set([...[10, 20, 50, 100, 200, 500].filter((t) => t < T), T])];
    const labels = xLabels(snnChart(ts), 'T = ');
    assert.equal(labels[0].text, 'T = 10', `T = ${T}`);
    assert.equal(labels[labels.length - 1].text, `T = ${T}`);
    assertNoOverlap(labels, `T = ${T}`);
  }
});

test('on a linear scale too (epochs, or a chart without logX) crowded labels are thinned, never drawn over each other', () => {
  const labels = xLabels(snnChart([10, 20, 50, 100, 200, 500], false), 'T = ');
  assert.equal(labels[0].text, 'T = 10');
  assert.equal(labels[labels.length - 1].text, 'T = 500');
  assertNoOverlap(labels, 'linear');
  const epochs = xLabels(lineChart('Test accuracy', [{ name: 'run', values: Array.from({ length: 12 }, (_, i) => i / 12) }], { percent: true }), 'epoch ');
  assert.equal(epochs[0].text, 'epoch 1');
  assert.equal(epochs[epochs.length - 1].text, 'epoch 12');
  assertNoOverlap(epochs, '12 epochs');
});
