/**
 * SCIC — size-constrained iterative clustering (TraNNsformer §5): CLUSTER
 * (spectral co-clustering of a layer's bipartite input/output connectivity,
 * k-means on the embedding, quality-thresholded acceptance of dense blocks,
 * with our refinement of each group), then SCIC's recursive splitting of
 * blocks too large for a crossbar. The cluster record and its block map live
 * here too. Every index in a result names the original neuron: the reference
 * mixed up positions after dropping isolated neurons.
 */
import { Rng } from '../../core/rng';
import { sparseBlock, type BinaryMatrix } from '../../core/sparse';
import { kmeans } from './kmeans';
import { coClusterPoints } from './spectral';

export interface Cluster {
  /** Input neurons (columns), ascending. */
  inputs: Int32Array;
  /** Output neurons (rows), ascending. */
  outputs: Int32Array;
  /** Connections inside the block ÷ block size, when the cluster was formed. */
  quality: number;
  valid: boolean;
  /** CLUSTER could not split it further although it breaks the size constraint. */
  unsplittable?: boolean;
}

export interface ClusterOptions {
  /** Number of spectral groups per CLUSTER pass (the paper's k = 5). */
  k: number;
  /** Accept a group as a cluster when its quality exceeds this. */
  quality: number;
  seed: number;
  /** Power iterations for the embedding. */
  iterations?: number;
  /**
   * Trim a group's stray rows and columns (connected to less than q/2 of the
   * block) before judging its quality (default true). Without it (the
   * reference), a dense block that k-means grouped with a few stray neurons
   * is rejected outright.
   */
  refine?: boolean;
  /** Smallest number of inputs and of outputs a cluster may have (CLUSTER: 2, since 1×1 "blocks" are trivially dense; SCIC: ⌈x/16⌉, at least 2). */
  minSide?: number;
}

/** Which blocks fit a crossbar of size x: the paper's |in| + |out| ≤ 2x, or both sides ≤ x. */
export type SizeRule = 'sum' | 'fit';

/** SCIC's size constraint. */
export function fitsCrossbar(c: Pick<Cluster, 'inputs' | 'outputs'>, x: number, rule: SizeRule): boolean {
  return rule === 'sum' ? c.inputs.length + c.outputs.length <= 2 * x : c.inputs.length <= x && c.outputs.length <= x;
}

/** 1 inside every valid cluster's block (outputs × inputs). */
export function clusterMap(rows: number, cols: number, clusters: Cluster[]): Uint8Array {
  const map = new Uint8Array(rows * cols);
  for (const c of clusters) {
    if (!c.valid) continue;
    for (const r of c.outputs) for (const i of c.inputs) map[r * cols + i] = 1;
  }
  return map;
}

/** How deep CLUSTER recurses into groups that hold several blocks (k^depth groups at most). */
const MAX_DEPTH = 4;

/** A candidate cluster while CLUSTER works: output and input neurons, and its quality. */
export interface Block {
  outputs: number[];
  inputs: number[];
  quality: number;
}

/** A block's connections ÷ its size (0 for an empty block). */
export function blockQuality(m: BinaryMatrix, outs: number[], ins: number[]): Block {
  let conn = 0;
  for (const r of outs) for (const c of ins) conn += m.data[r * m.cols + c];
  return { outputs: outs, inputs: ins, quality: outs.length && ins.length ? conn / (outs.length * ins.length) : 0 };
}

/** Remove the block's stray rows and columns (in-block density below q/2), sparsest first; the caller judges the rest. */
export function peel(m: BinaryMatrix, outs: number[], ins: number[], q: number): Block {
  const R = outs.slice();
  const C = ins.slice();
  const rowDeg = R.map((r) => C.reduce((a, c) => a + m.data[r * m.cols + c], 0));
  const colDeg = C.map((c) => R.reduce((a, r) => a + m.data[r * m.cols + c], 0));
  const rowAlive = new Uint8Array(R.length).fill(1);
  const colAlive = new Uint8Array(C.length).fill(1);
  let nR = R.length;
  let nC = C.length;
  let conn = rowDeg.reduce((a, b) => a + b, 0);
  while (nR > 0 && nC > 0) {
    let worst = -1;
    let worstIsRow = true;
    let worstDensity = Infinity;
    for (let i = 0; i < R.length; i++)
      if (rowAlive[i] && rowDeg[i] / nC < worstDensity) [worst, worstIsRow, worstDensity] = [i, true, rowDeg[i] / nC];
    for (let j = 0; j < C.length; j++)
      if (colAlive[j] && colDeg[j] / nR < worstDensity) [worst, worstIsRow, worstDensity] = [j, false, colDeg[j] / nR];
    // Only strays go: a neuron connected to at least half the bar belongs, and a block of such
    // neurons that still misses the bar is two blocks merged — left for the next pass to separate.
    if (worstDensity >= q / 2) break;
    if (worstIsRow) {
      rowAlive[worst] = 0;
      nR--;
      conn -= rowDeg[worst];
      const base = R[worst] * m.cols;
      for (let j = 0; j < C.length; j++) if (colAlive[j]) colDeg[j] -= m.data[base + C[j]];
    } else {
      colAlive[worst] = 0;
      nC--;
      conn -= colDeg[worst];
      for (let i = 0; i < R.length; i++) if (rowAlive[i]) rowDeg[i] -= m.data[R[i] * m.cols + C[worst]];
    }
  }
  return {
    outputs: R.filter((_, i) => rowAlive[i]),
    inputs: C.filter((_, j) => colAlive[j]),
    quality: nR > 0 && nC > 0 ? conn / (nR * nC) : 0,
  };
}

/**
 * Merge groups while the union of two blocks still clears the quality bar,
 * best union first: k-means cuts a block in pieces when k exceeds the number
 * of real groups (the surplus singular vectors are noise).
 */
function mergeGroups(m: BinaryMatrix, groups: Block[], q: number): Block[] {
  const out = groups.filter((g) => g.outputs.length > 0 || g.inputs.length > 0);
  const conn = (rows: number[], cols: number[]) => {
    let n = 0;
    for (const r of rows) for (const c of cols) n += m.data[r * m.cols + c];
    return n;
  };
  for (;;) {
    let best: { i: number; j: number; b: Block } | undefined;
    for (let i = 0; i < out.length; i++)
      for (let j = i + 1; j < out.length; j++) {
        const [a, c] = [out[i], out[j]];
        // Pieces of one block are dense across each other too; pieces of two blocks are not.
        const crossArea = a.outputs.length * c.inputs.length + c.outputs.length * a.inputs.length;
        if (crossArea === 0 || (conn(a.outputs, c.inputs) + conn(c.outputs, a.inputs)) / crossArea <= q) continue;
        const b = blockQuality(m, [...a.outputs, ...c.outputs], [...a.inputs, ...c.inputs]);
        if (b.quality > q && (!best || b.quality > best.b.quality)) best = { i, j, b };
      }
    if (!best) return out;
    out.splice(best.j, 1);
    out[best.i] = best.b;
  }
}

/**
 * CLUSTER(C, q): repeatedly embed the remaining connections, k-means them, and
 * accept every group whose block is denser than q, removing its connections,
 * until nothing is left or a pass accepts nothing. Returns clusters in
 * original neuron indices; `failed` when the embedding could not be formed.
 */
export function clusterOnce(m: BinaryMatrix, opts: ClusterOptions, rows?: ArrayLike<number>, cols?: ArrayLike<number>, depth = 0): { clusters: Cluster[]; failed: boolean } {
  const rng = new Rng(opts.seed, 0xc105);
  const minSide = opts.minSide ?? 2;
  // Work on a private copy: accepted blocks are removed from it.
  const rest: BinaryMatrix = { rows: m.rows, cols: m.cols, data: Uint8Array.from(m.data) };
  const clusters: Cluster[] = [];
  for (let pass = 0; pass < 1000; pass++) {
    const s = sparseBlock(rest, rows, cols);
    const nr = s.rowIds.length;
    const nc = s.colIds.length;
    if (nr === 0 || nc === 0) break;
    let labelsR: Int32Array;
    let labelsC: Int32Array;
    if (nr + nc <= opts.k || nr < 2 || nc < 2) {
      // Too small to embed: one group.
      labelsR = new Int32Array(nr);
      labelsC = new Int32Array(nc);
    } else {
      const { points, d } = coClusterPoints(s, opts.k, rng, opts.iterations);
      if (!points.every(Number.isFinite)) return { clusters, failed: true };
      const lab = kmeans(points, nr + nc, d, opts.k, rng);
      labelsR = lab.subarray(0, nr);
      labelsC = lab.subarray(nr);
    }
    let accepted = 0;
    let groups: Block[] = [];
    const raw: { outs: number[]; ins: number[] }[] = [];
    for (let g = 0; g < opts.k; g++) {
      const outs: number[] = [];
      const ins: number[] = [];
      for (let i = 0; i < nr; i++) if (labelsR[i] === g) outs.push(s.rowIds[i]);
      for (let j = 0; j < nc; j++) if (labelsC[j] === g) ins.push(s.colIds[j]);
      raw.push({ outs, ins });
      groups.push(opts.refine === false ? blockQuality(rest, outs, ins) : peel(rest, outs, ins, opts.quality));
    }
    if (opts.refine !== false) groups = mergeGroups(rest, groups, opts.quality);
    for (const block of groups) {
      if (block.outputs.length < minSide || block.inputs.length < minSide) continue;
      if (block.quality > opts.quality) {
        for (const r of block.outputs) for (const c of block.inputs) rest.data[r * rest.cols + c] = 0;
        clusters.push({ inputs: Int32Array.from(block.inputs).sort(), outputs: Int32Array.from(block.outputs).sort(), quality: block.quality, valid: true });
        accepted++;
      }
    }
    if (accepted === 0) {
      // Nothing cleared the bar: each group may hold several blocks (more blocks than k).
      // Beyond the reference: cluster every group's own sub-block, hierarchically.
      if (opts.refine !== false && depth < MAX_DEPTH) {
        const density = s.colIdx.length / (nr * nc);
        raw.forEach((g, i) => {
          if (g.outs.length < 2 * minSide || g.ins.length < 2 * minSide || (g.outs.length === nr && g.ins.length === nc)) return;
          // Only groups that concentrate connections hold blocks; noise-only groups do not.
          if (blockQuality(rest, g.outs, g.ins).quality < 2 * density) return;
          const sub = clusterOnce(rest, { ...opts, seed: opts.seed * 31 + i + 1 }, g.outs, g.ins, depth + 1);
          for (const c of sub.clusters) {
            for (const r of c.outputs) for (const x of c.inputs) rest.data[r * rest.cols + x] = 0;
            clusters.push(c);
          }
        });
      }
      break;
    }
  }
  return { clusters, failed: false };
}

/**
 * SCIC(C, x, q): CLUSTER, then re-cluster every cluster that breaks the size
 * rule on its own block until all fit or cannot be split.
 */
export function scic(m: BinaryMatrix, x: number, opts: ClusterOptions & { sizeRule?: SizeRule }, rows?: ArrayLike<number>, cols?: ArrayLike<number>): Cluster[] {
  const rule = opts.sizeRule ?? 'sum';
  // Blocks a sixteenth of the crossbar wide (at least 2) or narrower are chance, not structure.
  opts = { ...opts, minSide: opts.minSide ?? Math.max(2, Math.ceil(x / 16)) };
  let { clusters } = clusterOnce(m, opts, rows, cols);
  for (let round = 0; round < 64; round++) {
    let changed = false;
    const next: Cluster[] = [];
    for (const c of clusters) {
      if (c.unsplittable || fitsCrossbar(c, x, rule)) {
        next.push(c);
        continue;
      }
      // The paper splits into k groups; with the "fit" rule, into just enough groups to fit (no smaller than needed).
      const parts = rule === 'fit' ? Math.min(opts.k, Math.max(2, Math.ceil(Math.max(c.inputs.length, c.outputs.length) / x))) : opts.k;
      const sub = clusterOnce(m, { ...opts, k: parts, seed: opts.seed + round * 7919 + next.length }, c.outputs, c.inputs);
      const same = sub.clusters.length === 1 && sub.clusters[0].inputs.length === c.inputs.length && sub.clusters[0].outputs.length === c.outputs.length;
      if (sub.failed || sub.clusters.length === 0 || same) next.push({ ...c, unsplittable: true });
      else {
        next.push(...sub.clusters);
        changed = true;
      }
    }
    clusters = next;
    if (!changed) break;
  }
  return clusters;
}
