/**
 * Hardware accuracy where the project records it: a run with `hardware.chips`
 * keeps it in result.json, `evaluate --chips` at the run's own preset and size
 * updates that summary, and a sweep with the hwAccuracy objective measures it
 * per point (with `hardware.device` overrides) and recommends on it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { executeRun } from '../../src/engine/experiment/run';
import { executeSweep } from '../../src/engine/experiment/sweep';
import { evaluateRun } from '../../src/engine/experiment/evaluate';
import { readRun } from '../../src/engine/store/runFolder';
import type { RunHardwareSummary } from '../../src/engine/format/run';
import { tmpDir } from '../helpers/files';

const base = {
  name: 'synth',
  dataset: { name: 'synthetic', synthetic: { inputSize: 64, classes: 5, trainSize: 1500, testSize: 400, noise: 0.5 } },
  network: { layers: [64, 48, 5], init: { distribution: 'he' } },
  training: { epochs: 3, batchSize: 50, learningRate: 0.1, seed: 3, workers: 1 },
  hardware: { snnImages: 50, timesteps: 20 },
  backend: 'wasm',
};
const quiet = () => undefined;
const summary = (dir: string) => readRun(dir).result!.hardware as RunHardwareSummary;

test('hardware.chips in a run: result.json carries the hardware accuracy; evaluate --chips at its own preset and size updates it', async () => {
  const dir = tmpDir('hw-run-');
  const loaded = loadConfigObject({ ...base, transform: { mode: 'original', crossbar: 32 }, hardware: { ...base.hardware, chips: 2 } }, dir);
  const { dir: runDir } = await executeRun({ loaded, outRoot: dir, emit: quiet });
  const h = summary(runDir).hardwareAccuracy!;
  assert.ok(h, 'result.json has the hardware accuracy');
  assert.equal(h.chips, 2);
  assert.equal(h.claimedCrossbar, 64);
  assert.ok(h.min <= h.mean && h.mean <= h.max && h.mean > 0.3, JSON.stringify(h));
  // Another preset or the ideal device leaves the run's figure alone; its own preset and size replaces it.
  await evaluateRun(runDir, { chips: 1, presets: ['puma-32nm'] });
  assert.equal(summary(runDir).hardwareAccuracy!.chips, 2);
  await evaluateRun(runDir, { chips: 1, ideal: ['wires'] });
  assert.equal(summary(runDir).hardwareAccuracy!.chips, 2);
  await evaluateRun(runDir, { chips: 1, crossbars: [16, 32] });
  const after = summary(runDir);
  assert.equal(after.hardwareAccuracy!.chips, 1);
  assert.equal(after.crossbarSize, 32);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a sweep with the hwAccuracy objective and lossy wires: points carry it, the largest crossbar is not recommended', async () => {
  const dir = tmpDir('hw-sweep-');
  const raw = {
    ...base,
    transform: { mode: 'original' },
    // Planted: wires of 300 Ω per cell, so IR drop costs accuracy at 64×64 but not at 8×8.
    hardware: { ...base.hardware, device: { wireRow_ohm: 300, wireCol_ohm: 300 } },
    sweep: { grid: { crossbar: [8, 64], mode: ['original'] }, objectives: ['area', 'energy', 'hwAccuracy'], accuracyLossLimit: 0.02 },
  };
  const { front } = await executeSweep({ loaded: loadConfigObject(raw, dir), outRoot: dir, emit: quiet });
  assert.equal(front.done, 2);
  const [small, large] = [8, 64].map((x) => front.points.find((p) => p.crossbar === x)!);
  for (const p of [small, large]) {
    assert.ok(p.figures?.hwAccuracy !== undefined, `${p.id} has hwAccuracy`);
    assert.equal(p.figures.hwAccuracySpread?.chips, 3, 'hardware.chips is 0: the objective measures 3 chips');
  }
  assert.ok(large.figures!.hwAccuracy! < small.figures!.hwAccuracy! - 0.03, `64×64 ${large.figures!.hwAccuracy} vs 8×8 ${small.figures!.hwAccuracy}`);
  // The loss is measured on the chips: the original's software accuracy minus the point's hardware accuracy.
  assert.ok(Math.abs(large.accuracyLoss! - (large.figures!.testAccuracy! - large.figures!.hwAccuracy!)) < 1e-12);
  assert.equal(front.recommended, small.id, `recommended ${front.recommended}; ${front.noRecommendation ?? ''}`);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a one-point sweep with hwAccuracy: the run\'s own pricing has no chips, so the point is measured again on them', async () => {
  const dir = tmpDir('hw-sweep1-');
  const raw = { ...base, transform: { mode: 'original' }, sweep: { grid: { crossbar: [16] }, objectives: ['area', 'hwAccuracy'] } };
  const { front } = await executeSweep({ loaded: loadConfigObject(raw, dir), outRoot: dir, emit: quiet });
  const f = front.points[0].figures!;
  assert.equal(f.hwAccuracySpread?.chips, 3);
  assert.ok(f.hwAccuracy! > 0.3 && f.hwAccuracy! <= 1, `hwAccuracy ${f.hwAccuracy}`);
  fs.rmSync(dir, { recursive: true, force: true });
});
