/**
 * The pruning step of each epoch (TraNNsformer §4) and the state it keeps
 * per layer: accuracy-driven pruning (ADP), cluster- and accuracy-driven
 * pruning (CDP), when to (re-)cluster, cluster pruning, and the threshold
 * schedule. Works on weights in the paper's [outputs, inputs] orientation
 * and returns each layer's effective connectivity `map`, which becomes the
 * model's keep-mask.
 */
import type { ResolvedTransform } from '../config/schema';
import { balancedCoCluster, clusterMap, scic, type Cluster } from './cluster/scic';
import { countOnes, type BinaryMatrix } from '../core/sparse';
import { PackedCrossbars } from './mapping/schemes';

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

export interface PruneStepReport {
  /** What happened to each layer this epoch, for the log. */
  actions: string[];
}

export class Transformer {
  readonly state: LayerState[];
  private prevTrainLoss = Infinity;

  constructor(
    readonly t: ResolvedTransform,
    readonly layers: number[],
    readonly seed: number,
  ) {
    this.state = layers.slice(1).map((rows, l) => {
      const cols = layers[l];
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
        clusterPruneFactor: t.clusterPruneFactor,
        unclusteredPrev: 0,
        unclusteredCurr: 0,
      };
    });
  }

  /** Does this mode change masks at all? */
  get prunes(): boolean {
    return this.t.mode !== 'original';
  }

  /** pmap = |W| ≥ th. */
  private accuracyMap(s: LayerState, w: Float32Array): void {
    for (let i = 0; i < w.length; i++) s.pmap[i] = Math.abs(w[i]) >= s.pruneTh ? 1 : 0;
  }

  /** ADP: map = pmap. */
  private adp(s: LayerState, w: Float32Array): void {
    this.accuracyMap(s, w);
    s.map.set(s.pmap);
  }

  /**
   * CDP: map = cmap OR pmap; clustered synapses are protected (the
   * reference), or pruned at their own threshold when innerPruneRate > 0.
   */
  private cdp(s: LayerState, w: Float32Array): void {
    this.accuracyMap(s, w);
    this.combine(s, w);
  }

  /** map = (cmap, less weak synapses when pruning inside clusters) OR pmap; updates the unclustered fraction. */
  private combine(s: LayerState, w: Float32Array): void {
    const inner = this.t.innerPruneRate > 0;
    let unclustered = 0;
    for (let i = 0; i < w.length; i++) {
      const inCluster = s.cmap[i] === 1 && (!inner || Math.abs(w[i]) >= s.innerTh);
      s.map[i] = inCluster || s.pmap[i] ? 1 : 0;
      if (s.map[i] && !s.cmap[i]) unclustered++;
    }
    s.unclusteredCurr = unclustered / (s.rows * s.cols);
  }

  /**
   * Fade: keep the strongest unclustered synapses, a share falling linearly
   * to none at clusterPruneStart — besides those that fit on the crossbars of
   * the packed clusters (in their cells, or in their spare rows and columns),
   * which cost nothing.
   */
  private fade(s: LayerState, w: Float32Array, epoch: number): void {
    const t = this.t;
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
   * Does clustering apply to this layer? SCIC: always. Balanced: only when the
   * layer is taller and wider than a crossbar (otherwise its tiles are a row
   * or a column of crossbars already, and grouping cannot save any).
   */
  private clusterable(s: LayerState): boolean {
    return this.t.clustering === 'scic' || (s.rows > this.t.crossbar && s.cols > this.t.crossbar);
  }

  /** Balanced: `partitions` successive partitions into crossbar-sized blocks, each over what the previous ones left. */
  private partition(s: LayerState, l: number): void {
    s.clusters = [];
    const left = Uint8Array.from(s.pmap);
    for (let p = 0; p < this.t.partitions; p++) {
      const found = balancedCoCluster({ rows: s.rows, cols: s.cols, data: left }, this.t.crossbar, this.seed * 7 + l * 131 + p);
      for (const c of found) for (const r of c.outputs) for (const i of c.inputs) left[r * s.cols + i] = 0;
      s.clusters.push(...found);
    }
  }

  /** SCIC on the given connectivity, trying quality bars from qualityMax down to qualityMin until one finds clusters. */
  private clusterLadder(m: BinaryMatrix, epoch: number, l: number): Cluster[] {
    const { qualityMax, qualityMin, qualityStep, crossbar, k, sizeRule, refine } = this.t;
    for (let q = qualityMax; q >= qualityMin - 1e-9; q -= qualityStep) {
      const found = scic(m, crossbar, { k, quality: q, seed: this.seed * 7 + epoch * 131 + l, sizeRule, refine });
      if (found.length > 0) return found;
    }
    return [];
  }

  /** Clusters whose block density (in `map`) fell below qualityMin dissolve; their synapses stay under pmap's rule. */
  private dissolveThin(s: LayerState): number {
    let dissolved = 0;
    for (const c of s.clusters) {
      if (!c.valid) continue;
      let n = 0;
      for (const r of c.outputs) for (const i of c.inputs) n += s.map[r * s.cols + i];
      if (n / (c.outputs.length * c.inputs.length) < this.t.qualityMin) {
        c.valid = false;
        dissolved++;
      }
    }
    if (dissolved) s.cmap = clusterMap(s.rows, s.cols, s.clusters);
    return dissolved;
  }

  /** Cluster pruning: invalidate clusters scoring ≤ factor × best score, clear their blocks. */
  private clusterPrune(s: LayerState, w: Float32Array): number {
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
    this.combine(s, w);
    return dropped.length;
  }

  /**
   * The end-of-epoch step. `weights` are the layer weights after the
   * epoch's SGD ([outputs, inputs]); returns the new keep-masks (= map).
   */
  epochEnd(epoch: number, weights: Float32Array[], trainLoss: number): PruneStepReport {
    const t = this.t;
    const actions: string[] = [];
    this.state.forEach((s, l) => {
      const w = weights[l];
      if (t.mode === 'pruning' || t.mode === 'offline') {
        this.adp(s, w);
        return;
      }
      if (t.mode !== 'trannsformer') return;
      if (epoch < t.clusterStart || !this.clusterable(s)) this.adp(s, w);
      else if (epoch === t.clusterStart) {
        this.accuracyMap(s, w);
        if (t.clustering === 'balanced') this.partition(s, l);
        else s.clusters = this.clusterLadder({ rows: s.rows, cols: s.cols, data: s.pmap }, epoch, l).map((c) => ({ ...c }));
        s.cmap = clusterMap(s.rows, s.cols, s.clusters);
        s.unclusteredPrev = s.unclusteredCurr;
        this.cdp(s, w);
        actions.push(`layer ${l + 1}: ${s.clusters.length} clusters formed`);
      } else if (t.clustering === 'balanced' || Math.abs(s.unclusteredCurr - s.unclusteredPrev) >= t.tolerance) {
        s.unclusteredPrev = s.unclusteredCurr;
        this.cdp(s, w);
      } else {
        // The unclustered fraction settled: cluster the synapses outside every cluster.
        this.accuracyMap(s, w);
        const outside = new Uint8Array(s.pmap.length);
        for (let i = 0; i < outside.length; i++) outside[i] = s.pmap[i] & (s.cmap[i] ^ 1);
        const fresh = countOnes(outside) > 0 ? this.clusterLadder({ rows: s.rows, cols: s.cols, data: outside }, epoch, l) : [];
        s.clusters.push(...fresh);
        s.cmap = clusterMap(s.rows, s.cols, s.clusters);
        s.unclusteredPrev = s.unclusteredCurr;
        this.cdp(s, w);
        if (fresh.length) actions.push(`layer ${l + 1}: ${fresh.length} more clusters`);
      }
      if (t.innerPruneRate > 0 && t.clustering === 'scic') {
        const d = this.dissolveThin(s);
        if (d) {
          this.cdp(s, w);
          actions.push(`layer ${l + 1}: ${d} thinned clusters dissolved`);
        }
      }
      if (epoch >= t.clusterPruneStart && this.clusterable(s)) {
        const d = this.clusterPrune(s, w);
        if (d) actions.push(`layer ${l + 1}: ${d} clusters pruned`);
      }
      if (t.fadeUnclustered && epoch > t.clusterStart && this.clusterable(s)) this.fade(s, w, epoch);
    });
    // Thresholds advance only while the training error keeps falling.
    if (trainLoss < this.prevTrainLoss) {
      this.state.forEach((s, l) => {
        const step = t.slowdown * t.pruneRateScale * t.pruneRates[l];
        s.pruneTh += step;
        if (t.mode === 'trannsformer' && epoch >= t.clusterStart) s.innerTh += t.innerPruneRate * step;
        if (t.mode === 'trannsformer' && epoch >= t.clusterPruneStart) s.clusterPruneFactor += t.clusterPruneRate;
      });
    }
    this.prevTrainLoss = trainLoss;
    return { actions };
  }

  /**
   * Offline clustering (the ablation): after pruning-only training, cluster
   * each layer's pmap once. Masks do not change: map stays pmap.
   */
  clusterOffline(): void {
    this.state.forEach((s, l) => {
      s.clusters = this.clusterLadder({ rows: s.rows, cols: s.cols, data: s.pmap }, 0, l);
      s.cmap = clusterMap(s.rows, s.cols, s.clusters);
      let unclustered = 0;
      for (let i = 0; i < s.map.length; i++) if (s.map[i] && !s.cmap[i]) unclustered++;
      s.unclusteredCurr = unclustered / (s.rows * s.cols);
    });
  }

  /** Per-layer figures for the epoch's metrics line. */
  summary(): { keptFraction: number[]; unclusteredFraction: number[]; clusters: number[]; clusteredFraction: number[] } {
    return {
      keptFraction: this.state.map((s) => countOnes(s.map) / s.map.length),
      unclusteredFraction: this.state.map((s) => s.unclusteredCurr),
      clusters: this.state.map((s) => s.clusters.filter((c) => c.valid).length),
      clusteredFraction: this.state.map((s) => {
        const kept = countOnes(s.map);
        let inside = 0;
        for (let i = 0; i < s.map.length; i++) inside += s.map[i] & s.cmap[i];
        return kept ? inside / kept : 0;
      }),
    };
  }
}
