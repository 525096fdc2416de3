/**
 * Binary connectivity matrices of one layer, rows = output neurons, columns =
 * input neurons (the paper's orientation), and the sparse views the
 * clustering works on.
 */

/** A dense 0/1 matrix, row-major. */
export interface BinaryMatrix {
  rows: number;
  cols: number;
  data: Uint8Array;
}

export function binaryMatrix(rows: number, cols: number, data = new Uint8Array(rows * cols)): BinaryMatrix {
  if (data.length !== rows * cols) throw new Error(`binary matrix ${rows}×${cols} needs ${rows * cols} entries, got ${data.length}`);
  return { rows, cols, data };
}

export function countOnes(a: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i];
  return n;
}

/** Compressed sparse rows of a sub-matrix: `rowIds` and `colIds` name the original neurons. */
export interface SparseBlock {
  rowIds: Int32Array;
  colIds: Int32Array;
  /** CSR over local row/col positions. */
  rowPtr: Int32Array;
  colIdx: Int32Array;
}

/** The connections of `m` restricted to the given rows and columns (all when omitted), dropping empty ones. */
export function sparseBlock(m: BinaryMatrix, rows?: ArrayLike<number>, cols?: ArrayLike<number>): SparseBlock {
  const R = rows ?? Int32Array.from({ length: m.rows }, (_, i) => i);
  const C = cols ?? Int32Array.from({ length: m.cols }, (_, i) => i);
  const colDeg = new Int32Array(C.length);
  const rowDeg = new Int32Array(R.length);
  for (let i = 0; i < R.length; i++) {
    const base = R[i] * m.cols;
    for (let j = 0; j < C.length; j++)
      if (m.data[base + C[j]]) {
        rowDeg[i]++;
        colDeg[j]++;
      }
  }
  // Drop isolated neurons, but remember who the survivors are (the reference's defect was to forget).
  const keptRows: number[] = [];
  for (let i = 0; i < R.length; i++) if (rowDeg[i] > 0) keptRows.push(i);
  const colLocal = new Int32Array(C.length).fill(-1);
  const keptCols: number[] = [];
  for (let j = 0; j < C.length; j++)
    if (colDeg[j] > 0) {
      colLocal[j] = keptCols.length;
      keptCols.push(j);
    }
  const rowPtr = new Int32Array(keptRows.length + 1);
  let nnz = 0;
  for (let a = 0; a < keptRows.length; a++) nnz += rowDeg[keptRows[a]];
  const colIdx = new Int32Array(nnz);
  let k = 0;
  for (let a = 0; a < keptRows.length; a++) {
    const base = R[keptRows[a]] * m.cols;
    for (let j = 0; j < C.length; j++) if (m.data[base + C[j]]) colIdx[k++] = colLocal[j];
    rowPtr[a + 1] = k;
  }
  return {
    rowIds: Int32Array.from(keptRows, (i) => R[i]),
    colIds: Int32Array.from(keptCols, (j) => C[j]),
    rowPtr,
    colIdx,
  };
}
