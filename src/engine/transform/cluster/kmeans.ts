/**
 * k-means for CLUSTER's "k-means the embedding into k groups" (TraNNsformer
 * §5): k-means++ seeding from a seeded generator, Lloyd iterations, a few
 * restarts, the lowest inertia wins — the same groups on the same seed.
 */
import type { Rng } from '../../core/rng';

/** k-means (k-means++ seeding, Lloyd iterations) on n points of dimension d; a few restarts, best inertia wins. */
export function kmeans(points: Float64Array, n: number, d: number, k: number, rng: Rng, restarts = 3): Int32Array {
  let best = new Int32Array(n);
  let bestInertia = Infinity;
  const kk = Math.min(k, n);
  for (let r = 0; r < restarts; r++) {
    const centres = new Float64Array(kk * d);
    const dist = new Float64Array(n).fill(Infinity);
    const first = rng.int(n);
    centres.set(points.subarray(first * d, first * d + d), 0);
    for (let c = 1; c < kk; c++) {
      let total = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += (points[i * d + t] - centres[(c - 1) * d + t]) ** 2;
        if (s < dist[i]) dist[i] = s;
        total += dist[i];
      }
      let pick = rng.next() * total;
      let chosen = n - 1;
      for (let i = 0; i < n; i++) {
        pick -= dist[i];
        if (pick <= 0) {
          chosen = i;
          break;
        }
      }
      centres.set(points.subarray(chosen * d, chosen * d + d), c * d);
    }
    const label = new Int32Array(n);
    let inertia = 0;
    for (let it = 0; it < 100; it++) {
      let changed = it === 0;
      inertia = 0;
      for (let i = 0; i < n; i++) {
        let bi = 0;
        let bd = Infinity;
        for (let c = 0; c < kk; c++) {
          let s = 0;
          for (let t = 0; t < d; t++) s += (points[i * d + t] - centres[c * d + t]) ** 2;
          if (s < bd) [bd, bi] = [s, c];
        }
        if (label[i] !== bi) {
          label[i] = bi;
          changed = true;
        }
        inertia += bd;
      }
      if (!changed) break;
      const counts = new Int32Array(kk);
      centres.fill(0);
      for (let i = 0; i < n; i++) {
        counts[label[i]]++;
        for (let t = 0; t < d; t++) centres[label[i] * d + t] += points[i * d + t];
      }
      for (let c = 0; c < kk; c++) {
        if (counts[c] === 0) {
          const i = rng.int(n); // re-seed an empty centre
          centres.set(points.subarray(i * d, i * d + d), c * d);
        } else for (let t = 0; t < d; t++) centres[c * d + t] /= counts[c];
      }
    }
    if (inertia < bestInertia) [bestInertia, best] = [inertia, label];
  }
  return best;
}
