/**
 * A whole network's mapping under one scheme (per-layer counts, total,
 * utilisation), and which schemes describe a run of each mode.
 */
import type { Cluster } from '../cluster/scic';
import type { BinaryMatrix } from '../../core/sparse';
import type { MappingScheme, NetworkMapping } from '../../format/mapping';
import { compactMapping, denseMapping, paperMapping } from './schemes';
import { packedMapping } from './packed';

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
