/**
 * The epoch-end state machine of TraNNsformer §4: which pruning step of
 * `steps.ts` runs for each layer at each epoch, by mode (original, pruning,
 * trannsformer, offline), clusterStart and clusterPruneStart, and the
 * per-layer state it keeps. Works on weights in the paper's [outputs, inputs]
 * orientation; each layer's effective connectivity `map` becomes the model's
 * keep-mask.
 */
import type { ResolvedTransform } from '../config/schema';
import { countOnes } from '../core/sparse';
import {
  adp,
  cdp,
  clusterable,
  clusterLayer,
  clusterOffline,
  clusterPrune,
  dissolveThinClusters,
  fadeUnclustered,
  layerState,
  raisePruneThresholds,
  recluster,
  refillCrossbars,
  type LayerState,
} from './steps';

/** The schedule's state between epochs. */
export interface ScheduleState {
  prevTrainLoss: number;
  layers: LayerState[];
}

export interface PruneStepReport {
  /** What happened to each layer this epoch, for the log. */
  actions: string[];
}

export class TransformSchedule {
  readonly state: LayerState[];
  private prevTrainLoss = Infinity;

  constructor(
    readonly t: ResolvedTransform,
    readonly layers: number[],
    readonly seed: number,
  ) {
    this.state = layers.slice(1).map((rows, l) => layerState(rows, layers[l], t.clusterPruneFactor));
  }

  /** Everything the schedule carries from one epoch to the next (for a checkpoint). */
  exportState(): ScheduleState {
    return { prevTrainLoss: this.prevTrainLoss, layers: this.state };
  }

  /** Continue from a checkpoint: the layers' maps, thresholds, clusters and the last training loss. */
  restoreState(s: ScheduleState): void {
    if (s.layers.length !== this.state.length) throw new Error(`the checkpoint has ${s.layers.length} layers, the network ${this.state.length}`);
    s.layers.forEach((l, i) => {
      const own = this.state[i];
      if (l.rows !== own.rows || l.cols !== own.cols) throw new Error(`layer ${i + 1} of the checkpoint is ${l.rows}×${l.cols}, the network's ${own.rows}×${own.cols}`);
      this.state[i] = l;
    });
    this.prevTrainLoss = s.prevTrainLoss;
  }

  /** Does this mode change masks at all? */
  get prunes(): boolean {
    return this.t.mode !== 'original';
  }

  /**
   * The end-of-epoch step. `weights` are the layer weights after the
   * epoch's SGD ([outputs, inputs]); the new keep-masks are each layer's `map`.
   */
  epochEnd(epoch: number, weights: Float32Array[], trainLoss: number): PruneStepReport {
    const t = this.t;
    const inner = t.innerPruneRate > 0;
    const actions: string[] = [];
    // freezeMasks: after clusterPruneStart's step (the fade's end) the mapping is fixed; the remaining epochs fine-tune the weights on it.
    if (t.mode === 'trannsformer' && t.freezeMasks && epoch > t.clusterPruneStart) return { actions };
    this.state.forEach((s, l) => {
      const w = weights[l];
      const at = { seed: this.seed, epoch, layer: l };
      if (t.mode === 'pruning' || t.mode === 'offline') {
        adp(s, w);
        return;
      }
      if (t.mode !== 'trannsformer') return;
      if (epoch < t.clusterStart || !clusterable(s, t)) adp(s, w);
      else if (epoch === t.clusterStart) {
        clusterLayer(s, w, t, at);
        actions.push(`layer ${l + 1}: ${s.clusters.length} clusters formed`);
      } else if (t.clustering === 'balanced' || Math.abs(s.unclusteredCurr - s.unclusteredPrev) >= t.tolerance) {
        // Still moving (or balanced, which never re-clusters): prune around the clusters.
        s.unclusteredPrev = s.unclusteredCurr;
        if (t.refillCrossbars && epoch < t.clusterPruneStart) refillCrossbars(s, w, t.crossbar);
        cdp(s, w, inner);
      } else {
        // The unclustered fraction settled: cluster the synapses outside every cluster.
        const fresh = recluster(s, w, t, at);
        if (fresh) actions.push(`layer ${l + 1}: ${fresh} more clusters`);
      }
      if (inner && t.clustering === 'scic') {
        const d = dissolveThinClusters(s, t.qualityMin);
        if (d) {
          cdp(s, w, inner);
          actions.push(`layer ${l + 1}: ${d} thinned clusters dissolved`);
        }
      }
      if (epoch >= t.clusterPruneStart && clusterable(s, t)) {
        const d = clusterPrune(s, w, inner);
        if (d) actions.push(`layer ${l + 1}: ${d} clusters pruned`);
      }
      if (t.fadeUnclustered && epoch > t.clusterStart && clusterable(s, t)) fadeUnclustered(s, w, epoch, t);
    });
    // Thresholds advance only while the training error keeps falling.
    if (trainLoss < this.prevTrainLoss) raisePruneThresholds(this.state, t, epoch);
    this.prevTrainLoss = trainLoss;
    return { actions };
  }

  /**
   * Offline clustering (the ablation): after pruning-only training, cluster
   * each layer's pmap once. Masks do not change: map stays pmap.
   */
  clusterOffline(): void {
    this.state.forEach((s, l) => clusterOffline(s, this.t, { seed: this.seed, epoch: 0, layer: l }));
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
