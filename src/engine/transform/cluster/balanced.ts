/**
 * Balanced co-clustering (beyond the paper; `transform.clustering:
 * "balanced"`): the same spectral embedding as CLUSTER, then k-means whose
 * assignment respects crossbar capacities, so every group's block fills (at
 * most) one crossbar.
 */
import { Rng } from '../../core/rng';
import { sparseBlock, type BinaryMatrix } from '../../core/sparse';
import { kmeans } from './kmeans';
import { blockQuality, type Cluster } from './scic';
import { coClusterPoints } from './spectral';

/**
 * Balanced co-clustering (beyond the paper): partition a layer's connected
 * outputs and inputs into g = max(⌈rows/x⌉, ⌈cols/x⌉) groups of at most x
 * outputs and x inputs each, so every group's block fills (at most) one
 * crossbar. Spectral embedding as in CLUSTER, then k-means whose assignment
 * step respects the capacities (nearest free group, closest pairs first).
 * Every group becomes a cluster, whatever its quality.
 */
export function balancedCoCluster(m: BinaryMatrix, x: number, seed: number, iterations = 15): Cluster[] {
  const s = sparseBlock(m);
  const nr = s.rowIds.length;
  const nc = s.colIds.length;
  if (nr === 0 || nc === 0) return [];
  const g = Math.max(Math.ceil(nr / x), Math.ceil(nc / x));
  const quality = (outs: ArrayLike<number>, ins: ArrayLike<number>) => blockQuality(m, Array.from(outs), Array.from(ins)).quality;
  if (g === 1) return [{ outputs: Int32Array.from(s.rowIds), inputs: Int32Array.from(s.colIds), quality: quality(s.rowIds, s.colIds), valid: true }];
  const rng = new Rng(seed, 0xba1);
  const { points: pts, d } = coClusterPoints(s, Math.min(Math.max(g, 2), 16, nr, nc), rng);
  const n = nr + nc;
  let label = kmeans(pts, n, d, g, rng, 1);
  const capR = Math.ceil(nr / g);
  const capC = Math.ceil(nc / g);
  const centres = new Float64Array(g * d);
  const assign = (from: number, to: number, cap: number) => {
    const pairs: [number, number, number][] = [];
    for (let i = from; i < to; i++)
      for (let c = 0; c < g; c++) {
        let dist = 0;
        for (let t = 0; t < d; t++) dist += (pts[i * d + t] - centres[c * d + t]) ** 2;
        pairs.push([dist, i, c]);
      }
    pairs.sort((a, b) => a[0] - b[0]);
    const used = new Int32Array(g);
    const done = new Uint8Array(to - from);
    for (const [, i, c] of pairs) {
      if (done[i - from] || used[c] >= cap) continue;
      done[i - from] = 1;
      used[c]++;
      label[i] = c;
    }
  };
  for (let it = 0; it < iterations; it++) {
    centres.fill(0);
    const counts = new Int32Array(g);
    for (let i = 0; i < n; i++) {
      counts[label[i]]++;
      for (let t = 0; t < d; t++) centres[label[i] * d + t] += pts[i * d + t];
    }
    for (let c = 0; c < g; c++) for (let t = 0; t < d; t++) centres[c * d + t] /= counts[c] || 1;
    const before = Int32Array.from(label);
    label = Int32Array.from(label);
    assign(0, nr, capR);
    assign(nr, n, capC);
    if (label.every((v, i) => v === before[i])) break;
  }
  const out: Cluster[] = [];
  for (let c = 0; c < g; c++) {
    const outputs: number[] = [];
    const inputs: number[] = [];
    for (let i = 0; i < nr; i++) if (label[i] === c) outputs.push(s.rowIds[i]);
    for (let j = 0; j < nc; j++) if (label[nr + j] === c) inputs.push(s.colIds[j]);
    if (outputs.length && inputs.length)
      out.push({ outputs: Int32Array.from(outputs).sort(), inputs: Int32Array.from(inputs).sort(), quality: quality(outputs, inputs), valid: true });
  }
  return out;
}
