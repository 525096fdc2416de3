/**
 * One layer's connectivity as an image, one pixel per synapse slot
 * (outputs down, inputs across), written straight into `ImageData` — never
 * an element per cell — in original or cluster order; plus the geometry of
 * the crossbar outlines in that order, and the lookups hover needs.
 */
import type { MappingLayerView } from '../../src/protocol/webview';
import type { Rgba } from '../shared/theme';

export function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export interface Palette {
  background: Rgba;
  /** A synapse outside every cluster when unclustered synapses are not highlighted. */
  synapse: Rgba;
  unclustered: Rgba;
  /** Per cluster (cycled): its synapses, and the empty cells of its block. */
  cluster: Rgba[];
  clusterTint: Rgba[];
}

/** Everything about a layer that does not depend on the order shown. */
export interface LayerModel {
  view: MappingLayerView;
  rows: number;
  cols: number;
  bits: Uint8Array;
  /**
   * Cluster membership. Clusters may share neurons (SCIC clusters often
   * share all outputs), so a cell is in cluster k when its input is one of
   * k's inputs and its output one of k's outputs: the first cluster of each
   * input (-1: none), the further ones of the few inputs in several, and a
   * row-membership byte per output and cluster (r · clusters + k).
   */
  colCluster: Int32Array;
  colMore: Map<number, number[]>;
  rowMember: Uint8Array;
  /** Per output neuron, the crossbars holding it; per crossbar, which inputs it holds. */
  rowCrossbars: number[][];
  colMember: Uint8Array[];
}

export function layerModel(view: MappingLayerView): LayerModel {
  const { rows, cols } = view;
  const colCluster = new Int32Array(cols).fill(-1);
  const colMore = new Map<number, number[]>();
  const nk = view.clusters.length;
  const rowMember = new Uint8Array(rows * nk);
  view.clusters.forEach((c, k) => {
    for (const r of c.outputs) rowMember[r * nk + k] = 1;
    for (const i of c.inputs) {
      if (colCluster[i] < 0) colCluster[i] = k;
      else colMore.set(i, [...(colMore.get(i) ?? []), k]);
    }
  });
  const rowCrossbars: number[][] = Array.from({ length: rows }, () => []);
  const colMember: Uint8Array[] = [];
  (view.crossbars ?? []).forEach((x, k) => {
    for (const r of x.rows) rowCrossbars[r].push(k);
    const m = new Uint8Array(cols);
    for (const c of x.cols) m[c] = 1;
    colMember.push(m);
  });
  return { view, rows, cols, bits: decodeBase64(view.bits), colCluster, colMore, rowMember, rowCrossbars, colMember };
}

/** Display order: neuron at each display position, and the position of each neuron. */
export interface Order {
  rows: Int32Array;
  cols: Int32Array;
  rowPos: Int32Array;
  colPos: Int32Array;
}

function inverse(p: Int32Array): Int32Array {
  const inv = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) inv[p[i]] = i;
  return inv;
}

export function orderOf(layer: LayerModel, kind: 'original' | 'cluster'): Order {
  const rows = kind === 'cluster' ? Int32Array.from(layer.view.permutation.outputs) : Int32Array.from({ length: layer.rows }, (_, i) => i);
  const cols = kind === 'cluster' ? Int32Array.from(layer.view.permutation.inputs) : Int32Array.from({ length: layer.cols }, (_, i) => i);
  return { rows, cols, rowPos: inverse(rows), colPos: inverse(cols) };
}

const pack = (c: Rgba) => ((c[3] << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0;

/** The cluster holding cell (r, c), or -1. */
export function clusterAt(layer: LayerModel, r: number, c: number): number {
  const k = layer.colCluster[c];
  if (k < 0) return -1;
  const nk = layer.view.clusters.length;
  if (layer.rowMember[r * nk + k]) return k;
  for (const j of layer.colMore.get(c) ?? []) if (layer.rowMember[r * nk + j]) return j;
  return -1;
}

/** Write the layer into `out` (cols × rows pixels) in the given order. */
export function paint(layer: LayerModel, order: Order, palette: Palette, highlightUnclustered: boolean, out: ImageData): void {
  const { cols, bits, colCluster, colMore, rowMember } = layer;
  const nk = layer.view.clusters.length;
  const px = new Uint32Array(out.data.buffer, out.data.byteOffset, out.width * out.height);
  const bg = pack(palette.background);
  const loose = pack(highlightUnclustered ? palette.unclustered : palette.synapse);
  const on = palette.cluster.map(pack);
  const tint = palette.clusterTint.map(pack);
  const nc = on.length;
  const R = order.rows;
  const C = order.cols;
  for (let y = 0; y < R.length; y++) {
    const r = R[y];
    const base = r * cols;
    const ro = r * nk;
    const o = y * cols;
    for (let x = 0; x < C.length; x++) {
      const c = C[x];
      const k = base + c;
      const bit = (bits[k >> 3] >> (7 - (k & 7))) & 1;
      let cl = colCluster[c];
      if (cl >= 0 && !rowMember[ro + cl]) cl = colMore.size ? clusterAt(layer, r, c) : -1;
      px[o + x] = bit ? (cl >= 0 ? on[cl % nc] : loose) : cl >= 0 ? tint[cl % nc] : bg;
    }
  }
}

/** Maximal runs of consecutive display positions: [start, end) pairs. */
function runs(positions: number[]): [number, number][] {
  const p = positions.slice().sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const v of p) {
    const last = out[out.length - 1];
    if (last && last[1] === v) last[1] = v + 1;
    else out.push([v, v + 1]);
  }
  return out;
}

/**
 * A crossbar's outline in display cells: every rectangle its rows × columns
 * cover in this order (its bounding box beyond MAX_RECTS pieces), and the
 * major ones — at least 5% of its cells — that are always drawn; the rest
 * (rows or columns it borrowed from elsewhere) are drawn on hover.
 */
export interface Outline {
  index: number;
  rects: [number, number, number, number][];
  major: [number, number, number, number][];
  /** Some of its pieces are drawn only on hover. */
  scattered: boolean;
  utilisation: number;
}

export const MAX_RECTS = 4096;

export function outlines(layer: LayerModel, order: Order, crossbarSize: number): Outline[] {
  return (layer.view.crossbars ?? []).map((x, index) => {
    const rr = runs(x.rows.map((r) => order.rowPos[r]));
    const cc = runs(x.cols.map((c) => order.colPos[c]));
    const utilisation = x.synapses / (crossbarSize * crossbarSize);
    let rects: [number, number, number, number][] = [];
    if (rr.length * cc.length > MAX_RECTS) rects = [[cc[0][0], rr[0][0], cc[cc.length - 1][1] - cc[0][0], rr[rr.length - 1][1] - rr[0][0]]];
    else for (const [y0, y1] of rr) for (const [x0, x1] of cc) rects.push([x0, y0, x1 - x0, y1 - y0]);
    const min = Math.max(4, 0.05 * x.rows.length * x.cols.length);
    const major = rects.length === 1 ? rects : rects.filter((r) => r[2] * r[3] >= min).sort((a, b) => b[2] * b[3] - a[2] * a[3]);
    return { index, rects, major, scattered: major.length < rects.length, utilisation };
  });
}

/** What sits under display cell (x, y). */
export function cellInfo(layer: LayerModel, order: Order, x: number, y: number) {
  const r = order.rows[y];
  const c = order.cols[x];
  const k = r * layer.cols + c;
  const synapse = ((layer.bits[k >> 3] >> (7 - (k & 7))) & 1) === 1;
  const cluster = clusterAt(layer, r, c);
  const crossbar = layer.rowCrossbars[r].find((q) => layer.colMember[q][c] === 1) ?? -1;
  return { output: r, input: c, synapse, cluster, crossbar };
}

/**
 * What the clusters cover: synapses inside at least one cluster's block (the
 * union: blocks overlap once fillCrossbars and refillCrossbars grow them),
 * and the cells and synapses that two or more blocks share.
 */
export function coverage(layer: LayerModel): { synapses: number; sharedCells: number; sharedSynapses: number } {
  const count = new Uint8Array(layer.rows * layer.cols);
  for (const c of layer.view.clusters) for (const r of c.outputs) for (const i of c.inputs) if (count[r * layer.cols + i] < 255) count[r * layer.cols + i]++;
  let synapses = 0;
  let sharedCells = 0;
  let sharedSynapses = 0;
  for (let k = 0; k < count.length; k++) {
    if (!count[k]) continue;
    const bit = (layer.bits[k >> 3] >> (7 - (k & 7))) & 1;
    synapses += bit;
    if (count[k] > 1) {
      sharedCells++;
      sharedSynapses += bit;
    }
  }
  return { synapses, sharedCells, sharedSynapses };
}
