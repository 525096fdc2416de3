/**
 * Hardware-aware training (beyond the paper; IBM aihwkit's hardware-aware
 * training, Bhattacharjee et al. DATE 2022): from a chosen epoch on, each
 * batch's forward and backward pass use the weights a chip would hold —
 * quantised to the device's levels, varied, with stuck cells, drifted and
 * IR-dropped — while the update goes to the float weights (straight-through
 * gradients), so the network learns weights whose chip is as good as its
 * software.
 *
 * Per epoch (`hardwareView`): the network as it stands is mapped at the run's
 * crossbar size and its crossbars solved under IR drop (wires only, analog
 * cells, nominal conductances), giving per synapse the additive error IR drop
 * makes, and which synapses lie on a crossbar at all. A linear circuit's
 * effective matrix does not depend on the inputs, and the weights move little
 * within an epoch, so one solve per epoch stands for every batch of it.
 *
 * Per batch (`effectiveWeights`), per synapse on a crossbar, as program.ts
 * programs it: |w|/w_max quantised to 2^B − 1 levels (sign kept), plus the IR
 * error, times the drift factor, plus one Gaussian whose variance is that of
 * the differential pair's cells under programming variation and read noise
 * (σ²·Σ_slices k_s²·(G⁺² + G⁻²), k_s the slice's weight per siemens; a
 * lognormal σ contributes e^{σ²} − 1), plus the stuck cells of this batch
 * (each cell stuck at G_on or G_off with the preset's rates, drawn afresh, so
 * the network learns to tolerate faults anywhere, not one chip's). A synapse
 * on no crossbar does not exist on the chip: 0. ADC and DAC quantisation are
 * not in the training pass. Draws come from streams keyed by the batch's seed
 * and the layer, so a run repeats exactly and a resumed one continues alike.
 */
import { Rng } from '../core/rng';
import type { Crossbar } from '../format/mapping';
import { buildChip } from '../hardware/chip';
import type { Device } from '../hardware/device';
import { slicing, synapseOwners } from '../hardware/program';

/** What one epoch of hardware-aware training holds fixed, per layer in the trainer's layout [inputs × outputs]. */
export interface HardwareView {
  /** The IR-drop error of each synapse at the epoch's start (effective − programmed weight). */
  irError: Float32Array[];
  /** 1: the synapse lies on a crossbar. */
  cover: Uint8Array[];
}

/** The RNG stream of layer l's weight noise and stuck cells. */
const NOISE_STREAM = 0x4a3a;

/** Anything the device does to a weight during hardware-aware training (off: plain training). */
export function injects(dev: Device): boolean {
  return dev.weightBits > 0 || dev.programmingSigma > 0 || dev.readNoiseSigma > 0 || dev.driftNu > 0 || dev.stuckOnRate + dev.stuckOffRate > 0 || hasWires(dev);
}

const hasWires = (dev: Device): boolean => dev.wireRow_ohm > 0 || dev.wireCol_ohm > 0;

/**
 * The epoch's view of the chip: `weights[l]` [outputs × inputs] (masked, the
 * paper's orientation), `mapping[l]` its crossbars at side `size`.
 */
export function hardwareView(layers: readonly number[], weights: readonly Float32Array[], mapping: readonly Crossbar[][], size: number, dev: Device): HardwareView {
  const cover = weights.map((_, l) => {
    const nin = layers[l];
    const nout = layers[l + 1];
    const owners = synapseOwners(mapping[l], nout, nin);
    const c = new Uint8Array(nin * nout);
    for (let o = 0; o < nout; o++) for (let i = 0; i < nin; i++) c[i * nout + o] = owners[o * nin + i] >= 0 ? 1 : 0;
    return c;
  });
  if (!hasWires(dev)) return { irError: weights.map((w) => new Float32Array(w.length)), cover };
  // Wires only: analog cells at nominal conductance, so the effective matrix differs from the weights by IR drop alone.
  const wiresOnly: Device = { ...dev, weightBits: 0, programmingSigma: 0, readNoiseSigma: 0, driftNu: 0, stuckOnRate: 0, stuckOffRate: 0, adcBits: 0, dacBits: 0 };
  const chip = buildChip(layers, weights, mapping, size, wiresOnly, 0, { tolerance: 1e-6 });
  const irError = chip.layers.map((L, l) => {
    const nin = layers[l];
    const nout = layers[l + 1];
    const w = weights[l];
    const e = new Float32Array(nin * nout);
    for (let i = 0; i < nin; i++) for (let o = 0; o < nout; o++) e[i * nout + o] = cover[l][i * nout + o] ? L.dense[i * nout + o] - w[o * nin + i] : 0;
    return e;
  });
  return { irError, cover };
}

/**
 * The batch's effective weights: `W[l]` [inputs × outputs] as the trainer
 * holds them, written into `out[l]` (allocated when absent).
 */
export function effectiveWeights(W: readonly Float32Array[], view: HardwareView, dev: Device, batchSeed: number, out: Float32Array[] = []): Float32Array[] {
  return W.map((w, l) => {
    const o = out[l] && out[l].length === w.length ? out[l] : (out[l] = new Float32Array(w.length));
    effectiveLayer(w, view.irError[l], view.cover[l], dev, new Rng(batchSeed, NOISE_STREAM + l), o);
    return o;
  });
}

/** Gaussian draws of a batch: the stream's 128-bit state run inline (sfc32, as the Rng), Box–Muller in pairs. */
class Normals {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private has = false;
  constructor(rng: Rng) {
    [this.a, this.b, this.c, this.d] = [rng.nextUint32() | 0, rng.nextUint32() | 0, rng.nextUint32() | 0, rng.nextUint32() | 0];
  }
  /** A uniform in (0, 1]. */
  private uniform(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return ((t >>> 0) + 1) / 4294967296;
  }
  next(): number {
    if (this.has) {
      this.has = false;
      return this.spare;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    this.has = true;
    return r * Math.cos(t);
  }
}

function effectiveLayer(w: Float32Array, e: Float32Array, cover: Uint8Array, dev: Device, rng: Rng, o: Float32Array): void {
  const { slices, digitBits, levels } = slicing(dev);
  const dG = dev.gOn - dev.gOff;
  const gOff = dev.gOff;
  const gOff2 = gOff * gOff;
  const qmax = dev.weightBits ? 2 ** dev.weightBits - 1 : 0;
  const drift = dev.driftNu > 0 ? dev.driftTime_s ** -dev.driftNu : 1;
  const sp = dev.programmingSigma;
  const varProg = sp > 0 ? (dev.variationModel === 'lognormal' ? Math.expm1(sp * sp) : sp * sp) : 0;
  const sigma = Math.sqrt(varProg + dev.readNoiseSigma ** 2);
  const n = w.length;
  let wmax = 0;
  for (let q = 0; q < n; q++) if (cover[q] && Math.abs(w[q]) > wmax) wmax = Math.abs(w[q]);
  if (wmax === 0) {
    o.fill(0);
    return;
  }
  // Levels of a digit per slice: G = G_off + d/levels·ΔG; slice s weighs base^s. Weight units per siemens of slice s: k_s (program.ts sliceWeight).
  const base = levels + 1;
  const k = Float64Array.from({ length: slices }, (_, s) => (dev.weightBits ? ((base ** s * levels) / dG) * (wmax / qmax) : wmax / dG));
  const step = qmax ? wmax / qmax : 0;
  const toLevel = qmax ? qmax / wmax : 0;
  const normals = sigma > 0 ? new Normals(rng) : undefined;
  const sd = sigma * drift;
  for (let q = 0; q < n; q++) {
    if (!cover[q]) {
      o[q] = 0;
      continue;
    }
    const x = w[q];
    const a = x < 0 ? -x : x;
    let v = x;
    let variance = 0;
    if (!qmax) {
      if (normals) {
        const g = gOff + (a / wmax) * dG;
        variance = k[0] * k[0] * (g * g + gOff2);
      }
    } else {
      let m = Math.round(a * toLevel);
      v = x < 0 ? -m * step : m * step;
      if (normals)
        for (let s = 0; s < slices; s++) {
          const d = m % base;
          m = (m - d) / base;
          const g = gOff + (d / levels) * dG;
          variance += k[s] * k[s] * (g * g + gOff2);
        }
    }
    v = (v + e[q]) * drift;
    if (normals) v += sd * Math.sqrt(variance) * normals.next();
    o[q] = v;
  }
  if (dev.stuckOnRate + dev.stuckOffRate > 0) stuckCellsOf(w, o, cover, wmax, k, dev, drift, rng, digitBits);
}

/** Covered synapses of a view's layer, listed once per view. */
const coveredOf = new WeakMap<Uint8Array, Int32Array>();
function covered(cover: Uint8Array): Int32Array {
  let c = coveredOf.get(cover);
  if (!c) {
    let n = 0;
    for (let q = 0; q < cover.length; q++) n += cover[q];
    c = new Int32Array(n);
    for (let q = 0, j = 0; q < cover.length; q++) if (cover[q]) c[j++] = q;
    coveredOf.set(cover, c);
  }
  return c;
}

/**
 * This batch's stuck cells, added to the effective weights: each of a
 * synapse's 2·slices cells is stuck with probability p_on + p_off, visited by
 * geometric skips over the cells of the covered synapses (a few per thousand
 * of millions of cells), and moves the weight by ±k_s·(G_stuck − G_cell).
 */
function stuckCellsOf(w: Float32Array, o: Float32Array, cover: Uint8Array, wmax: number, k: Float64Array, dev: Device, drift: number, rng: Rng, digitBits: number): void {
  const slices = k.length;
  const cells = 2 * slices;
  const p = dev.stuckOnRate + dev.stuckOffRate;
  const qmax = dev.weightBits ? 2 ** dev.weightBits - 1 : 0;
  const levels = digitBits ? 2 ** digitBits - 1 : 0;
  const base = levels + 1;
  const dG = dev.gOn - dev.gOff;
  const logq = Math.log1p(-p);
  const list = covered(cover);
  const total = list.length * cells;
  // p = 1 would make every cell stuck: the gap is then always 0.
  const gap = () => (p >= 1 ? 0 : Math.floor(Math.log(1 - rng.next()) / logq));
  for (let c = gap(); c < total; c += 1 + gap()) {
    const q = list[Math.floor(c / cells)];
    const cell = c % cells;
    const s = cell >> 1;
    const side = cell & 1; // 0: the positive array, 1: the negative one
    const a = Math.abs(w[q]) / wmax;
    const own = w[q] > 0 ? 0 : w[q] < 0 ? 1 : -1;
    let g = dev.gOff;
    if (side === own) {
      if (!dev.weightBits) g = dev.gOff + a * dG;
      else {
        const n = Math.round(a * qmax);
        const d = Math.floor(n / base ** s) % base;
        g = dev.gOff + (d / levels) * dG;
      }
    }
    const gs = rng.next() * p < dev.stuckOnRate ? dev.gOn : dev.gOff;
    o[q] += (side === 0 ? 1 : -1) * k[s] * (gs - g) * drift;
  }
}
