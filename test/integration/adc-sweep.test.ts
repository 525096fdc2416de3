/**
 * A sweep over `hardware.device.adcBits` with the hwAccuracy objective: each
 * point is measured on chips through its ADCs, so its area and energy are
 * that bit-serial machine's and move with the bits (Walden scaling of the
 * preset's 8-bit figure) — bits trade accuracy against energy on the front.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { executeSweep } from '../../src/engine/experiment/sweep';
import { tmpDir } from '../helpers/files';

test('a sweep over device.adcBits on puma-32nm: points whose energy and area differ by the ADC\'s 2^bits, on the ADC machine', async () => {
  const dir = tmpDir('adc-sweep-');
  const raw = {
    name: 'synth',
    dataset: { name: 'synthetic', synthetic: { inputSize: 64, classes: 5, trainSize: 600, testSize: 200, noise: 0.5 } },
    network: { layers: [64, 48, 5], init: { distribution: 'he' } },
    training: { epochs: 2, batchSize: 50, learningRate: 0.1, seed: 3, workers: 1 },
    transform: { mode: 'original', crossbar: 16 },
    hardware: { preset: 'puma-32nm', snnImages: 50, timesteps: 20, chips: 1 },
    backend: 'wasm',
    sweep: { grid: { 'hardware.device.adcBits': [4, 8] }, objectives: ['area', 'energy', 'hwAccuracy'], accuracyLossLimit: 0.5 },
  };
  const { front } = await executeSweep({ loaded: loadConfigObject(raw, dir), outRoot: dir, emit: () => undefined });
  assert.equal(front.done, 2);
  const [b4, b8] = [4, 8].map((b) => front.points.find((p) => p.axes['hardware.device.adcBits'] === b)!.figures!);
  for (const f of [b4, b8]) {
    assert.equal(f.machine, 'adc', 'measured through ADCs: the ADC machine is priced');
    assert.ok(f.hwAccuracy !== undefined && f.hwAccuracySpread?.chips === 1);
  }
  assert.equal(b4.mpes, 15);
  // Dense 64-48-5 on 16×16: Σ over crossbars of their output columns = 48·4 + 5·3 = 207; 8 input slices, 2 arrays per mPE.
  // Energy: 207 columns · 16 conversions · (1.8 − 1.8/16) pJ fewer at 4 bits. Area: 15 mPEs · 2 ADCs · (1200 − 75) µm².
  const dE = (207 * 16 * (1.8 - 1.8 / 16)) / 1e6;
  const dA = (15 * 2 * (1200 - 1200 / 16)) / 1e6;
  assert.ok(Math.abs(b8.energy_uJ - b4.energy_uJ - dE) < 1e-12, `energy ${b8.energy_uJ} − ${b4.energy_uJ} ≠ ${dE}`);
  assert.ok(Math.abs(b8.area_mm2 - b4.area_mm2 - dA) < 1e-12, `area ${b8.area_mm2} − ${b4.area_mm2} ≠ ${dA}`);
  // points.csv carries the machine and the chips' accuracy.
  const sweepDir = fs.readdirSync(dir).map((d) => path.join(dir, d)).find((d) => fs.existsSync(path.join(d, 'points.csv')))!;
  const [head, ...lines] = fs.readFileSync(path.join(sweepDir, 'points.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  for (const l of lines) assert.equal(l[head.indexOf('machine')], 'adc');
  assert.ok(lines.every((l) => Number(l[head.indexOf('hw_accuracy')]) > 0));
  fs.rmSync(dir, { recursive: true, force: true });
});
