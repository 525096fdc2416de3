/** A sweep axis with an array index names an item the config has: a huge or out-of-range index is refused with its path, never allocated. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { validateConfig } from '../../src/engine/config/validate';
import { formatPath } from '../../src/engine/config/problems';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { planSweep } from '../../src/engine/experiment/sweepPlan';

const config = (axis: string) => ({
  name: 'ax',
  dataset: { name: 'synthetic', synthetic: { inputSize: 8, classes: 2, trainSize: 100, testSize: 50 } },
  network: { layers: [8, 6, 2] },
  training: { epochs: 2, batchSize: 10 },
  sweep: { grid: { [axis]: [4, 5] } },
});

for (const [axis, code, says] of [
  ['network.layers.100000000', 'sweep.unknown-axis', /index 100000000 is past the 16 items network\.layers may have/],
  ['network.layers.3', 'sweep.axis-index', /index 3 is beyond network\.layers, which has 3 items/],
  ['network.layers.15', 'sweep.axis-index', /index 15 is beyond network\.layers/],
] as const)
  test(`validate refuses the axis ${axis} with its path`, () => {
    const t0 = Date.now();
    const { config: ok, problems } = validateConfig(config(axis));
    assert.equal(ok, undefined);
    const p = problems.find((x) => x.severity === 'error' && x.code === code);
    assert.ok(p, JSON.stringify(problems));
    assert.equal(formatPath(p.path), formatPath(['sweep', 'grid', axis]));
    assert.match(p.message, says);
    assert.ok(Date.now() - t0 < 2000);
  });

test('an index inside the list is an axis; planning refuses one beyond it (the plan is checked against the config, not only the schema)', () => {
  assert.equal(validateConfig(config('network.layers.1')).problems.filter((p) => p.severity === 'error').length, 0);
  const plan = planSweep(loadConfigObject(config('network.layers.1')));
  assert.deepEqual(plan.points.map((p) => p.axes[0].value), [4, 5]);
  const loaded = loadConfigObject({ ...config('network.layers.1'), sweep: undefined });
  assert.throws(() => planSweep(loaded, { spec: { grid: { 'network.layers.7': [4] } } }), /sweep\.grid\.network\.layers\.7: "network\.layers\.7": index 7 is beyond network\.layers/);
  assert.throws(() => planSweep(loaded, { spec: { grid: { 'network.layers.100000000': [4] } } }), /index 100000000 is past the 16 items/);
});
