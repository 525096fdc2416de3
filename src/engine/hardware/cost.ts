/**
 * The technology-aware cost model of `hardware-model.md`: area of a mapped
 * network, and energy per classification of its rate-coded spiking
 * implementation, split into crossbar, neuron and communication — plus a
 * bit-serial ANN (ADC) variant where the preset has ADC figures. Every number
 * is a model estimate. Presets are read by `presets.ts`.
 *
 * Crossbar orientation: a crossbar's wordlines (physical rows) carry its
 * *input* neurons' spikes, its bitlines (physical columns) feed its *output*
 * neurons. In `Crossbar`, `cols` are inputs and `rows` are outputs.
 */
import type { Crossbar } from '../format/mapping';
import type { AreaReport, EnergyReport } from '../format/evaluation';
import { presetValue as v, type Preset } from './presets';

/** Physical arrays per mPE: a differential pair for signed weights, times the slices a weight needs. */
export function arraysPerMpe(p: Preset, weightBits?: number): number {
  const bits = weightBits ?? v(p, 'bitsPerCell');
  return 2 * Math.ceil(bits / v(p, 'bitsPerCell'));
}

/** A_mPE(n) = arrays·(a_cell·n² + a_rowDriver·n) + n·a_neuron + a_periphery, in µm². */
export function mpeArea(p: Preset, n: number, arrays = arraysPerMpe(p)): number {
  return arrays * (v(p, 'a_cell_um2') * n * n + v(p, 'a_rowDriver_um2') * n) + n * v(p, 'a_neuron_um2') + v(p, 'a_periphery_um2');
}

/** A_total = mPEs·A_mPE(n) + ⌈mPEs / mPEsPerRouter⌉·a_router, in mm². */
export function networkArea(p: Preset, n: number, mpes: number, arrays = arraysPerMpe(p)): AreaReport {
  const routers = Math.ceil(mpes / v(p, 'mpesPerRouter'));
  const crossbars = (mpes * mpeArea(p, n, arrays)) / 1e6;
  const routerArea = (routers * v(p, 'a_router_um2')) / 1e6;
  return { mpes, routers, mpeArea_mm2: mpeArea(p, n, arrays) / 1e6, total_mm2: crossbars + routerArea, crossbars_mm2: crossbars, routers_mm2: routerArea };
}

/** Average hops between two random nodes of a √N×√N mesh (≈ 2/3·√N): an estimate, not a placement. */
export function meshAverageHops(nodes: number): number {
  if (nodes <= 1) return 0;
  const side = Math.ceil(Math.sqrt(nodes));
  return (2 / 3) * side;
}

/** Spike statistics of one layer's inputs and outputs, averaged per classification. */
export interface LayerSpikes {
  /** Spikes of each input neuron (the layer's columns) per classification. */
  inputSpikes: Float64Array;
  /** Spikes of each output neuron per classification. */
  outputSpikes: Float64Array;
  /** Per crossbar of the layer's mapping: timesteps (per classification) in which any of its inputs spiked. */
  activeSteps: Float64Array;
}

/**
 * Energy per classification of the spiking network on its mapping:
 *  - crossbar: every input spike reaching mPE p drives one wordline of each array:
 *    arrays·(e_rowDrive + outputsUsed(p)·e_cellRead);
 *  - neurons: outputsUsed(p)·e_neuronIntegrate per active timestep of p, plus e_neuronFire per output spike;
 *  - communication: each spike of input neuron i goes to fanout(i) mPEs over `hops` hops: fanout·hops·e_packetHop.
 */
export function spikingEnergy(p: Preset, layers: { crossbars: Crossbar[]; spikes: LayerSpikes }[], arrays = arraysPerMpe(p)): EnergyReport {
  const mpes = layers.reduce((a, l) => a + l.crossbars.length, 0);
  const hops = meshAverageHops(mpes);
  const perLayer = layers.map(({ crossbars, spikes }) => {
    let crossbar = 0;
    let neuron = 0;
    const fanout = new Float64Array(spikes.inputSpikes.length);
    crossbars.forEach((xb, k) => {
      let inSpikes = 0;
      for (const i of xb.cols) {
        inSpikes += spikes.inputSpikes[i];
        fanout[i]++;
      }
      crossbar += inSpikes * arrays * (v(p, 'e_rowDrive_pJ') + xb.rows.length * v(p, 'e_cellRead_pJ'));
      neuron += spikes.activeSteps[k] * xb.rows.length * v(p, 'e_neuronIntegrate_pJ');
    });
    for (const s of spikes.outputSpikes) neuron += s * v(p, 'e_neuronFire_pJ');
    let communication = 0;
    spikes.inputSpikes.forEach((s, i) => (communication += s * fanout[i] * hops * v(p, 'e_packetHop_pJ')));
    return { crossbar_uJ: crossbar / 1e6, neuron_uJ: neuron / 1e6, communication_uJ: communication / 1e6 };
  });
  const sum = (k: 'crossbar_uJ' | 'neuron_uJ' | 'communication_uJ') => perLayer.reduce((a, l) => a + l[k], 0);
  const crossbar_uJ = sum('crossbar_uJ');
  const neuron_uJ = sum('neuron_uJ');
  const communication_uJ = sum('communication_uJ');
  return { total_uJ: crossbar_uJ + neuron_uJ + communication_uJ, crossbar_uJ, neuron_uJ, communication_uJ, averageHops: hops, perLayer };
}

/**
 * Bit-serial ANN variant (where the preset has ADC figures): each mPE
 * evaluates `inputBits` bit-slices; per slice every input wordline gets a
 * 1-bit DAC drive, every used cell is read and every output column is
 * converted once per array. µJ per classification; undefined without ADC fields.
 * e_adc_pJ is per conversion at the preset's adcBits (a config's
 * hardware.device.adcBits rescales it, presets.ts adcAtBits).
 */
export function adcEnergy(p: Preset, layers: Crossbar[][], inputBits = 8, arrays = arraysPerMpe(p)): number | undefined {
  if (!p.fields.e_adc_pJ || !p.fields.e_dac_pJ) return undefined;
  let pJ = 0;
  for (const l of layers)
    for (const xb of l)
      pJ += inputBits * arrays * (xb.cols.length * v(p, 'e_dac_pJ') + xb.cols.length * xb.rows.length * v(p, 'e_cellRead_pJ') + xb.rows.length * v(p, 'e_adc_pJ'));
  return pJ / 1e6;
}

/**
 * Area of the bit-serial ANN variant, in mm²: the mapping's area plus one
 * ADC per array of every mPE (ISAAC's arrangement: one ADC per crossbar),
 * each a_adc_um2 at the preset's adcBits. Undefined without ADC energy or area.
 */
export function adcArea(p: Preset, n: number, mpes: number, arrays = arraysPerMpe(p)): number | undefined {
  if (!p.fields.e_adc_pJ || !p.fields.a_adc_um2) return undefined;
  return networkArea(p, n, mpes, arrays).total_mm2 + (mpes * arrays * v(p, 'a_adc_um2')) / 1e6;
}
