/** A sweep axis value beyond its presets' largest reliable crossbar is warned at that value, as a single config with the same crossbar is. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { diagnoseText, type LocatedProblem } from '../../src/engine/config/diagnostics';
import { formatPath } from '../../src/engine/config/validate';

const config = (sweep: unknown, hardware?: unknown) =>
  JSON.stringify({ dataset: { name: 'mnist' }, network: { layers: [784, 100, 10] }, training: { epochs: 4 }, ...(hardware ? { hardware } : {}), sweep }, null, 2);
const warned = (t: string): LocatedProblem[] => diagnoseText(t, { baseDir: process.cwd() }).problems.filter((p) => p.code === 'sweep.crossbar-above-preset-max');
const covered = (t: string, r: { range: LocatedProblem['range'] }) => t.slice(r.range.start.offset, r.range.end.offset);

test('the default preset (resparc-45nm, 64): 128 in the grid is warned at its own position; 32 and 64 are not', () => {
  const t = config({ grid: { crossbar: [32, 64, 128], mode: ['trannsformer'] } });
  const ps = warned(t);
  assert.equal(ps.length, 1);
  assert.equal(ps[0].severity, 'warning');
  assert.equal(formatPath(ps[0].path), 'sweep.grid.crossbar[2]');
  assert.equal(covered(t, ps[0]), '128');
  const line = t.split('\n').findIndex((l) => /^\s*128\s*$/.test(l)) + 1;
  assert.equal(ps[0].range.start.line, line, 'the line of the value 128');
  assert.match(ps[0].message, /128×128 exceeds resparc-45nm's largest reliable crossbar \(64×64\): its points are priced with a warning and never recommended/);
  // The preset is the default: the related place is not (1,1).
  assert.notDeepEqual([ps[0].relatedRanges![0].range.start.line, ps[0].relatedRanges![0].range.start.column], [1, 1]);
  // The single config with the same value is warned too (the check this one mirrors).
  const single = JSON.stringify({ dataset: { name: 'mnist' }, network: { layers: [784, 100, 10] }, training: { epochs: 4 }, transform: { crossbar: 128 } }, null, 2);
  assert.equal(diagnoseText(single, { baseDir: process.cwd() }).problems.filter((p) => p.code === 'crossbar.above-preset-max').length, 1);
});

test('the grid\'s preset axis decides: a value beyond some of its presets names them and relates to each', () => {
  const t = config({ grid: { crossbar: [64, 128, 256], preset: ['resparc-45nm', 'puma-32nm'] } });
  const ps = warned(t);
  assert.deepEqual(ps.map((p) => formatPath(p.path)), ['sweep.grid.crossbar[1]', 'sweep.grid.crossbar[2]']);
  assert.match(ps[0].message, /exceeds resparc-45nm's .*: its points with resparc-45nm are priced/);
  assert.deepEqual(ps[0].relatedRanges!.map((r) => covered(t, r)), ['"resparc-45nm"']);
  assert.match(ps[1].message, /exceeds resparc-45nm's .* and puma-32nm's .*: its points are priced/);
  assert.deepEqual(ps[1].relatedRanges!.map((r) => covered(t, r)), ['"resparc-45nm"', '"puma-32nm"']);
  // The config's own preset, when the grid has no preset axis; random lists and ranges too.
  assert.deepEqual(warned(config({ grid: { crossbar: [128, 256] } }, { preset: 'puma-32nm' })).map((p) => formatPath(p.path)), ['sweep.grid.crossbar[1]']);
  const r = config({ random: { samples: 2, seed: 1, ranges: { crossbar: { values: [32, 128] } } } });
  assert.deepEqual(warned(r).map((p) => formatPath(p.path)), ['sweep.random.ranges.crossbar.values[1]']);
  assert.deepEqual(warned(config({ grid: { crossbar: [16, 32, 64] } })), []);
});

test('with hwAccuracy among the objectives the same value is a hint: measured on chips, its accuracy decides', () => {
  const t = config({ grid: { crossbar: [32, 64, 128], mode: ['original', 'trannsformer'] }, objectives: ['area', 'energy', 'hwAccuracy'] });
  const ps = warned(t);
  assert.equal(ps.length, 1);
  assert.equal(ps[0].severity, 'hint');
  assert.equal(formatPath(ps[0].path), 'sweep.grid.crossbar[2]');
  assert.match(ps[0].message, /128×128 exceeds resparc-45nm's largest reliable crossbar \(64×64\), as the source claims it: its points are measured on simulated chips \(hwAccuracy\), and their measured accuracy decides/);
  assert.doesNotMatch(ps[0].message, /never recommended/);
});
