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

/** What a training run needs in memory, by part, before any of it is allocated. */
export interface MemoryEstimate {
  /** Total bytes. */
  total: number;
  /** The parts, largest first; `path` is the config field that drives each. */
  parts: { what: string; bytes: number; path: (string | number)[] }[];
  /** The largest weight matrix (elements), and its layer (0-based). */
  largestLayer: { layer: number; elements: number };
}

export interface MemoryInput {
  layers: readonly number[];
  batchSize: number;
  evalBatchSize: number;
  workers: number;
  /** Modes that cluster keep sparse copies of the surviving synapses while clustering. */
  mode?: string;
  /** Images × inputs of the whole dataset as read (bytes), when known before reading it. */
  datasetBytes?: number;
}

/**
 * Bytes per synapse, measured: peak resident memory of `trannsformer run`
 * (1 epoch, pruning, 784-h-h-10 with h = 2000, 4000, 6000: 5.6M to 40.8M
 * synapses) grows by 100 bytes per synapse on the wasm backend and 90 on
 * ONNX Runtime — float32 weights, velocities and masks held by the backend
 * and copied into JavaScript, a step's gradients and transposes, the
 * pruning maps, the saved copy. Clustering (sparse copies) and an extra
 * data-parallel worker (its replica) add a few bytes each: 8 for both
 * together at h = 4000 (2 workers, trannsformer); counted as 8 and 16.
 */
export const BYTES_PER_SYNAPSE = { training: 100, cluster: 8, worker: 16 } as const;

/** The engine's own footprint before any network (Node.js, TensorFlow.js, ONNX Runtime): the measured intercept, about 135 MB. */
export const ENGINE_BYTES = 150e6;

/**
 * An estimate of a run's peak memory: closed forms, instant at any size
 * (layers up to 100,000 neurons make products up to 10^10, exact in doubles).
 */
export function memoryEstimate(m: MemoryInput): MemoryEstimate {
  let synapses = 0;
  let largestLayer = { layer: 0, elements: 0 };
  for (let l = 0; l + 1 < m.layers.length; l++) {
    const e = m.layers[l] * m.layers[l + 1];
    synapses += e;
    if (e > largestLayer.elements) largestLayer = { layer: l, elements: e };
  }
  const neurons = m.layers.reduce((a, n) => a + n, 0);
  const B = BYTES_PER_SYNAPSE;
  const clusters = m.mode !== undefined && m.mode !== 'original' && m.mode !== 'pruning';
  const perSynapse = B.training + (clusters ? B.cluster : 0);
  const parts: MemoryEstimate['parts'] = [
    {
      what: `the network's ${synapses.toLocaleString('en-US')} synapses at ${perSynapse} bytes each (weights, velocities, masks, gradients and their copies${clusters ? ', clustering' : ''}; measured)`,
      bytes: synapses * perSynapse,
      path: ['network', 'layers'],
    },
    // Activations, ReLU gates and deltas of a training batch; activations of an evaluation batch (float32).
    { what: `activations of a ${m.batchSize}-image training batch`, bytes: m.batchSize * neurons * 4 * 3, path: ['training', 'batchSize'] },
    { what: `activations of a ${m.evalBatchSize}-image evaluation batch`, bytes: m.evalBatchSize * neurons * 4 * 2, path: ['training', 'evalBatchSize'] },
    { what: 'the engine itself', bytes: ENGINE_BYTES, path: ['network', 'layers'] },
  ];
  if (m.workers > 1) parts.push({ what: `${m.workers - 1} extra training workers’ replicas`, bytes: (m.workers - 1) * synapses * B.worker, path: ['training', 'workers'] });
  if (m.datasetBytes) parts.push({ what: 'the dataset', bytes: m.datasetBytes, path: ['dataset'] });
  parts.sort((a, b) => b.bytes - a.bytes);
  return { total: parts.reduce((a, p) => a + p.bytes, 0), parts, largestLayer };
}

/** Bytes as people read them: 1.5 GB, 460 GB (decimal units, as `free -h` and file managers). */
export function formatMemory(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${Math.round(v)} bytes` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}
