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
 *  - packed:       beyond the paper, in `packed.ts`.
 *
 * `network.ts` maps a whole network under one scheme.
 */
import type { Cluster } from '../cluster/scic';
import type { BinaryMatrix } from '../../core/sparse';
import type { MappingScheme, Crossbar, LayerMapping } from '../../format/mapping';

const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);

/** A layer's mapping from its crossbars: synapse count and utilisation. */
export function finish(scheme: MappingScheme, x: number, crossbars: Crossbar[], taken?: MappingScheme): LayerMapping {
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
export function tile(m: BinaryMatrix, rows: number[], cols: number[], x: number, skipEmpty: boolean, denseSynapses: boolean): Crossbar[] {
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

export function nonEmpty(m: BinaryMatrix): { rows: number[]; cols: number[] } {
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
export function clusterPieces(c: Cluster, x: number): { rows: number[]; cols: number[] }[] {
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
