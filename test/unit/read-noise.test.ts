/**
 * The read-noise sampler: standard normal to the moments and the CDF, its
 * quantile table exact at the bin edges, and the draws of a read the same
 * however the images are batched.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/engine/core/rng';
import { NOISE_BLOCK, fillNormal, inverseNormalCdf, noiseRng, readNoise } from '../../src/engine/hardware/readNoise';

/** Φ(x) by the Abramowitz–Stegun erf (|error| < 1.5e-7): independent of the sampler's own inverse. */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

test('Φ⁻¹ inverts Φ (Acklam, against an independent erf)', () => {
  for (const p of [1e-9, 1e-6, 0.001, 0.02, 0.1, 0.3, 0.5, 0.77, 0.975, 0.999, 1 - 1e-7]) {
    const x = inverseNormalCdf(p);
    assert.ok(Math.abs(normalCdf(x) - p) < 2e-7 + p * 1e-6, `Φ(Φ⁻¹(${p})) = ${normalCdf(x)}`);
  }
  assert.equal(inverseNormalCdf(0.5), 0);
});

test('two million draws: mean 0, variance 1, kurtosis 3, tails and the CDF of a normal', () => {
  const n = 2_000_000;
  const x = new Float32Array(n);
  fillNormal(x, new Rng(7, 3));
  let s1 = 0;
  let s2 = 0;
  let s4 = 0;
  let beyond3 = 0;
  let max = 0;
  for (const v of x) {
    s1 += v;
    s2 += v * v;
    s4 += v ** 4;
    if (Math.abs(v) > 3) beyond3++;
    max = Math.max(max, Math.abs(v));
  }
  const mean = s1 / n;
  const variance = s2 / n - mean * mean;
  assert.ok(Math.abs(mean) < 0.003, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.004, `variance ${variance}`);
  assert.ok(Math.abs(s4 / n - 3) < 0.03, `fourth moment ${s4 / n}`);
  // P(|Z| > 3) = 0.0027: 5,400 expected, σ ≈ 73.
  assert.ok(Math.abs(beyond3 - 0.0027 * n) < 400, `beyond 3σ: ${beyond3}`);
  assert.ok(max > 4.5 && max < 6.3, `largest |draw| ${max}`);
  // Kolmogorov–Smirnov distance on a sorted sample.
  const sorted = Float64Array.from(x.subarray(0, 200_000)).sort();
  let d = 0;
  sorted.forEach((v, i) => (d = Math.max(d, Math.abs(normalCdf(v) - (i + 0.5) / sorted.length))));
  assert.ok(d < 0.004, `KS distance ${d} (1% critical value 0.0036 at n = 200,000)`);
});

test('a read\'s draws do not depend on how the images are batched', () => {
  const width = 7;
  const all = new Float32Array(230 * width);
  readNoise(all, 11, 1, 5, 0, 230, width);
  const parts = new Float32Array(230 * width);
  readNoise(parts, 11, 1, 5, 0, NOISE_BLOCK, width);
  readNoise(parts, 11, 1, 5, NOISE_BLOCK, 150, width, NOISE_BLOCK * width);
  readNoise(parts, 11, 1, 5, 200, 30, width, 200 * width);
  assert.deepEqual(parts, all);
  // Into a wider layout with a stride: the same numbers, row by row.
  const strided = new Float32Array(230 * 10);
  readNoise(strided, 11, 1, 5, 0, 230, width, 0, 10);
  for (let i = 0; i < 230; i++) assert.deepEqual(strided.subarray(i * 10, i * 10 + width), all.subarray(i * width, (i + 1) * width));
  assert.throws(() => readNoise(parts, 11, 1, 5, 13, 10, width), /start on a block of 50 images/);
});

test('every read of a chip has its own stream; chips differ', () => {
  const first = (r: Rng) => r.nextUint32();
  const seen = new Set<number>();
  for (let layer = 0; layer < 3; layer++) for (let xb = -1; xb < 40; xb++) for (let block = 0; block < 20; block++) seen.add(first(noiseRng(1, layer, xb, block)));
  assert.equal(seen.size, 3 * 41 * 20);
  assert.notEqual(first(noiseRng(1, 0, 0, 0)), first(noiseRng(2, 0, 0, 0)));
});
