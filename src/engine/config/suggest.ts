/**
 * "Did you mean …?": the nearest of a few known names to a word the user
 * typed. Bounded by construction, so a multi-megabyte key costs nothing.
 */

/** Words longer than this get no suggestion: no field name is near them. */
const MAX_SUGGEST_LENGTH = 64;

/** Edit distance of a and b, or undefined once it must exceed `limit` (two rows, early exit). */
function editDistance(a: string, b: string, limit: number): number | undefined {
  if (Math.abs(a.length - b.length) > limit) return undefined;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > limit) return undefined;
    prev = cur;
  }
  return prev[b.length] <= limit ? prev[b.length] : undefined;
}

/**
 * The option nearest to `word` (case-insensitive edit distance within
 * max(2, ⌊len/3⌋)), or undefined. Bounded by construction: words longer
 * than 64 characters are not compared, candidates whose length differs by
 * more than the limit are skipped, and a comparison stops once a row exceeds it.
 */
export function closest(word: string, options: readonly string[]): string | undefined {
  if (word.length === 0 || word.length > MAX_SUGGEST_LENGTH) return undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    if (o.length > MAX_SUGGEST_LENGTH) continue;
    const d = editDistance(w, o.toLowerCase(), limit);
    if (d !== undefined && d < bestD) [best, bestD] = [o, d];
  }
  return best;
}

