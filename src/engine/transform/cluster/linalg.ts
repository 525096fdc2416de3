/**
 * The linear algebra the spectral embedding stands on: one scaled sparse ×
 * dense-block product (used for both A·x and Aᵀ·y, the transpose given as
 * its own compressed rows), Gram–Schmidt on a block of vectors, the Gram
 * matrix of a block, and the eigen-decomposition of a small symmetric matrix
 * (the Rayleigh–Ritz step). Blocks of b vectors of length n are stored
 * column-major: vector j is entries j·n … j·n+n−1.
 */
import type { Rng } from '../../core/rng';

/** Compressed sparse rows of a 0/1 matrix: row i's nonzero columns are idx[ptr[i]] … idx[ptr[i+1]−1], ascending. */
export interface Csr {
  ptr: Int32Array;
  idx: Int32Array;
}

/** The transpose of a CSR matrix with `cols` columns, as CSR (each row's entries ascending). */
export function transposeCsr(a: Csr, cols: number): Csr {
  const rows = a.ptr.length - 1;
  const ptr = new Int32Array(cols + 1);
  for (let p = 0; p < a.idx.length; p++) ptr[a.idx[p] + 1]++;
  for (let c = 0; c < cols; c++) ptr[c + 1] += ptr[c];
  const next = ptr.slice(0, cols);
  const idx = new Int32Array(a.idx.length);
  for (let i = 0; i < rows; i++) for (let p = a.ptr[i]; p < a.ptr[i + 1]; p++) idx[next[a.idx[p]]++] = i;
  return { ptr, idx };
}

/**
 * y = diag(outScale) · S · diag(inScale) · x for a block of b vectors
 * (x: inScale.length × b, y: outScale.length × b, both column-major), S in
 * CSR with outScale.length rows. With S = C and the degree scalings it is
 * A·x for A = D_out^-1/2 · C · D_in^-1/2; with S = Cᵀ and the scalings
 * swapped it is Aᵀ·y.
 */
export function scaledSpmm(s: Csr, inScale: Float64Array, outScale: Float64Array, x: Float64Array, y: Float64Array, b: number): void {
  const nIn = inScale.length;
  const nOut = outScale.length;
  for (let j = 0; j < b; j++) {
    const xo = j * nIn;
    const yo = j * nOut;
    for (let i = 0; i < nOut; i++) {
      let acc = 0;
      for (let p = s.ptr[i]; p < s.ptr[i + 1]; p++) {
        const c = s.idx[p];
        acc += x[xo + c] * inScale[c];
      }
      y[yo + i] = acc * outScale[i];
    }
  }
}

/** Modified Gram–Schmidt on `b` column vectors of length n stored column-major; a deficient vector is redrawn at random. */
export function orthonormalise(v: Float64Array, n: number, b: number, rng: Rng): void {
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

/** Gram matrix YᵀY (b × b, symmetric) of b column vectors of length n. */
export function gram(y: Float64Array, n: number, b: number): Float64Array {
  const g = new Float64Array(b * b);
  for (let p = 0; p < b; p++)
    for (let q = p; q < b; q++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += y[p * n + i] * y[q * n + i];
      g[p * b + q] = g[q * b + p] = d;
    }
  return g;
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
