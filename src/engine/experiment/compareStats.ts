/**
 * The statistics of a comparison over several seeds: per mode, the mean,
 * the sample standard deviation and the min–max range of test accuracy and
 * mPEs, the accuracy difference against the original (paired by seed), and
 * the verdict in words. A difference no larger than the spread of either
 * mode is "no measurable loss" — never a win, and never a loss either: with
 * a handful of seeds nothing smaller can be told apart from the noise.
 */
import type { AccuracyVerdict, CompareModeSummary, CompareRow, Spread } from '../format/compare';

/** Mean, sample standard deviation (n − 1; undefined below two values) and range of finite values; undefined when there are none. */
export function spreadOf(values: readonly (number | undefined)[]): Spread | undefined {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return undefined;
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n >= 2 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : undefined;
  return { n, mean, std, min: Math.min(...xs), max: Math.max(...xs) };
}

const pt = (x: number) => `${x < 0 ? '−' : x > 0 ? '+' : ''}${Math.abs(100 * x).toFixed(2)} pt`;

/**
 * The verdict on a mode's accuracy against the original's. `delta` is the
 * mean of the per-seed differences (mode − original, fractions); `noise` is
 * the larger sample standard deviation of the two modes' accuracies.
 * |delta| ≤ noise: no measurable loss. One seed: the noise is unknown, and
 * the difference is reported as it is, saying so.
 */
export function accuracyVerdict(delta: number | undefined, noise: number | undefined, seeds: number): AccuracyVerdict {
  if (delta === undefined || !Number.isFinite(delta)) return { kind: 'unavailable', text: 'no accuracy to compare' };
  if (seeds < 2 || noise === undefined || !Number.isFinite(noise))
    return { kind: 'single-seed', text: `${pt(delta)} (1 seed: spread unknown, so not a measured loss or gain)` };
  const within = `spread ±${(100 * noise).toFixed(2)} pt over ${seeds} seeds`;
  if (Math.abs(delta) <= noise) return { kind: 'no-measurable-loss', text: `no measurable loss (${pt(delta)}, within the ${within})` };
  if (delta < 0) return { kind: 'loss', text: `loss of ${(100 * -delta).toFixed(2)} pt (beyond the ${within})` };
  return { kind: 'gain', text: `${pt(delta)} above the original (beyond the ${within})` };
}

/**
 * One summary per mode (in the rows' order of first appearance): spreads of
 * accuracy and mPEs over the mode's completed runs, accuracy differences
 * paired by seed against the original, the verdict, and reductions of the
 * mean mPEs against the original's and pruning's means.
 */
export function summarizeCompare(rows: readonly CompareRow[]): CompareModeSummary[] {
  const modes = [...new Set(rows.map((r) => r.mode))];
  const done = (mode: string) => rows.filter((r) => r.mode === mode && r.status === 'completed');
  const orig = done('original');
  const origBySeed = new Map(orig.map((r) => [r.seed, r]));
  const origAcc = spreadOf(orig.map((r) => r.testAccuracy));
  const origMpes = spreadOf(orig.map((r) => r.mpes));
  const prunMpes = spreadOf(done('pruning').map((r) => r.mpes));
  const red = (x: Spread | undefined, ref: Spread | undefined) => (x && ref && ref.mean ? 1 - x.mean / ref.mean : undefined);
  return modes.map((mode) => {
    const mine = done(mode);
    const testAccuracy = spreadOf(mine.map((r) => r.testAccuracy));
    const mpes = spreadOf(mine.map((r) => r.mpes));
    const summary: CompareModeSummary = {
      mode,
      seeds: rows.filter((r) => r.mode === mode).map((r) => r.seed),
      completed: mine.length,
      testAccuracy,
      mpes,
      paperMpes: spreadOf(mine.map((r) => r.paperMpes)),
      reductionVsOriginal: red(mpes, origMpes),
      reductionVsPruning: red(mpes, prunMpes),
      verdict: { kind: 'reference', text: 'reference' },
    };
    if (mode === 'original') return summary;
    // Differences paired by seed: the same data, initialisation and shuffling on both sides.
    const paired = mine.flatMap((r) => {
      const o = origBySeed.get(r.seed);
      return o?.testAccuracy !== undefined && r.testAccuracy !== undefined ? [r.testAccuracy - o.testAccuracy] : [];
    });
    summary.deltaAccuracy = spreadOf(paired);
    const noise = testAccuracy?.std !== undefined && origAcc?.std !== undefined ? Math.max(testAccuracy.std, origAcc.std) : undefined;
    summary.verdict = accuracyVerdict(summary.deltaAccuracy?.mean, noise, paired.length);
    return summary;
  });
}
