/**
 * Read-noise draws: standard normal numbers for every column read of a chip,
 * fast and identical on every backend and machine.
 *
 * A chip's reads need one draw per column current per image (with an ADC, per
 * crossbar and weight slice: 3·10⁹ for PUMA's 16-bit weights on the paper
 * network), so the sampler matters: the inverse normal CDF, piecewise linear
 * between 4,096 equiprobable quantiles (one 32-bit draw, one multiply-add) and
 * exact in the two outermost bins (1 draw in 2,048, where the density bends
 * most). Its variance is within 1e-4 of 1 and its tails reach ±6.2σ.
 *
 * Streams are keyed by what a read is, not by how images are batched: chip
 * seed, layer, crossbar (−1 for a layer read as one matrix) and a block of
 * NOISE_BLOCK images, with draws in image-major order. Any batching whose
 * batches start on a block boundary draws the same numbers.
 */
import { Rng } from '../core/rng';

/** Images per noise stream; batch sizes are multiples of it. */
export const NOISE_BLOCK = 50;

const BINS = 4096;

/** Φ⁻¹(p) by Acklam's rational approximation (relative error < 1.2e-9). */
export function inverseNormalCdf(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Quantiles Φ⁻¹(k/BINS), k = 0…BINS (the ends are never used) and the step to the next. */
const QUANTILE = Float64Array.from({ length: BINS + 1 }, (_, k) => (k === 0 || k === BINS ? 0 : inverseNormalCdf(k / BINS)));
const STEP = Float64Array.from({ length: BINS }, (_, k) => QUANTILE[k + 1] - QUANTILE[k]);

/** Fill `out[from…to)` with standard normal draws from `rng`'s stream. */
export function fillNormal(out: Float32Array, rng: Rng, from = 0, to = out.length): void {
  // sfc32 inlined (the same generator as Rng.nextUint32): this loop runs billions of times per PUMA chip.
  let [a, b, c, d] = rng.state();
  for (let i = from; i < to; i++) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    const u = t >>> 0;
    const k = u >>> 20;
    const f = (u & 0xfffff) * (1 / 1048576);
    if (k !== 0 && k !== BINS - 1) out[i] = QUANTILE[k] + f * STEP[k];
    // Outermost bins: the exact quantile of a point inside them (never 0 or 1).
    else out[i] = inverseNormalCdf((k + (f * 1048575 + 0.5) / 1048576) / BINS);
  }
}

/**
 * The stream of one block of images of one crossbar (−1: the whole layer) of
 * one layer of one chip: distinct for every read of a chip (block < 4096,
 * crossbar < 16383, layer < 32: bit fields, the top bit set so that they
 * never meet the programming streams of program.ts; beyond, a hash).
 */
export function noiseRng(chipSeed: number, layer: number, crossbar: number, block: number): Rng {
  const fits = block < 1 << 12 && crossbar + 1 < 1 << 14 && layer < 1 << 5;
  const stream = fits ? (0x80000000 | (layer << 26) | ((crossbar + 1) << 12) | block) >>> 0 : Math.imul(layer + 1, 0x3c6ef372) ^ Math.imul(crossbar + 2, 0x1b873593) ^ Math.imul(block + 1, 0x27d4eb2f);
  return new Rng(chipSeed, stream);
}

/**
 * Read noise of `width` columns for images [first, first + count) of one
 * crossbar (or layer) on a chip, row-major [image][column], into `out` at
 * `offset` with `stride` floats between images (default: width).
 */
export function readNoise(out: Float32Array, chipSeed: number, layer: number, crossbar: number, first: number, count: number, width: number, offset = 0, stride = width): void {
  if (first % NOISE_BLOCK !== 0) throw new Error(`internal error: read-noise batches start on a block of ${NOISE_BLOCK} images (got ${first})`);
  const block = new Float32Array(NOISE_BLOCK * width);
  for (let s = 0; s < count; s += NOISE_BLOCK) {
    const n = Math.min(NOISE_BLOCK, count - s);
    fillNormal(block, noiseRng(chipSeed, layer, crossbar, (first + s) / NOISE_BLOCK), 0, n * width);
    for (let i = 0; i < n; i++) out.set(block.subarray(i * width, (i + 1) * width), offset + (s + i) * stride);
  }
}
