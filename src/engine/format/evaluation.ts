/**
 * Spiking conversion, area and energy: what `evaluation.json` holds.
 * Types only: browser-safe, shared by the engine, the extension and the webviews.
 */
import type { MappingScheme } from './mapping';

export interface AreaReport {
  mpes: number;
  routers: number;
  mpeArea_mm2: number;
  total_mm2: number;
  crossbars_mm2: number;
  routers_mm2: number;
}
export interface EnergyReport {
  /** µJ per classification. */
  total_uJ: number;
  crossbar_uJ: number;
  neuron_uJ: number;
  communication_uJ: number;
  averageHops: number;
  perLayer: { crossbar_uJ: number; neuron_uJ: number; communication_uJ: number }[];
}

export interface PricedMapping {
  crossbarSize: number;
  preset: string;
  scheme: MappingScheme;
  mpes: number;
  perLayer: number[];
  utilisation: number;
  area: AreaReport;
  energy: EnergyReport;
  /** Bit-serial ANN with ADCs, µJ per classification, where the preset has ADC figures. */
  adcEnergy_uJ?: number;
  warnings: string[];
}
export interface Evaluation {
  runDir: string;
  mode: string;
  createdAt: string;
  snn: { timesteps: number; encoding: string; images: number; accuracy: number; annAccuracy: number; curve: { timesteps: number; accuracy: number }[]; meanRates: number[] };
  results: PricedMapping[];
  presets: { name: string; file: string; maxCrossbar: number; caveats: string[] }[];
  notes: string[];
}
