/**
 * A run's clusters and crossbar placements: what `clusters.json` and
 * `mapping.json` hold, and the connectivity snapshots (`snapshots.tnsr`)
 * taken while the clusters form.
 * Types only: browser-safe, shared by the engine, the extension and the webviews.
 */
import type { NetworkMapping } from './mapping';

/** One cluster as stored: neuron indices of the layer (never positions in a trimmed list). */
export interface ClusterRecord {
  /** Input neurons (columns), ascending. */
  inputs: number[];
  /** Output neurons (rows), ascending. */
  outputs: number[];
  /** Connections inside the block ÷ block size, when the cluster was formed. */
  quality: number;
  valid: boolean;
  unsplittable?: boolean;
}

export interface LayerClustersRecord {
  outputs: number;
  inputs: number;
  pruneThreshold: number;
  clusters: ClusterRecord[];
  /** Neuron orders that make every valid cluster contiguous (first cluster first), the rest after. */
  permutation: { outputs: number[]; inputs: number[] };
}

/** `clusters.json`. */
export interface ClustersFile {
  crossbarSize: number;
  layers: LayerClustersRecord[];
}

/** `mapping.json`: placements per scheme (the dense scheme without placements: its tiling follows from the layer sizes). */
export interface MappingFile {
  crossbarSize: number;
  shown: string;
  schemes: Record<string, Omit<NetworkMapping, 'layers'> & { layers?: NetworkMapping['layers'] }>;
}

/**
 * One connectivity snapshot of a layer: the effective connectivity
 * (outputs × inputs, row-major), bit-packed most significant bit first —
 * bit k of the matrix is `(bits[k >> 3] >> (7 - (k & 7))) & 1` — with the
 * clusters valid at that moment.
 */
export interface LayerSnapshot {
  rows: number;
  cols: number;
  bits: Uint8Array;
  clusters: ClusterRecord[];
}

/** Why a snapshot was taken. */
export type SnapshotReason = 'first' | 'clustering' | 'reclustering' | 'cluster-pruning' | 'epoch' | 'final';

export interface ConnectivitySnapshot {
  epoch: number;
  reasons: SnapshotReason[];
  layers: LayerSnapshot[];
}
