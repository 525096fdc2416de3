/**
 * What a finished (or stopped) run writes about its transformation: the
 * clusters of every layer with a permutation that groups them, and the
 * crossbar mapping under each scheme that describes the run's mode.
 */
import type { ResolvedTransform } from '../config/schema';
import { mapLayers, schemesFor, type LayerConnectivity } from './mapping/network';
import type { TransformSchedule } from './schedule';
import { packBits, type RunWriter } from '../store/runFolder';
import type { ConnectivitySnapshot, SnapshotReason } from '../format/clusters';

import type { NetworkMapping } from '../format/mapping';
import type { RunMappingSummary } from '../format/run';
/** Order neurons so that each valid cluster's members are contiguous (first cluster first), the rest after. */
export function groupingPermutation(n: number, groups: ArrayLike<number>[]): number[] {
  const seen = new Uint8Array(n);
  const order: number[] = [];
  for (const g of groups)
    for (let i = 0; i < g.length; i++)
      if (!seen[g[i]]) {
        seen[g[i]] = 1;
        order.push(g[i]);
      }
  for (let i = 0; i < n; i++) if (!seen[i]) order.push(i);
  return order;
}

export function connectivity(schedule: TransformSchedule): LayerConnectivity[] {
  return schedule.state.map((s) => ({ rows: s.rows, cols: s.cols, map: s.map, clusters: s.clusters }));
}

export function writeTransformResults(writer: RunWriter, schedule: TransformSchedule, t: ResolvedTransform): RunMappingSummary {
  const layers = connectivity(schedule);
  const { schemes, shown } = schemesFor(t.mode);
  const all = new Map<string, NetworkMapping>(schemes.map((s) => [s, mapLayers(s, layers, t.crossbar)]));
  const sum = schedule.summary();
  const shownMap = all.get(shown)!;
  const dense = all.get('dense')!;
  const summary: RunMappingSummary = {
    mode: t.mode,
    crossbarSize: t.crossbar,
    shown,
    mpes: shownMap.total,
    utilisation: shownMap.utilisation,
    schemes: Object.fromEntries(
      [...all].map(([k, m]) => [k, { total: m.total, perLayer: m.perLayer, utilisation: m.utilisation, ...(m.taken ? { taken: m.taken } : {}) }]),
    ),
    clusters: sum.clusters,
    clusteredFraction: sum.clusteredFraction,
    keptFraction: sum.keptFraction,
    reductionVsOriginal: 1 - shownMap.total / dense.total,
  };
  writer.writeClusters({
    crossbarSize: t.crossbar,
    layers: schedule.state.map((s) => {
      const valid = s.clusters.filter((c) => c.valid);
      return {
        outputs: s.rows,
        inputs: s.cols,
        pruneThreshold: s.pruneTh,
        clusters: s.clusters.map((c) => ({ inputs: Array.from(c.inputs), outputs: Array.from(c.outputs), quality: c.quality, valid: c.valid, ...(c.unsplittable ? { unsplittable: true } : {}) })),
        permutation: {
          outputs: groupingPermutation(s.rows, valid.map((c) => c.outputs)),
          inputs: groupingPermutation(s.cols, valid.map((c) => c.inputs)),
        },
      };
    }),
  });
  // Placements for the schemes worth drawing (dense tiling is implied by the layer sizes).
  writer.writeMapping({
    crossbarSize: t.crossbar,
    shown,
    schemes: Object.fromEntries([...all].map(([k, m]) => [k, k === 'dense' ? { ...m, layers: undefined } : m])),
  });
  return summary;
}

/** Which snapshot reasons an epoch's pruning actions call for (clustering events). */
export function snapshotReasons(actions: string[]): SnapshotReason[] {
  const reasons: SnapshotReason[] = [];
  const add = (r: SnapshotReason) => reasons.includes(r) || reasons.push(r);
  for (const a of actions) {
    if (/clusters formed/.test(a)) add('clustering');
    else if (/more clusters|dissolved/.test(a)) add('reclustering');
    else if (/clusters pruned/.test(a)) add('cluster-pruning');
  }
  return reasons;
}

/** The effective connectivity of every layer, bit-packed, with the clusters valid now. */
export function connectivitySnapshot(schedule: TransformSchedule, epoch: number, reasons: SnapshotReason[]): ConnectivitySnapshot {
  return {
    epoch,
    reasons,
    layers: schedule.state.map((s) => ({
      rows: s.rows,
      cols: s.cols,
      bits: packBits(s.map),
      clusters: s.clusters.filter((c) => c.valid).map((c) => ({ inputs: Array.from(c.inputs), outputs: Array.from(c.outputs), quality: c.quality, valid: true })),
    })),
  };
}
