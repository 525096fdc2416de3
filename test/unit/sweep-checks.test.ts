import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { diagnoseText, type LocatedProblem } from '../../src/engine/config/diagnostics';
import { applyTextEdits, quickFixes } from '../../src/engine/config/fixes';
import { formatPath } from '../../src/engine/config/validate';
import { countSweepPoints, resolveAxis } from '../../src/engine/config/sweepAxes';
import { expandAxes } from '../../src/engine/experiment/sweepPlan';
import { SWEEP_POINTS_WARNING } from '../../src/engine/config/checks';

const config = (sweep: unknown) => JSON.stringify({ dataset: { name: 'mnist' }, network: { layers: [784, 100, 10] }, training: { epochs: 4 }, sweep }, null, 2);
const sweepProblems = (t: string): LocatedProblem[] => diagnoseText(t).problems.filter((p) => p.code.startsWith('sweep.'));
const covered = (t: string, p: LocatedProblem) => t.slice(p.range.start.offset, p.range.end.offset);

test('a misspelt axis is an error at its key, with a rename to the nearest axis that clears it', () => {
  const t = config({ grid: { crosbar: [32, 64], mode: ['original', 'trannsformer'] } });
  const [p] = sweepProblems(t);
  assert.equal(p.code, 'sweep.unknown-axis');
  assert.equal(p.severity, 'error');
  assert.equal(formatPath(p.path), 'sweep.grid.crosbar');
  assert.match(p.message, /did you mean "crossbar"/);
  assert.match(covered(t, p), /crosbar|\[/);
  const fixes = quickFixes(t, p);
  assert.equal(fixes.length, 1);
  const fixed = applyTextEdits(t, fixes[0].edits);
  assert.deepEqual(sweepProblems(fixed), []);
});

test('a dotted path must name a numeric field; random ranges are checked the same way', () => {
  const t = config({ random: { samples: 2, ranges: { 'training.loss': { values: ['x'] }, 'training.learningRate': { min: 0.1, max: 0.5 } } } });
  const ps = sweepProblems(t);
  assert.equal(ps.length, 1);
  assert.equal(formatPath(ps[0].path), 'sweep.random.ranges["training.loss"]');
  assert.match(ps[0].message, /not a numeric field/);
  assert.ok('path' in resolveAxis('training.learningRate'));
  assert.ok('problem' in resolveAxis('network.nope'));
});

test('the point count the editor shows is the planner\'s: a warning above the threshold, an error over the budget', () => {
  const grid = { crossbar: [16, 32, 64, 128], mode: ['original', 'pruning', 'trannsformer'], 'training.learningRate': [0.1, 0.2, 0.3, 0.4, 0.5] };
  assert.equal(countSweepPoints({ grid }), 60);
  assert.equal(expandAxes({ grid }).length, 60);
  const random = { samples: 3, seed: 1, ranges: { qualityMin: { min: 0.2, max: 0.4 } } };
  assert.equal(countSweepPoints({ grid, random }), expandAxes({ grid, random }).length);
  assert.ok(60 > SWEEP_POINTS_WARNING);
  const warn = sweepProblems(config({ grid }));
  assert.deepEqual(warn.map((p) => [p.code, p.severity]), [['sweep.too-many-points', 'warning']]);
  assert.match(warn[0].message, /plans 60 points/);
  const over = sweepProblems(config({ grid, maxPoints: 40 }));
  assert.deepEqual(over.map((p) => [p.code, p.severity]), [['sweep.too-many-points', 'error']]);
  assert.match(over[0].message, /plans 60 points, more than the budget of 40/);
  assert.equal(formatPath(over[0].relatedRanges![0].path), 'sweep.maxPoints');
  assert.deepEqual(sweepProblems(config({ grid: { crossbar: [32, 64] } })), []);
});

test('a sweep section without axes plans one point: a warning', () => {
  const ps = sweepProblems(config({ objectives: ['area'] }));
  assert.deepEqual(ps.map((p) => p.code), ['sweep.no-axes']);
});
