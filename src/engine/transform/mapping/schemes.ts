/**
 * Mapping a layer's connectivity onto x×x crossbars (mPEs) and counting them
 * (TraNNsformer §6), with the placement itself — which output neurons (rows)
 * and input neurons (columns) each crossbar holds — so it can be drawn.
 *
 * Schemes:
 *  - dense:        the original network, every weight a synapse.
 *  - compact:      the pruning baseline — all-zero rows and columns dropped,
 *                  the rest tiled.
 *  - compact-skip: compaction, and tiles without a synapse left out (the
 *                  stronger pruning baseline).
 *  - paper:        TraNNsformer as published — each valid cluster tiled on
 *                  crossbars of its own, then the unclustered synapses covered
 *                  greedily (row-major scan; at each synapse left, one crossbar
 *                  over rows r…r+x−1 and columns c…c+x−1).
 *  - packed:       beyond the paper — clusters (cut into crossbar-sized
 *                  pieces) share crossbars whenever the union of their rows and
 *                  the union of their columns each fit in x (first-fit
 *                  decreasing), then the leftover synapses, compacted into
 *                  tiles, go into free rows and columns of crossbars already
 *                  placed before new ones are opened. Never worse than
 *                  compact-skip of the same matrix: the better one is taken,
 *                  and `taken` says which.
 */
import type { Cluster } from '../cluster/scic';
import type { BinaryMatrix } from '../../core/sparse';

import type { MappingScheme, Crossbar, LayerMapping, NetworkMapping } from '../../format/mapping';
const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);

function finish(scheme: MappingScheme, x: number, crossbars: Crossbar[], taken?: MappingScheme): LayerMapping {
  const synapses = crossbars.reduce((a, c) => a + c.synapses, 0);
  const count = crossbars.length;
  return { scheme, crossbarSize: x, count, synapses, utilisation: count ? synapses / (count * x * x) : 0, crossbars, ...(taken ? { taken } : {}) };
}

/** Count synapses of `m` over rows × cols. */
function countIn(m: BinaryMatrix, rows: number[], cols: number[]): number {
  let n = 0;
  for (const r of rows) {
    const base = r * m.cols;
    for (const c of cols) n += m.data[base + c];
  }
  return n;
}

/** Tile the given (ordered) rows and columns in chunks of x. */
function tile(m: BinaryMatrix, rows: number[], cols: number[], x: number, skipEmpty: boolean, denseSynapses: boolean): Crossbar[] {
  const out: Crossbar[] = [];
  for (let r = 0; r < rows.length; r += x)
    for (let c = 0; c < cols.length; c += x) {
      const R = rows.slice(r, r + x);
      const C = cols.slice(c, c + x);
      const synapses = denseSynapses ? R.length * C.length : countIn(m, R, C);
      if (skipEmpty && synapses === 0) continue;
      out.push({ rows: R, cols: C, synapses, kind: 'tile' });
    }
  return out;
}

/** Original network: ceil(in/x)·ceil(out/x) crossbars, every cell a synapse. */
export function denseMapping(outputs: number, inputs: number, x: number): LayerMapping {
  const m: BinaryMatrix = { rows: outputs, cols: inputs, data: new Uint8Array(0) };
  return finish('dense', x, tile(m, range(0, outputs), range(0, inputs), x, false, true));
}

function nonEmpty(m: BinaryMatrix): { rows: number[]; cols: number[] } {
  const rowHas = new Uint8Array(m.rows);
  const colHas = new Uint8Array(m.cols);
  for (let r = 0; r < m.rows; r++)
    for (let c = 0; c < m.cols; c++)
      if (m.data[r * m.cols + c]) {
        rowHas[r] = 1;
        colHas[c] = 1;
      }
  return { rows: range(0, m.rows).filter((r) => rowHas[r]), cols: range(0, m.cols).filter((c) => colHas[c]) };
}

/** Pruning baseline: drop all-zero rows and columns, tile the rest (optionally skipping empty tiles). */
export function compactMapping(m: BinaryMatrix, x: number, skipEmpty = false): LayerMapping {
  const { rows, cols } = nonEmpty(m);
  return finish(skipEmpty ? 'compact-skip' : 'compact', x, tile(m, rows, cols, x, skipEmpty, false));
}

/** Tiles of a cluster's block: its outputs and inputs cut into chunks of x. */
function clusterPieces(c: Cluster, x: number): { rows: number[]; cols: number[] }[] {
  const pieces: { rows: number[]; cols: number[] }[] = [];
  const outs = Array.from(c.outputs);
  const ins = Array.from(c.inputs);
  for (let r = 0; r < outs.length; r += x) for (let i = 0; i < ins.length; i += x) pieces.push({ rows: outs.slice(r, r + x), cols: ins.slice(i, i + x) });
  return pieces;
}

/**
 * The published TraNNsformer mapping. `map` is the layer's effective
 * connectivity (cmap OR pmap); cluster blocks are counted from `clusters`,
 * the unclustered synapses are those of `map` outside every valid block.
 */
export function paperMapping(map: BinaryMatrix, clusters: Cluster[], x: number): LayerMapping {
  const rest = Uint8Array.from(map.data);
  const crossbars: Crossbar[] = [];
  for (const c of clusters) {
    if (!c.valid) continue;
    for (const p of clusterPieces(c, x)) {
      let synapses = 0;
      for (const r of p.rows)
        for (const i of p.cols) {
          synapses += rest[r * map.cols + i];
          rest[r * map.cols + i] = 0;
        }
      crossbars.push({ ...p, synapses, kind: 'cluster' });
    }
  }
  for (let r = 0; r < map.rows; r++)
    for (let c = 0; c < map.cols; c++) {
      if (!rest[r * map.cols + c]) continue;
      const rows = range(r, Math.min(r + x, map.rows));
      const cols = range(c, Math.min(c + x, map.cols));
      let synapses = 0;
      for (const rr of rows)
        for (const cc of cols) {
          synapses += rest[rr * map.cols + cc];
          rest[rr * map.cols + cc] = 0;
        }
      crossbars.push({ rows, cols, synapses, kind: 'leftover' });
    }
  return finish('paper', x, crossbars);
}

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

export interface LayerConnectivity {
  rows: number;
  cols: number;
  /** Effective connectivity (1 = synapse). */
  map: Uint8Array;
  clusters: Cluster[];
}

export function mapLayers(scheme: MappingScheme, layers: LayerConnectivity[], x: number): NetworkMapping {
  const mapped = layers.map((l) => {
    const m: BinaryMatrix = { rows: l.rows, cols: l.cols, data: l.map };
    switch (scheme) {
      case 'dense':
        return denseMapping(l.rows, l.cols, x);
      case 'compact':
        return compactMapping(m, x, false);
      case 'compact-skip':
        return compactMapping(m, x, true);
      case 'paper':
        return paperMapping(m, l.clusters, x);
      case 'packed':
        return packedMapping(m, l.clusters, x);
    }
  });
  const total = mapped.reduce((a, m) => a + m.count, 0);
  const synapses = mapped.reduce((a, m) => a + m.synapses, 0);
  return {
    scheme,
    crossbarSize: x,
    total,
    perLayer: mapped.map((m) => m.count),
    synapses,
    utilisation: total ? synapses / (total * x * x) : 0,
    ...(scheme === 'packed' ? { taken: mapped.map((m) => m.taken ?? 'packed') } : {}),
    layers: mapped,
  };
}

/** The schemes that describe a run of each mode, and the one shown by default. */
export function schemesFor(mode: 'original' | 'pruning' | 'trannsformer' | 'offline'): { schemes: MappingScheme[]; shown: MappingScheme } {
  switch (mode) {
    case 'original':
      return { schemes: ['dense'], shown: 'dense' };
    case 'pruning':
      return { schemes: ['dense', 'compact', 'compact-skip', 'packed'], shown: 'compact' };
    default:
      return { schemes: ['dense', 'compact', 'compact-skip', 'paper', 'packed'], shown: 'packed' };
  }
}
