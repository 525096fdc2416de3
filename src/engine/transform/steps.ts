/**
 * The pruning steps of an epoch's end (TraNNsformer §4), one function each,
 * named after the reference: ADP, CDP, clustering at clusterStart (SCIC),
 * re-clustering the unclustered synapses, cluster pruning and the threshold
 * schedule — plus the studio's steps beyond the paper (balanced clustering,
 * pruning inside clusters, fading unclustered synapses). Each works on one
 * layer's state (§2) and its weights in the paper's [outputs, inputs]
 * orientation; `schedule.ts` decides which step runs when. A layer's `map`
 * becomes the model's keep-mask: the caller's W ⊙ map.
 */
import type { ResolvedTransform } from '../config/schema';
import { countOnes, type BinaryMatrix } from '../core/sparse';
import { balancedCoCluster } from './cluster/balanced';
import { blockQuality, clusterMap, scic, type Cluster } from './cluster/scic';
import { PackedCrossbars } from './mapping/packed';

/** One layer's state, with the reference's names (algorithm §2). */
export interface LayerState {
  rows: number;
  cols: number;
  /** Magnitude threshold; starts at 0. */
  pruneTh: number;
  /** Threshold inside clusters (beyond the paper: innerPruneRate > 0). */
  innerTh: number;
  /** Accuracy map: |W| ≥ pruneTh. */
  pmap: Uint8Array;
  /** Cluster map: 1 inside every valid cluster's block. */
  cmap: Uint8Array;
  /** Effective connectivity: cmap OR pmap (pruning: pmap). */
  map: Uint8Array;
  clusters: Cluster[];
  clusterPruneFactor: number;
  unclusteredPrev: number;
  unclusteredCurr: number;
}

/** A dense layer before any step: everything kept, nothing clustered. */
export function layerState(rows: number, cols: number, clusterPruneFactor: number): LayerState {
  const n = rows * cols;
  return {
    rows,
    cols,
    pruneTh: 0,
    innerTh: 0,
    pmap: new Uint8Array(n).fill(1),
    cmap: new Uint8Array(n),
    map: new Uint8Array(n).fill(1),
    clusters: [],
    clusterPruneFactor,
    unclusteredPrev: 0,
    unclusteredCurr: 0,
  };
}

/** Where a clustering step runs, which fixes its seed: the run's seed, the epoch, the layer (0-based). */
export interface StepAt {
  seed: number;
  epoch: number;
  layer: number;
}

/** pmap = |W| ≥ pruneTh. */
export function accuracyMap(s: LayerState, w: Float32Array): void {
  for (let i = 0; i < w.length; i++) s.pmap[i] = Math.abs(w[i]) >= s.pruneTh ? 1 : 0;
}

/**
 * ADP (accuracy-driven pruning): pmap = |W| ≥ pruneTh, map = pmap.
 * Magnitude pruning (Han et al.): the smallest weights matter least to accuracy.
 */
export function adp(s: LayerState, w: Float32Array): void {
  accuracyMap(s, w);
  s.map.set(s.pmap);
}

/**
 * CDP (cluster- and accuracy-driven pruning): pmap = |W| ≥ pruneTh,
 * map = cmap OR pmap. Clustered synapses are protected whatever their
 * magnitude (the reference) — they already sit on a crossbar, so pruning
 * goes after the scattered ones that would need crossbars of their own — or,
 * with `innerPrune` (innerPruneRate > 0), pruned at their own threshold.
 */
export function cdp(s: LayerState, w: Float32Array, innerPrune: boolean): void {
  accuracyMap(s, w);
  effectiveMap(s, w, innerPrune);
}

/** map = (cmap, less weak synapses when pruning inside clusters) OR pmap; updates unclusteredCurr = |map AND NOT cmap| / (rows·cols). */
function effectiveMap(s: LayerState, w: Float32Array, innerPrune: boolean): void {
  let unclustered = 0;
  for (let i = 0; i < w.length; i++) {
    const inCluster = s.cmap[i] === 1 && (!innerPrune || Math.abs(w[i]) >= s.innerTh);
    s.map[i] = inCluster || s.pmap[i] ? 1 : 0;
    if (s.map[i] && !s.cmap[i]) unclustered++;
  }
  s.unclusteredCurr = unclustered / (s.rows * s.cols);
}

/**
 * SCIC on the given connectivity, trying quality bars from qualityMax down to
 * qualityMin (reference 0.7 → 0.3) until one finds clusters: the densest
 * blocks are worth a crossbar of their own, looser ones only when nothing
 * denser is left.
 */
export function scicLadder(m: BinaryMatrix, t: ResolvedTransform, at: StepAt): Cluster[] {
  const { qualityMax, qualityMin, qualityStep, crossbar, k, sizeRule, refine } = t;
  for (let q = qualityMax; q >= qualityMin - 1e-9; q -= qualityStep) {
    const found = scic(m, crossbar, { k, quality: q, seed: at.seed * 7 + at.epoch * 131 + at.layer, sizeRule, refine });
    if (found.length > 0) return found;
  }
  return [];
}

/** Layer l's partition count (0-based): the one number, or the layer's entry (the last entry for layers beyond the list). */
export function partitionsOf(t: Pick<ResolvedTransform, 'partitions'>, layer: number): number {
  const p = t.partitions;
  return typeof p === 'number' ? p : p[Math.min(layer, p.length - 1)];
}

/**
 * Balanced clustering (beyond the paper): `partitions` successive partitions
 * of pmap into crossbar-sized blocks, each over what the previous ones left.
 */
export function balancedPartitions(s: LayerState, t: ResolvedTransform, at: Omit<StepAt, 'epoch'>): Cluster[] {
  const clusters: Cluster[] = [];
  const left = Uint8Array.from(s.pmap);
  for (let p = 0; p < partitionsOf(t, at.layer); p++) {
    const found = balancedCoCluster({ rows: s.rows, cols: s.cols, data: left }, t.crossbar, at.seed * 7 + at.layer * 131 + p);
    for (const c of found) for (const r of c.outputs) for (const i of c.inputs) left[r * s.cols + i] = 0;
    clusters.push(...found);
  }
  return clusters;
}

/**
 * Fill the crossbars (beyond the paper; `fillCrossbars`): the clusters are
 * packed onto crossbars as the packed mapping packs them, and each
 * crossbar's clusters become one block of every row and column on it, grown
 * to x outputs (then x inputs) with the outputs (inputs) holding the most
 * weight magnitude over the block's inputs (outputs), not counting cells a
 * block already covers. Clusters of one partition hold about ⌈rows/x⌉/g of
 * a crossbar's cells (a 23×60 block on a 64×64 crossbar for 784→300): the
 * crossbars are paid for anyway, so their empty cells become synapses. The
 * crossbar count does not change: every block still fits one crossbar.
 */
export function fillCrossbars(s: LayerState, w: Float32Array, x: number): Cluster[] {
  const packed = new PackedCrossbars(s.rows, s.cols, s.clusters, x);
  const covered = new Uint8Array(s.rows * s.cols);
  const pmap = { rows: s.rows, cols: s.cols, data: s.pmap };
  // The fullest crossbars first: they are the least changed.
  const bins = packed.bins.slice().sort((a, b) => b.rows.length * b.cols.length - a.rows.length * a.cols.length);
  const grow = (have: number[], limit: number, candidates: number, cell: (cand: number, other: number) => number, others: number[]): number[] => {
    const set = new Set(have);
    if (have.length >= limit) return have.slice();
    const score: [number, number][] = [];
    for (let k = 0; k < candidates; k++) {
      if (set.has(k)) continue;
      let m = 0;
      for (const o of others) {
        const at = cell(k, o);
        if (!covered[at]) m += Math.abs(w[at]);
      }
      if (m > 0) score.push([m, k]);
    }
    score.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    return [...have, ...score.slice(0, limit - have.length).map(([, k]) => k)];
  };
  return bins.map((b) => {
    const outs = grow(b.rows, Math.min(x, s.rows), s.rows, (r, c) => r * s.cols + c, b.cols);
    const ins = grow(b.cols, Math.min(x, s.cols), s.cols, (c, r) => r * s.cols + c, outs);
    outs.sort((p, q) => p - q);
    ins.sort((p, q) => p - q);
    for (const r of outs) for (const c of ins) covered[r * s.cols + c] = 1;
    return { outputs: Int32Array.from(outs), inputs: Int32Array.from(ins), quality: blockQuality(pmap, outs, ins).quality, valid: true };
  });
}

/** The `k` candidates (0 … n−1, skipping `skip`) with the largest positive score, best first (ties: lower index). */
function topK(n: number, k: number, score: (i: number) => number, skip?: Set<number>): number[] {
  const scored: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    if (skip?.has(i)) continue;
    const v = score(i);
    if (v > 0) scored.push([v, i]);
  }
  scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return scored.slice(0, k).map(([, i]) => i);
}

/**
 * Refill the crossbars (beyond the paper; `refillCrossbars`), each epoch
 * between clusterStart and clusterPruneStart: every valid cluster keeps its
 * crossbar but chooses its x outputs again — those with the most weight
 * magnitude over its inputs — and then its x inputs over those outputs, in
 * cells no earlier block covers. Blocks chosen at clusterStart from a young
 * network follow the weights as training moves them; the synapses a block
 * lets go become unclustered (and fade). The crossbar count does not change.
 */
export function refillCrossbars(s: LayerState, w: Float32Array, x: number): void {
  const covered = new Uint8Array(s.rows * s.cols);
  const pmap = { rows: s.rows, cols: s.cols, data: s.pmap };
  for (const c of s.clusters) {
    if (!c.valid) continue;
    const ins0 = Array.from(c.inputs);
    const mass = (r: number, cols: number[]) => cols.reduce((a, i) => a + (covered[r * s.cols + i] ? 0 : Math.abs(w[r * s.cols + i])), 0);
    const outs = topK(s.rows, Math.min(x, s.rows), (r) => mass(r, ins0));
    if (outs.length === 0) continue;
    const ins = topK(s.cols, Math.min(x, s.cols), (i) => outs.reduce((a, r) => a + (covered[r * s.cols + i] ? 0 : Math.abs(w[r * s.cols + i])), 0));
    if (ins.length === 0) continue;
    outs.sort((p, q) => p - q);
    ins.sort((p, q) => p - q);
    for (const r of outs) for (const i of ins) covered[r * s.cols + i] = 1;
    c.outputs = Int32Array.from(outs);
    c.inputs = Int32Array.from(ins);
    c.quality = blockQuality(pmap, outs, ins).quality;
  }
  s.cmap = clusterMap(s.rows, s.cols, s.clusters);
}

/**
 * Does clustering apply to this layer? SCIC: always. Balanced: only when the
 * layer is taller and wider than a crossbar (otherwise its tiles are a row
 * or a column of crossbars already, and grouping cannot save any).
 */
export function clusterable(s: LayerState, t: ResolvedTransform): boolean {
  return t.clustering === 'scic' || (s.rows > t.crossbar && s.cols > t.crossbar);
}

/**
 * The step at e == clusterStart: clusters = SCIC(pmap) (or balanced
 * partitions), cmap = their blocks, then CDP. Clustering during training,
 * after a warm-up of pruning has exposed the structure, lets the weights
 * adapt to the clusters — what the offline ablation lacks.
 */
export function clusterLayer(s: LayerState, w: Float32Array, t: ResolvedTransform, at: StepAt): void {
  accuracyMap(s, w);
  if (t.clustering === 'balanced') s.clusters = balancedPartitions(s, t, at);
  else s.clusters = scicLadder({ rows: s.rows, cols: s.cols, data: s.pmap }, t, at).map((c) => ({ ...c }));
  if (t.fillCrossbars) s.clusters = fillCrossbars(s, w, t.crossbar);
  s.cmap = clusterMap(s.rows, s.cols, s.clusters);
  s.unclusteredPrev = s.unclusteredCurr;
  cdp(s, w, t.innerPruneRate > 0);
}

/**
 * The step after clusterStart once the unclustered fraction has settled
 * (|Δ| < tolerance): SCIC on the synapses outside every cluster
 * (pmap AND NOT cmap), the new clusters appended, cmap rebuilt, then CDP.
 * Returns how many clusters were added.
 */
export function recluster(s: LayerState, w: Float32Array, t: ResolvedTransform, at: StepAt): number {
  accuracyMap(s, w);
  const outside = new Uint8Array(s.pmap.length);
  for (let i = 0; i < outside.length; i++) outside[i] = s.pmap[i] & (s.cmap[i] ^ 1);
  const fresh = countOnes(outside) > 0 ? scicLadder({ rows: s.rows, cols: s.cols, data: outside }, t, at) : [];
  s.clusters.push(...fresh);
  s.cmap = clusterMap(s.rows, s.cols, s.clusters);
  s.unclusteredPrev = s.unclusteredCurr;
  cdp(s, w, t.innerPruneRate > 0);
  return fresh.length;
}

/**
 * Inner pruning (beyond the paper): clusters whose block density in `map`
 * fell below qualityMin dissolve, and their synapses fall under pmap's rule;
 * a block that pruning has hollowed out no longer earns a crossbar.
 * Returns how many dissolved; the caller re-runs CDP.
 */
export function dissolveThinClusters(s: LayerState, qualityMin: number): number {
  let dissolved = 0;
  for (const c of s.clusters) {
    if (!c.valid) continue;
    let n = 0;
    for (const r of c.outputs) for (const i of c.inputs) n += s.map[r * s.cols + i];
    if (n / (c.outputs.length * c.inputs.length) < qualityMin) {
      c.valid = false;
      dissolved++;
    }
  }
  if (dissolved) s.cmap = clusterMap(s.rows, s.cols, s.clusters);
  return dissolved;
}

/**
 * Cluster pruning (e ≥ clusterPruneStart): score = Q × |cmap AND pmap inside
 * the block|; every valid cluster scoring ≤ clusterPruneFactor × best score
 * is invalidated and its block cleared (outside surviving clusters) in cmap
 * and pmap; then map = cmap OR pmap. A cluster holding few strong synapses
 * costs whole crossbars for little accuracy. Returns how many were pruned.
 */
export function clusterPrune(s: LayerState, w: Float32Array, innerPrune: boolean): number {
  const valid = s.clusters.filter((c) => c.valid);
  if (valid.length === 0) return 0;
  const score = (c: Cluster) => {
    let n = 0;
    for (const r of c.outputs) for (const i of c.inputs) n += s.cmap[r * s.cols + i] & s.pmap[r * s.cols + i];
    return c.quality * n;
  };
  const scores = valid.map(score);
  const th = s.clusterPruneFactor * Math.max(...scores);
  const dropped = valid.filter((_, i) => scores[i] <= th);
  for (const c of dropped) c.valid = false;
  if (dropped.length === 0) return 0;
  s.cmap = clusterMap(s.rows, s.cols, s.clusters);
  for (const c of dropped)
    for (const r of c.outputs)
      for (const i of c.inputs) {
        const at = r * s.cols + i;
        if (!s.cmap[at]) s.pmap[at] = 0;
      }
  effectiveMap(s, w, innerPrune);
  return dropped.length;
}

/**
 * Fade (beyond the paper): keep the strongest unclustered synapses, a share
 * falling linearly to none at clusterPruneStart — besides those that fit on
 * the crossbars of the packed clusters (in their cells, or in their spare
 * rows and columns), which cost nothing. Scattered synapses are what costs
 * crossbars; fading them lets the network adapt to losing them.
 */
export function fadeUnclustered(s: LayerState, w: Float32Array, epoch: number, t: ResolvedTransform): void {
  const share = Math.max(0, 1 - (epoch - t.clusterStart) / Math.max(1, t.clusterPruneStart - t.clusterStart));
  // A leftover that fits on the clusters' crossbars is free (row-major, as the packed mapping places them).
  const crossbars = new PackedCrossbars(s.rows, s.cols, s.clusters, t.crossbar);
  const costly: number[] = [];
  let free = 0;
  for (let i = 0; i < s.map.length; i++)
    if (s.map[i] && !s.cmap[i]) {
      if (crossbars.absorb(Math.floor(i / s.cols), i % s.cols)) free++;
      else costly.push(i);
    }
  // Of the others, the strongest within the budget stay.
  costly.sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]));
  const budget = Math.floor(share * costly.length);
  for (const i of costly.slice(budget)) {
    s.map[i] = 0;
    s.pmap[i] = 0;
  }
  s.unclusteredCurr = (free + budget) / s.map.length;
}

/**
 * The threshold schedule, run when the training error fell this epoch:
 * pruneTh += slowdown × pruneRateScale × pruneRate_l for every layer (inside
 * clusters, innerPruneRate times that from clusterStart), and from
 * clusterPruneStart clusterPruneFactor += clusterPruneRate. Pruning never
 * outpaces the network's recovery: while the error rises, nothing tightens.
 */
export function raisePruneThresholds(states: LayerState[], t: ResolvedTransform, epoch: number): void {
  states.forEach((s, l) => {
    const step = t.slowdown * t.pruneRateScale * t.pruneRates[l];
    s.pruneTh += step;
    if (t.mode === 'trannsformer' && epoch >= t.clusterStart) s.innerTh += t.innerPruneRate * step;
    if (t.mode === 'trannsformer' && epoch >= t.clusterPruneStart) s.clusterPruneFactor += t.clusterPruneRate;
  });
}

/**
 * Offline clustering (the ablation), per layer after pruning-only training:
 * clusters = SCIC(pmap) once; masks do not change (map stays pmap).
 */
export function clusterOffline(s: LayerState, t: ResolvedTransform, at: StepAt): void {
  s.clusters = scicLadder({ rows: s.rows, cols: s.cols, data: s.pmap }, t, at);
  s.cmap = clusterMap(s.rows, s.cols, s.clusters);
  let unclustered = 0;
  for (let i = 0; i < s.map.length; i++) if (s.map[i] && !s.cmap[i]) unclustered++;
  s.unclusteredCurr = unclustered / (s.rows * s.cols);
}
