/**
 * The derived reliable size replaces the typed one wherever a recommendation
 * is made: a sweep point priced beyond its preset's claimed largest crossbar
 * is an invalid design on the claim's word alone, but measured on simulated
 * chips its accuracy decides (the claim stays visible as a note).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { figuresAt, formatSweepTable } from '../../src/engine/experiment/sweep';
import type { Evaluation, PricedMapping } from '../../src/engine/format/evaluation';

const priced = (x: number): PricedMapping =>
  ({
    crossbarSize: x,
    preset: 'resparc-45nm',
    scheme: 'dense',
    mpes: 4096 / x,
    perLayer: [],
    utilisation: 1,
    area: { total_mm2: x / 100 },
    energy: { total_uJ: 1 },
    warnings: x > 64 ? [`${x}×${x} exceeds resparc-45nm's largest reliable crossbar (64×64)`] : [],
  }) as unknown as PricedMapping;

function evaluation(measured: boolean): Evaluation {
  return {
    snn: { accuracy: 0.95 },
    results: [priced(64), priced(128)],
    ...(measured
      ? {
          hardwareAccuracy: {
            chips: 3,
            results: [64, 128].map((x) => ({ preset: 'resparc-45nm', crossbarSize: x, accuracy: { n: 3, mean: 0.97, std: 0.001, min: 0.969, max: 0.971 }, adcBits: 0 })),
          },
        }
      : {}),
  } as unknown as Evaluation;
}

test('unmeasured, 128×128 beyond the claim is an invalid design (warnings)', () => {
  const f = figuresAt(evaluation(false), [64, 128], ['resparc-45nm'], 128, 'resparc-45nm', 0.98);
  assert.ok(!('error' in f));
  assert.deepEqual(f.warnings, ["128×128 exceeds resparc-45nm's largest reliable crossbar (64×64)"]);
  assert.equal(f.beyondClaim, undefined);
});

test('measured on chips, the same point carries no warning: the claim becomes a note and the measurement decides', () => {
  const f = figuresAt(evaluation(true), [64, 128], ['resparc-45nm'], 128, 'resparc-45nm', 0.98);
  assert.ok(!('error' in f));
  assert.equal(f.warnings, undefined);
  assert.equal(f.hwAccuracy, 0.97);
  assert.match(f.beyondClaim ?? '', /128×128 exceeds resparc-45nm's largest reliable crossbar \(64×64\): the source's claim; accuracy measured on 3 simulated chips decides/);
  const at64 = figuresAt(evaluation(true), [64, 128], ['resparc-45nm'], 64, 'resparc-45nm', 0.98);
  assert.ok(!('error' in at64) && at64.beyondClaim === undefined && at64.warnings === undefined);
});

test('the sweep table marks such a point as measured beyond the claim, not as invalid', () => {
  const fig = figuresAt(evaluation(true), [64, 128], ['resparc-45nm'], 128, 'resparc-45nm', 0.98);
  assert.ok(!('error' in fig));
  const text = formatSweepTable({
    format: 'trannsformer-pareto',
    formatVersion: 1,
    name: 's',
    objectives: ['area', 'energy', 'hwAccuracy'],
    accuracyLossLimit: 0.01,
    done: 1,
    planned: 1,
    front: ['p1'],
    points: [{ id: 'p1', jobId: 'j1', status: 'completed', mode: 'original', crossbar: 128, preset: 'resparc-45nm', epochs: 2, axes: {}, figures: fig, rank: 0, accuracyLoss: 0.01 }],
    recommended: 'p1',
    sharing: { trainings: 1, points: 1, trainingsSaved: 0 },
  } as never);
  assert.match(text, /beyond the preset's claim: measured on chips/);
  assert.doesNotMatch(text, /⚠/);
});
