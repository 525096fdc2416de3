/**
 * Spiking conversion, area and energy: what `evaluation.json` holds.
 * Types only: browser-safe, shared by the engine, the extension and the webviews.
 */
import type { MappingScheme } from './mapping';
import type { Spread } from './compare';

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
  /** Its area, mm²: the mapping's area plus one ADC per array (a_adc_um2 at the preset's ADC bits), where the preset gives it. */
  adcArea_mm2?: number;
  warnings: string[];
}
/** Test accuracy of one preset at one crossbar size over simulated chips (one seed each). */
export interface HardwareAccuracy {
  preset: string;
  crossbarSize: number;
  /** Chip seeds, and the accuracy of each (same order). */
  chipSeeds: number[];
  perChip: number[];
  /** Over the chips: mean ± sample std, min–max (fractions). */
  accuracy: Spread;
  /** Hardware minus software accuracy, mean over chips (fraction). */
  loss: number;
  /** Arrays solved per chip, the IR-drop solver's worst sweeps and residual, seconds per chip. */
  arrays: number;
  solverSweeps: number;
  solverResidual: number;
  secondsPerChip: number;
  adcBits: number;
  dacBits: number;
  /** With IR-aware placement: crossbars, how many were reordered, and the mean IR-drop error of their effective weights before and after (fractions). */
  placement?: { crossbars: number; reordered: number; errorBefore: number; errorAfter: number };
  /**
   * With fault-aware remapping (each chip's crossbars reordered for its own stuck cells): every
   * chip's accuracy without it (perChip holds it with), what remapping recovered per chip
   * (with − without, over the chips), and per chip on average the crossbars reordered and the
   * summed fault error before and after (faultRemap.ts).
   */
  remap?: { perChipWithout: number[]; recovered: Spread; crossbars: number; remapped: number; errorBefore: number; errorAfter: number };
  /** Spare word and bit lines per crossbar (every array (size + S)²), when there are any. */
  spareLines?: number;
  /** The area the spares add, mm² (the mPE area at size + S minus at size, over the mapping's mPEs), and as a fraction of the mapping's area without them. */
  spareArea_mm2?: number;
  spareAreaFraction?: number;
  /** Chip seeds whose stuck cells were read from a measured map (hardware.stuckCells, --stuck-cells), not drawn. */
  measuredChips?: number[];
  /** Spiking presets, when asked: the rate-coded network's accuracy on each chip, and over the chips. */
  snnPerChip?: number[];
  snnAccuracy?: Spread;
}
/** Per preset: the largest size whose mean hardware accuracy is within the loss limit of software's, beside the preset's typed claim. */
export interface ReliableCrossbar {
  preset: string;
  /** Undefined when no size tried is within the limit. */
  derived?: number;
  /** The preset's maxCrossbar: the source's claim. */
  claimed: number;
}
export interface HardwareAccuracyReport {
  /** Software accuracy on the same test images, through the same fast path. */
  softwareAccuracy: number;
  images: number;
  chips: number;
  /** Accuracy-loss limit (fraction) for the derived reliable size. */
  lossLimit: number;
  /** Non-idealities switched off for this evaluation. */
  off: string[];
  /** Relative residual at which the IR-drop solver stops. */
  solverTolerance: number;
  results: HardwareAccuracy[];
  reliable: ReliableCrossbar[];
  notes: string[];
  /** Accuracy on simulated crossbar chips (`evaluate --chips N`). */
  hardwareAccuracy?: HardwareAccuracyReport;
}
export interface Evaluation {
  runDir: string;
  mode: string;
  createdAt: string;
  snn: { timesteps: number; encoding: string; images: number; accuracy: number; annAccuracy: number; curve: { timesteps: number; accuracy: number }[]; meanRates: number[] };
  results: PricedMapping[];
  presets: { name: string; file: string; maxCrossbar: number; caveats: string[] }[];
  notes: string[];
  /** Accuracy on simulated crossbar chips (`evaluate --chips N`). */
  hardwareAccuracy?: HardwareAccuracyReport;
}
