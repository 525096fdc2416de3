/**
 * The co-clustering embedding of a layer's bipartite input/output graph
 * (TraNNsformer §5, CLUSTER's "embed the nodes"): the k leading singular
 * vectors of the degree-normalised connectivity A = D_out^-1/2 · C · D_in^-1/2
 * (Dhillon's spectral co-clustering; the same vectors as the k smallest
 * eigenvectors of the bipartite graph's normalised Laplacian), found by block
 * power iteration on the sparse matrix — never a dense eigen-decomposition.
 */
import type { Rng } from '../../core/rng';
import type { SparseBlock } from '../../core/sparse';
import { gram, orthonormalise, scaledSpmm, symmetricEigen, transposeCsr } from './linalg';

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
  const C = { ptr: s.rowPtr, idx: s.colIdx };
  const Ct = transposeCsr(C, nc);
  const X = new Float64Array(nc * b);
  for (let i = 0; i < X.length; i++) X[i] = rng.next() - 0.5;
  const Y = new Float64Array(nr * b);
  orthonormalise(X, nc, b, rng);
  for (let it = 0; it < iterations; it++) {
    scaledSpmm(C, ic, ir, X, Y, b); // Y = A X
    scaledSpmm(Ct, ir, ic, Y, X, b); // X = Aᵀ Y
    orthonormalise(X, nc, b, rng);
  }
  // Rayleigh–Ritz: eigenvectors of Xᵀ AᵀA X give the right singular vectors within the subspace.
  scaledSpmm(C, ic, ir, X, Y, b);
  const { values, vectors } = symmetricEigen(gram(Y, nr, b), b);
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

/**
 * The points k-means groups: the block's output nodes, then its input nodes,
 * each a row of d = min(k, outputs, inputs) embedding coordinates scaled to
 * unit length, so that low-degree neurons (large D^-1/2 coordinates) do not
 * capture whole groups. Non-finite when the embedding failed.
 */
export function coClusterPoints(s: SparseBlock, k: number, rng: Rng, iterations?: number): { points: Float64Array; d: number } {
  const nr = s.rowIds.length;
  const nc = s.colIds.length;
  const emb = spectralEmbedding(s, k, rng, iterations);
  const d = Math.min(k, nr, nc);
  const n = nr + nc;
  const points = new Float64Array(n * d);
  points.set(emb.rows, 0);
  points.set(emb.cols, nr * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let t = 0; t < d; t++) norm += points[i * d + t] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let t = 0; t < d; t++) points[i * d + t] /= norm;
  }
  return { points, d };
}
