/**
 * What a config's network costs before any training: its dense mapping
 * (every layer tiled onto x×x crossbars, ⌈n_in/x⌉·⌈n_out/x⌉ mPEs), the area
 * of that original network under the preset (the cost model's own area
 * formula), and a rough energy per classification at an assumed spike rate.
 * Closed forms, O(layers): instant at any size, for the editor's hovers.
 */
import { arraysPerMpe, meshAverageHops, networkArea } from '../hardware/cost';
import { presetValue as v, type Preset } from '../hardware/presets';
import type { AreaReport, EnergyReport } from '../format/evaluation';

export interface LayerEstimate {
  inputs: number;
  outputs: number;
  /** ⌈inputs/x⌉·⌈outputs/x⌉ */
  mpes: number;
  /** Synapses ÷ memristor cells of its crossbars. */
  utilisation: number;
}

export interface DenseEstimate {
  crossbar: number;
  layers: LayerEstimate[];
  mpes: number;
  hardware?: {
    preset: string;
    maxCrossbar: number;
    area: AreaReport;
    energy: EnergyReport;
    timesteps: number;
    spikeRate: number;
  };
}

/** The sizes of the pieces a dimension of n is cut into by tiles of x: full tiles and one remainder. */
function tiles(n: number, x: number): { size: number; count: number }[] {
  const full = Math.floor(n / x);
  const rest = n - full * x;
  return [...(full ? [{ size: x, count: full }] : []), ...(rest ? [{ size: rest, count: 1 }] : [])];
}

/** Assumed share of timesteps in which a neuron spikes, for the rough energy (no simulation runs). */
export const ASSUMED_SPIKE_RATE = 0.1;

/**
 * Dense mapping of `layers` on x×x crossbars; with a preset, the area and a
 * rough energy. The energy is the cost model's `spikingEnergy` in closed
 * form, with every neuron spiking in `spikeRate` of the `timesteps`.
 */
export function denseEstimate(layers: readonly number[], x: number, preset?: Preset, opts: { timesteps?: number; spikeRate?: number } = {}): DenseEstimate {
  const per: LayerEstimate[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const [nin, nout] = [layers[l], layers[l + 1]];
    const mpes = Math.ceil(nin / x) * Math.ceil(nout / x);
    per.push({ inputs: nin, outputs: nout, mpes, utilisation: (nin * nout) / (mpes * x * x) });
  }
  const mpes = per.reduce((a, l) => a + l.mpes, 0);
  const est: DenseEstimate = { crossbar: x, layers: per, mpes };
  if (!preset) return est;
  const T = opts.timesteps ?? 100;
  const rate = opts.spikeRate ?? ASSUMED_SPIKE_RATE;
  const arrays = arraysPerMpe(preset);
  const hops = meshAverageHops(mpes);
  const perLayer = per.map(({ inputs, outputs }) => {
    let crossbar = 0;
    let neuron = 0;
    for (const i of tiles(inputs, x))
      for (const o of tiles(outputs, x)) {
        const count = i.count * o.count;
        // Input spikes reaching the crossbar drive one wordline of each array; each reads the used columns.
        crossbar += count * i.size * rate * T * arrays * (v(preset, 'e_rowDrive_pJ') + o.size * v(preset, 'e_cellRead_pJ'));
        // Timesteps with any input spike: 1 − (1 − rate)^inputs of them.
        neuron += count * T * (1 - (1 - rate) ** i.size) * o.size * v(preset, 'e_neuronIntegrate_pJ');
      }
    neuron += outputs * rate * T * v(preset, 'e_neuronFire_pJ');
    const communication = inputs * rate * T * Math.ceil(outputs / x) * hops * v(preset, 'e_packetHop_pJ');
    return { crossbar_uJ: crossbar / 1e6, neuron_uJ: neuron / 1e6, communication_uJ: communication / 1e6 };
  });
  const sum = (k: 'crossbar_uJ' | 'neuron_uJ' | 'communication_uJ') => perLayer.reduce((a, l) => a + l[k], 0);
  const energy: EnergyReport = {
    total_uJ: sum('crossbar_uJ') + sum('neuron_uJ') + sum('communication_uJ'),
    crossbar_uJ: sum('crossbar_uJ'),
    neuron_uJ: sum('neuron_uJ'),
    communication_uJ: sum('communication_uJ'),
    averageHops: hops,
    perLayer,
  };
  est.hardware = { preset: preset.name, maxCrossbar: preset.maxCrossbar, area: networkArea(preset, x, mpes, arrays), energy, timesteps: T, spikeRate: rate };
  return est;
}
