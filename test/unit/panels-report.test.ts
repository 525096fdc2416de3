/** The report fixes of issue 10: the SNN accuracy-vs-T chart's axes, and a one-epoch chart that shows its point. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { lineChart } from '../../src/engine/report/html';

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*class="a"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

test('SNN accuracy vs T: x labelled with the checkpoints, y a tight band within 0…100%', () => {
  const svg = lineChart('SNN accuracy vs timesteps T', [{ name: 'SNN', values: [0.92, 0.92, 0.92, 0.92] }], { percent: true, x: [10, 25, 50, 100], xLabel: 'T = ' });
  const labels = texts(svg);
  assert.deepEqual(labels.filter((t) => t.startsWith('T = ')), ['T = 10', 'T = 25', 'T = 50', 'T = 100']);
  assert.deepEqual(labels.filter((t) => t.endsWith('%')), ['91.0%', '92.0%', '93.0%']);
  // Positions follow T: 25 sits at 1/6 of the way from 10 to 100.
  const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(xs.length, 4);
  assert.ok(Math.abs((xs[1] - xs[0]) / (xs[3] - xs[0]) - 15 / 90) < 1e-3);
  // A curve near 100% never goes past it.
  const top = texts(lineChart('t', [{ name: 'SNN', values: [0.999, 0.999] }], { percent: true, x: [10, 100], xLabel: 'T = ' }));
  assert.ok(top.filter((t) => t.endsWith('%')).every((t) => parseFloat(t) <= 100));
});

test('one epoch: the point is drawn and the x axis says epoch 1', () => {
  const svg = lineChart('Test accuracy', [{ name: 'run', values: [0.7] }], { percent: true });
  assert.equal((svg.match(/<circle /g) ?? []).length, 1);
  assert.deepEqual(texts(svg).filter((t) => t.startsWith('epoch')), ['epoch 1']);
});
