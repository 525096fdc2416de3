/** Block matrices with known answers: diagonal blocks hidden under random row and column permutations, plus noise. */
import { Rng } from '../../src/engine/core/rng';
import type { BinaryMatrix } from '../../src/engine/core/sparse';

export function planted(blocks: number, bRows: number, bCols: number, density: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const R = blocks * bRows;
  const C = blocks * bCols;
  const rowPerm = rng.shuffle(Array.from({ length: R }, (_, i) => i));
  const colPerm = rng.shuffle(Array.from({ length: C }, (_, i) => i));
  const data = new Uint8Array(R * C);
  for (let r = 0; r < R; r++)
    for (let c = 0; c < C; c++) {
      const inBlock = Math.floor(r / bRows) === Math.floor(c / bCols);
      if (rng.next() < (inBlock ? density : noise)) data[rowPerm[r] * C + colPerm[c]] = 1;
    }
  // Planted block of each (permuted) neuron.
  const rowBlock = new Int32Array(R);
  const colBlock = new Int32Array(C);
  rowPerm.forEach((p, r) => (rowBlock[p] = Math.floor(r / bRows)));
  colPerm.forEach((p, c) => (colBlock[p] = Math.floor(c / bCols)));
  return { m: { rows: R, cols: C, data } as BinaryMatrix, rowBlock, colBlock };
}
