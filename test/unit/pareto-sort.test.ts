/** The non-dominated sort against brute force on random points, ties and duplicates included. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { dominates, nonDominated2, paretoFront, paretoRanks, type Sense } from '../../src/engine/core/pareto';
import { Rng } from '../../src/engine/core/rng';

/** Ranks by peeling: a point is in the current front when no remaining point dominates it (by the definition, written out). */
function bruteRanks(points: number[][], senses: Sense[]): number[] {
  const better = (a: number[], b: number[]) => {
    let strict = false;
    for (let k = 0; k < senses.length; k++) {
      const ak = senses[k] === 'min' ? a[k] : -a[k];
      const bk = senses[k] === 'min' ? b[k] : -b[k];
      if (ak > bk) return false;
      if (ak < bk) strict = true;
    }
    return strict;
  };
  const rank = points.map((p) => (p.every(Number.isFinite) ? Infinity : -1));
  for (let r = 0; rank.some((x) => x === Infinity); r++) {
    const left = rank.flatMap((x, i) => (x === Infinity ? [i] : []));
    const front = left.filter((i) => !left.some((j) => j !== i && better(points[j], points[i])));
    assert.ok(front.length > 0, 'a non-empty set always has a non-dominated point');
    for (const i of front) rank[i] = r;
  }
  return rank;
}

/** Random points on a coarse grid (many ties), with duplicates and the odd missing value. */
function randomPoints(rng: Rng, n: number, d: number, levels: number, missing: boolean): number[][] {
  const pts: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (pts.length && rng.next() < 0.15) pts.push([...pts[rng.int(pts.length)]]);
    else pts.push(Array.from({ length: d }, () => (missing && rng.next() < 0.03 ? NaN : rng.int(levels) / levels)));
  }
  return pts;
}

test('paretoRanks equals brute-force peeling on random points (ties, duplicates, missing values, 1–4 objectives, mixed senses)', () => {
  const rng = new Rng(13);
  let fronts = 0;
  for (let trial = 0; trial < 400; trial++) {
    const d = 1 + (trial % 4);
    const senses: Sense[] = Array.from({ length: d }, () => (rng.next() < 0.5 ? 'min' : 'max'));
    const pts = randomPoints(rng, 1 + rng.int(40), d, 2 + rng.int(6), trial % 3 === 0);
    const expected = bruteRanks(pts, senses);
    assert.deepEqual(paretoRanks(pts, senses), expected, `trial ${trial}: ${JSON.stringify({ pts, senses })}`);
    const front = paretoFront(pts, senses);
    assert.deepEqual([...front].sort((a, b) => a - b), expected.flatMap((r, i) => (r === 0 ? [i] : [])));
    fronts += front.length;
    // Duplicates share their rank; nothing dominates itself.
    for (let i = 0; i < pts.length; i++) {
      assert.equal(dominates(pts[i], pts[i], senses), false);
      for (let j = 0; j < pts.length; j++) if (JSON.stringify(pts[i]) === JSON.stringify(pts[j])) assert.equal(expected[i], expected[j]);
    }
    if (d === 2) {
      const flags = nonDominated2(pts as [number, number][], senses as [Sense, Sense]);
      assert.deepEqual(flags, expected.map((r) => (r < 0 ? undefined : r === 0)), `trial ${trial} (2-d sweep)`);
    }
  }
  assert.ok(fronts > 400, 'the trials are not degenerate');
});

test('a point equal to a front point on every objective is on the front too; one better on one objective beats it', () => {
  const senses: Sense[] = ['min', 'min', 'max'];
  assert.deepEqual(paretoRanks([[1, 1, 0.9], [1, 1, 0.9], [1, 1, 0.8], [0.5, 2, 0.9]], senses), [0, 0, 1, 0]);
});
