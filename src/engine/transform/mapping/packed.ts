/**
 * The packed mapping (beyond the paper): clusters, cut into crossbar-sized
 * pieces, share crossbars whenever the union of their rows and the union of
 * their columns each fit in x (first-fit decreasing); then the leftover
 * synapses, compacted into tiles, go into free rows and columns of crossbars
 * already placed before new ones are opened. Never worse than compact-skip
 * of the same matrix: the better one is taken, and `taken` says which.
 * `PackedCrossbars` also tells the fade step which leftovers cost nothing.
 */
import type { Cluster } from '../cluster/scic';
import type { BinaryMatrix } from '../../core/sparse';
import type { Crossbar, LayerMapping } from '../../format/mapping';
import { clusterPieces, compactMapping, finish, nonEmpty, tile } from './schemes';

/** A crossbar being filled: which rows and columns it holds so far. */
class Bin {
  readonly rowSet: Uint8Array;
  readonly colSet: Uint8Array;
  rows: number[] = [];
  cols: number[] = [];
  constructor(
    nRows: number,
    nCols: number,
    readonly kind: Crossbar['kind'],
  ) {
    this.rowSet = new Uint8Array(nRows);
    this.colSet = new Uint8Array(nCols);
  }
  fits(rows: number[], cols: number[], x: number): boolean {
    let nr = this.rows.length;
    for (const r of rows) if (!this.rowSet[r] && ++nr > x) return false;
    let nc = this.cols.length;
    for (const c of cols) if (!this.colSet[c] && ++nc > x) return false;
    return true;
  }
  add(rows: number[], cols: number[]): void {
    for (const r of rows)
      if (!this.rowSet[r]) {
        this.rowSet[r] = 1;
        this.rows.push(r);
      }
    for (const c of cols)
      if (!this.colSet[c]) {
        this.colSet[c] = 1;
        this.cols.push(c);
      }
  }
}

function firstFitDecreasing(items: { rows: number[]; cols: number[] }[], bins: Bin[], x: number, nRows: number, nCols: number, kind: Crossbar['kind']): void {
  const order = items.slice().sort((a, b) => b.rows.length * b.cols.length - a.rows.length * a.cols.length || b.rows.length + b.cols.length - (a.rows.length + a.cols.length));
  for (const it of order) {
    let bin = bins.find((b) => b.fits(it.rows, it.cols, x));
    if (!bin) {
      bin = new Bin(nRows, nCols, kind);
      bins.push(bin);
    }
    bin.add(it.rows, it.cols);
  }
}

/** Assign every synapse of `rest` in a bin's cells to the first such bin: adds to per-bin counts and clears it from `rest`. */
function assignCovered(rest: Uint8Array, nCols: number, bins: Bin[], counts: number[]): void {
  bins.forEach((b, k) => {
    let n = 0;
    for (const r of b.rows) {
      const base = r * nCols;
      for (const c of b.cols)
        if (rest[base + c]) {
          rest[base + c] = 0;
          n++;
        }
    }
    counts[k] = (counts[k] ?? 0) + n;
  });
}

/**
 * Crossbars packed with the clusters' blocks, able to say whether a further
 * synapse fits without a new crossbar: its row and column are on a crossbar
 * already, or one of them is and the crossbar has room for the other.
 */
export class PackedCrossbars {
  readonly bins: Bin[] = [];
  private readonly rowBins: number[][];
  private readonly colBins: number[][];

  constructor(
    rows: number,
    cols: number,
    clusters: Cluster[],
    private readonly x: number,
  ) {
    firstFitDecreasing(clusters.filter((c) => c.valid).flatMap((c) => clusterPieces(c, x)), this.bins, x, rows, cols, 'cluster');
    this.rowBins = Array.from({ length: rows }, () => []);
    this.colBins = Array.from({ length: cols }, () => []);
    this.bins.forEach((b, k) => {
      for (const r of b.rows) this.rowBins[r].push(k);
      for (const c of b.cols) this.colBins[c].push(k);
    });
  }

  /** Place synapse (r, c) at no extra crossbar if possible (growing a crossbar's rows or columns); true when placed. */
  absorb(r: number, c: number): boolean {
    for (const k of this.rowBins[r]) if (this.bins[k].colSet[c]) return true;
    for (const k of this.rowBins[r]) {
      const b = this.bins[k];
      if (b.cols.length < this.x) {
        b.add([], [c]);
        this.colBins[c].push(k);
        return true;
      }
    }
    for (const k of this.colBins[c]) {
      const b = this.bins[k];
      if (b.rows.length < this.x) {
        b.add([r], []);
        this.rowBins[r].push(k);
        return true;
      }
    }
    return false;
  }
}

/** Packed mapping (see the file comment). */
export function packedMapping(map: BinaryMatrix, clusters: Cluster[], x: number): LayerMapping {
  const packed = new PackedCrossbars(map.rows, map.cols, clusters, x);
  const bins = packed.bins;
  const before = bins.length;
  const rest = Uint8Array.from(map.data);
  const counts: number[] = [];
  assignCovered(rest, map.cols, bins, counts);
  // Leftovers, row-major (the order the fade step uses), into the crossbars' spare rows and columns.
  for (let i = 0; i < rest.length; i++) if (rest[i]) packed.absorb(Math.floor(i / map.cols), i % map.cols);
  assignCovered(rest, map.cols, bins, counts);
  // What is left: compact it, cut it into tiles, and pack the tiles (only the rows and columns each uses).
  const left: BinaryMatrix = { rows: map.rows, cols: map.cols, data: rest };
  const { rows, cols } = nonEmpty(left);
  const tiles = tile(left, rows, cols, x, true, false).map((t) => ({
    rows: t.rows.filter((r) => t.cols.some((c) => rest[r * map.cols + c])),
    cols: t.cols.filter((c) => t.rows.some((r) => rest[r * map.cols + c])),
  }));
  firstFitDecreasing(tiles, bins, x, map.rows, map.cols, 'leftover');
  assignCovered(rest, map.cols, bins, counts);
  const crossbars: Crossbar[] = bins.map((b, k) => ({ rows: b.rows.slice().sort((p, q) => p - q), cols: b.cols.slice().sort((p, q) => p - q), synapses: counts[k] ?? 0, kind: k < before ? b.kind : 'leftover' }));
  const result = finish('packed', x, crossbars, 'packed');
  const baseline = compactMapping(map, x, true);
  return baseline.count < result.count ? { ...baseline, scheme: 'packed', taken: 'compact-skip' } : result;
}
