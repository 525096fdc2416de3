/**
 * Non-dominated sorting of design points (runs, comparisons, sweep points)
 * over any set of objectives, each minimised or maximised. Pure: no imports,
 * used by the extension's Pareto panel and by sweeps.
 *
 * A point p dominates q when p is at least as good as q on every objective
 * and strictly better on one. Points with a non-finite value on an objective
 * take no part (they are neither on the front nor dominated).
 */

export type Sense = 'min' | 'max';

/** True when `a` dominates `b` under `senses`. */
export function dominates(a: readonly number[], b: readonly number[], senses: readonly Sense[]): boolean {
  let better = false;
  for (let k = 0; k < senses.length; k++) {
    const d = senses[k] === 'min' ? b[k] - a[k] : a[k] - b[k];
    if (d < 0) return false;
    if (d > 0) better = true;
  }
  return better;
}

/**
 * Pareto ranks by fast non-dominated sorting (Deb et al. 2002): 0 for the
 * non-dominated front, 1 for the front once rank 0 is removed, and so on;
 * -1 for points with a missing (non-finite) objective. O(n² · d).
 */
export function paretoRanks(points: readonly (readonly number[])[], senses: readonly Sense[]): number[] {
  if (senses.length === 0) throw new Error('paretoRanks: at least one objective is needed');
  for (const [i, p] of points.entries())
    if (p.length !== senses.length) throw new Error(`paretoRanks: point ${i} has ${p.length} values for ${senses.length} objectives`);
  const n = points.length;
  const rank = new Array<number>(n).fill(-1);
  const ok = points.map((p) => p.every(Number.isFinite));
  const dominatedBy = new Int32Array(n);
  const beats: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    if (!ok[i]) continue;
    for (let j = i + 1; j < n; j++) {
      if (!ok[j]) continue;
      if (dominates(points[i], points[j], senses)) {
        beats[i].push(j);
        dominatedBy[j]++;
      } else if (dominates(points[j], points[i], senses)) {
        beats[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  let front: number[] = [];
  for (let i = 0; i < n; i++) if (ok[i] && dominatedBy[i] === 0) front.push(i);
  for (let r = 0; front.length; r++) {
    const next: number[] = [];
    for (const i of front) {
      rank[i] = r;
      for (const j of beats[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    front = next;
  }
  return rank;
}

/** Indices of the non-dominated points (rank 0), sorted by the first objective (ties: by the second). */
export function paretoFront(points: readonly (readonly number[])[], senses: readonly Sense[]): number[] {
  const ranks = paretoRanks(points, senses);
  return ranks
    .flatMap((r, i) => (r === 0 ? [i] : []))
    .sort((a, b) => points[a][0] - points[b][0] || (points[a][1] ?? 0) - (points[b][1] ?? 0));
}

/**
 * Non-dominated flags for two objectives in O(n log n): sort by the first,
 * sweep the second. Agrees with `paretoRanks(...) === 0`; points with a
 * non-finite value get `undefined`.
 */
export function nonDominated2(points: readonly (readonly [number, number])[], senses: readonly [Sense, Sense]): (boolean | undefined)[] {
  const sx = senses[0] === 'min' ? 1 : -1;
  const sy = senses[1] === 'min' ? 1 : -1;
  const out: (boolean | undefined)[] = points.map(() => undefined);
  const idx = points.flatMap((p, i) => (Number.isFinite(p[0]) && Number.isFinite(p[1]) ? [i] : []));
  const x = (i: number) => sx * points[i][0];
  const y = (i: number) => sy * points[i][1];
  idx.sort((a, b) => x(a) - x(b) || y(a) - y(b));
  let best = Infinity;
  for (let g = 0; g < idx.length; ) {
    // One group of equal first objective, ascending in the second: its minimum may be on the front.
    let e = g;
    while (e < idx.length && x(idx[e]) === x(idx[g])) e++;
    const gy = y(idx[g]);
    for (let k = g; k < e; k++) out[idx[k]] = y(idx[k]) === gy && gy < best;
    best = Math.min(best, gy);
    g = e;
  }
  return out;
}
