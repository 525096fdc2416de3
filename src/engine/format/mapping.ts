/**
 * Crossbar placements: what `mapping.json` holds per scheme.
 * Types only: browser-safe, shared by the engine, the extension and the webviews.
 */
export type MappingScheme = 'dense' | 'compact' | 'compact-skip' | 'paper' | 'packed';
export interface Crossbar {
  /** Output neurons (rows of the layer) on this crossbar. */
  rows: number[];
  /** Input neurons (columns of the layer) on this crossbar. */
  cols: number[];
  /** Synapses it holds. */
  synapses: number;
  /** What it was opened for. */
  kind: 'tile' | 'cluster' | 'leftover';
}
export interface LayerMapping {
  scheme: MappingScheme;
  crossbarSize: number;
  count: number;
  synapses: number;
  /** Synapses ÷ cells over all crossbars (cells = count·x²). */
  utilisation: number;
  crossbars: Crossbar[];
  /** For packed: the scheme whose result was taken ("packed" or "compact-skip"). */
  taken?: MappingScheme;
}
/** A whole network's mapping under one scheme. */
export interface NetworkMapping {
  scheme: MappingScheme;
  crossbarSize: number;
  total: number;
  perLayer: number[];
  synapses: number;
  utilisation: number;
  /** Packed: per layer, which scheme's result was taken. */
  taken?: MappingScheme[];
  layers: LayerMapping[];
}
