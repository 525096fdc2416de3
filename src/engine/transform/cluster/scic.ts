/**
 * SCIC — size-constrained iterative clustering (TraNNsformer §5): spectral
 * co-clustering of a layer's bipartite input/output connectivity, k-means on
 * the embedding, quality-thresholded acceptance of dense blocks, and
 * recursive splitting of blocks too large for a crossbar.
 *
 * The embedding uses the k leading singular vectors of the degree-normalised
 * connectivity D_out^-1/2 · C · D_in^-1/2 (Dhillon's co-clustering; the same
 * vectors as the k smallest eigenvectors of the bipartite graph's normalised
 * Laplacian), found by block power iteration on the sparse matrix — never a
 * dense eigen-decomposition. Every index in a result names the original
 * neuron: the reference mixed up positions after dropping isolated neurons.
 */
import { Rng } from '../../core/rng';
import { sparseBlock, type BinaryMatrix, type SparseBlock } from '../../core/sparse';

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

export function fitsCrossbar(c: Pick<Cluster, 'inputs' | 'outputs'>, x: number, rule: SizeRule): boolean {
  return rule === 'sum' ? c.inputs.length + c.outputs.length <= 2 * x : c.inputs.length <= x && c.outputs.length <= x;
}

// ---- linear algebra on small dense blocks of vectors ----------------------

/** Modified Gram–Schmidt on `b` column vectors of length n stored column-major; a deficient vector is redrawn at random. */
function orthonormalise(v: Float64Array, n: number, b: number, rng: Rng): void {
  for (let j = 0; j < b; j++) {
    const vj = v.subarray(j * n, (j + 1) * n);
    for (let pass = 0; pass < 2; pass++)
      for (let i = 0; i < j; i++) {
        const vi = v.subarray(i * n, (i + 1) * n);
        let d = 0;
        for (let t = 0; t < n; t++) d += vi[t] * vj[t];
        for (let t = 0; t < n; t++) vj[t] -= d * vi[t];
      }
    let norm = 0;
    for (let t = 0; t < n; t++) norm += vj[t] * vj[t];
    norm = Math.sqrt(norm);
    if (norm < 1e-12) {
      // Deficient: restart this vector at random and orthogonalise again.
      for (let t = 0; t < n; t++) vj[t] = rng.next() - 0.5;
      j--;
      continue;
    }
    for (let t = 0; t < n; t++) vj[t] /= norm;
  }
}

/** Eigen-decomposition of a small symmetric matrix (cyclic Jacobi); eigenvalues descending. */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[j * n + j] - A[i * n + i]);
  const values = Float64Array.from(order, (i) => A[i * n + i]);
  const vectors = new Float64Array(n * n); // column j = eigenvector j
  order.forEach((src, j) => {
    for (let k = 0; k < n; k++) vectors[j * n + k] = V[k * n + src];
  });
  return { values, vectors };
}

/**
 * Spectral embedding of a bipartite block: for each row (output) and column
 * (input) node, k coordinates D^-1/2·[u_i; v_i] from the k leading singular
 * vectors of D_r^-1/2 · C · D_c^-1/2.
 */
export function spectralEmbedding(s: SparseBlock, k: number, rng: Rng, iterations = 40): { rows: Float64Array; cols: Float64Array } {
  const nr = s.rowIds.length;
  const nc = s.colIds.length;
  const dr = new Float64Array(nr);
  const dc = new Float64Array(nc);
  for (let i = 0; i < nr; i++) {
    dr[i] = s.rowPtr[i + 1] - s.rowPtr[i];
    for (let p = s.rowPtr[i]; p < s.rowPtr[i + 1]; p++) dc[s.colIdx[p]]++;
  }
  const ir = dr.map((d) => 1 / Math.sqrt(d));
  const ic = dc.map((d) => 1 / Math.sqrt(d));
  const b = Math.min(k + 4, nc, nr); // block with a few extra vectors for faster convergence
  // y = A x for column block x (nc × b) → (nr × b); A^T y likewise.
  const mulA = (x: Float64Array, y: Float64Array) => {
    y.fill(0);
    for (let j = 0; j < b; j++) {
      const xo = j * nc;
      const yo = j * nr;
      for (let i = 0; i < nr; i++) {
        let acc = 0;
        for (let p = s.rowPtr[i]; p < s.rowPtr[i + 1]; p++) {
          const c = s.colIdx[p];
          acc += x[xo + c] * ic[c];
        }
        y[yo + i] = acc * ir[i];
      }
    }
  };
  const mulAt = (y: Float64Array, x: Float64Array) => {
    x.fill(0);
    for (let j = 0; j < b; j++) {
      const xo = j * nc;
      const yo = j * nr;
      for (let i = 0; i < nr; i++) {
        const v = y[yo + i] * ir[i];
        for (let p = s.rowPtr[i]; p < s.rowPtr[i + 1]; p++) x[xo + s.colIdx[p]] += v;
      }
      for (let c = 0; c < nc; c++) x[xo + c] *= ic[c];
    }
  };
  const X = new Float64Array(nc * b);
  for (let i = 0; i < X.length; i++) X[i] = rng.next() - 0.5;
  const Y = new Float64Array(nr * b);
  orthonormalise(X, nc, b, rng);
  for (let it = 0; it < iterations; it++) {
    mulA(X, Y);
    mulAt(Y, X);
    orthonormalise(X, nc, b, rng);
  }
  // Rayleigh–Ritz: eigenvectors of X^T AᵀA X give the right singular vectors within the subspace.
  mulA(X, Y);
  const G = new Float64Array(b * b);
  for (let p = 0; p < b; p++)
    for (let q = p; q < b; q++) {
      let d = 0;
      for (let i = 0; i < nr; i++) d += Y[p * nr + i] * Y[q * nr + i];
      G[p * b + q] = G[q * b + p] = d;
    }
  const { values, vectors } = symmetricEigen(G, b);
  const kk = Math.min(k, b);
  const rows = new Float64Array(nr * kk);
  const cols = new Float64Array(nc * kk);
  for (let j = 0; j < kk; j++) {
    const sigma = Math.sqrt(Math.max(values[j], 1e-30));
    // v_j = X · e_j ; u_j = A v_j / σ_j
    for (let c = 0; c < nc; c++) {
      let v = 0;
      for (let p = 0; p < b; p++) v += X[p * nc + c] * vectors[j * b + p];
      cols[c * kk + j] = v * ic[c];
    }
    for (let i = 0; i < nr; i++) {
      let u = 0;
      for (let p = 0; p < b; p++) u += Y[p * nr + i] * vectors[j * b + p];
      rows[i * kk + j] = (u / sigma) * ir[i];
    }
  }
  return { rows, cols };
}

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

/** How deep CLUSTER recurses into groups that hold several blocks (k^depth groups at most). */
const MAX_DEPTH = 4;

interface Block {
  outputs: number[];
  inputs: number[];
  quality: number;
}

function blockQuality(m: BinaryMatrix, outs: number[], ins: number[]): Block {
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
      const emb = spectralEmbedding(s, opts.k, rng, opts.iterations);
      const d = Math.min(opts.k, nr, nc);
      if (!emb.rows.every(Number.isFinite) || !emb.cols.every(Number.isFinite)) return { clusters, failed: true };
      const pts = new Float64Array((nr + nc) * d);
      pts.set(emb.rows, 0);
      pts.set(emb.cols, nr * d);
      // Unit rows, so that low-degree neurons (large D^-1/2 coordinates) do not capture whole groups.
      for (let i = 0; i < nr + nc; i++) {
        let norm = 0;
        for (let t = 0; t < d; t++) norm += pts[i * d + t] ** 2;
        norm = Math.sqrt(norm) || 1;
        for (let t = 0; t < d; t++) pts[i * d + t] /= norm;
      }
      const lab = kmeans(pts, nr + nc, d, opts.k, rng);
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

/** 1 inside every valid cluster's block (outputs × inputs). */
export function clusterMap(rows: number, cols: number, clusters: Cluster[]): Uint8Array {
  const map = new Uint8Array(rows * cols);
  for (const c of clusters) {
    if (!c.valid) continue;
    for (const r of c.outputs) for (const i of c.inputs) map[r * cols + i] = 1;
  }
  return map;
}

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
  const d = Math.min(Math.max(g, 2), 16, nr, nc);
  const emb = spectralEmbedding(s, d, rng);
  const n = nr + nc;
  const pts = new Float64Array(n * d);
  pts.set(emb.rows, 0);
  pts.set(emb.cols, nr * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let t = 0; t < d; t++) norm += pts[i * d + t] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let t = 0; t < d; t++) pts[i * d + t] /= norm;
  }
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
