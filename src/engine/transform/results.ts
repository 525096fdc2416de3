/**
 * What a finished (or stopped) run writes about its transformation: the
 * clusters of every layer with a permutation that groups them, and the
 * crossbar mapping under each scheme that describes the run's mode.
 */
import type { ResolvedTransform } from '../config/schema';
import { mapLayers, schemesFor, type LayerConnectivity } from './mapping/schemes';
import type { Transformer } from './schedule';
import type { RunWriter } from '../store/runFolder';
import { FILES } from '../store/runFolder';

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

export function connectivity(transformer: Transformer): LayerConnectivity[] {
  return transformer.state.map((s) => ({ rows: s.rows, cols: s.cols, map: s.map, clusters: s.clusters }));
}

export function writeTransformResults(writer: RunWriter, transformer: Transformer, t: ResolvedTransform): RunMappingSummary {
  const layers = connectivity(transformer);
  const { schemes, shown } = schemesFor(t.mode);
  const all = new Map<string, NetworkMapping>(schemes.map((s) => [s, mapLayers(s, layers, t.crossbar)]));
  const sum = transformer.summary();
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
  writer.writeJson(FILES.clusters, {
    crossbarSize: t.crossbar,
    layers: transformer.state.map((s) => {
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
  writer.writeJson(FILES.mapping, {
    crossbarSize: t.crossbar,
    shown,
    schemes: Object.fromEntries([...all].map(([k, m]) => [k, k === 'dense' ? { ...m, layers: undefined } : m])),
  });
  return summary;
}
