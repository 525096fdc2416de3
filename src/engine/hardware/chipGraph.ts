/**
 * A chip's forward pass as one ONNX graph, for ONNX Runtime: the operations
 * of `hardwareAccuracy.ts`'s tfjs path, in the same order, with the chip's
 * matrices as constants of the graph (one session per chip).
 *
 * Per layer: the DAC (clip, round to 2^bits − 1 steps), then either
 *  - one product with the dense effective matrix (no ADC), plus read noise
 *    σ_r·sqrt(x²·noiseVar)·n with n fed per batch; or
 *  - per-crossbar ADCs, every crossbar of the layer at once: the inputs
 *    gathered into [K, batch, rows] (crossbars padded to the largest with
 *    zero rows), one batched product with the slices side by side
 *    [K, rows, slices·columns], noise, the quantiser, the slices shifted and
 *    added, and the partial sums added per output neuron (ScatterND with
 *    reduction "add"; padded columns land in a spare row that is dropped).
 * Hidden layers apply ReLU; the output is the argmax class (ReLU too when the
 * network's output is relu).
 */
import { FLOAT, GraphBuilder, INT64 } from '../model/onnx/graph';
import type { ChipLayer } from './chip';

/** One layer read through per-crossbar ADCs, packed for a batched product. */
export interface AdcPack {
  /** Crossbars kept (those with rows and columns), their index in the layer's list (the noise stream). */
  crossbars: number[];
  /** Padded rows per crossbar (the largest used), slices, padded columns per slice. */
  rows: number;
  slices: number;
  columns: number;
  /** Used columns (outputs) per crossbar. */
  widths: number[];
  /** Input index per padded row [K·rows] (padding: 0, against zero weights). */
  gather: number[];
  /** Output neuron per padded column [K·columns] (padding: the spare row `outputs`). */
  scatter: number[];
  /** [K, rows, slices·columns]: differential effective conductances. */
  m: Float32Array;
  /** [K, rows, slices·columns]: σ_r²·(E⁺² + E⁻²), with read noise. */
  noise?: Float32Array;
  /** [K, 1, slices·columns]: current → ADC code, and code → weight units (0 on padding). */
  toCode: Float32Array;
  fromCode: Float32Array;
}

/** The ADC's signed full scale: 2^(bits−1) − 1 codes each side. */
export const adcCodes = (bits: number): number => 2 ** (bits - 1) - 1;

/**
 * Full scale of one slice array: the worst-case column current s·max_j Σ_i |E_ij|
 * (never clipping — the conservative range choice); 1 for an empty array.
 */
export function sliceFullScale(diff: Float32Array, a: number, b: number, scale: number): number {
  let worst = 0;
  for (let j = 0; j < b; j++) {
    let sum = 0;
    for (let i = 0; i < a; i++) sum += Math.abs(diff[i * b + j]);
    worst = Math.max(worst, sum);
  }
  return worst * scale > 0 ? worst * scale : 1;
}

/** Pack a layer's crossbars for the batched ADC read; `scale` is the layer's input range. */
export function packAdcLayer(L: ChipLayer, adcBits: number, readNoiseSigma: number, scale: number): AdcPack {
  const Q = adcCodes(adcBits);
  const kept = (L.crossbars ?? []).map((c, k) => ({ c, k })).filter(({ c }) => c.cols.length && c.rows.length);
  const rows = Math.max(1, ...kept.map(({ c }) => c.cols.length));
  const columns = Math.max(1, ...kept.map(({ c }) => c.rows.length));
  const slices = kept.length ? kept[0].c.diff.length : 1;
  const K = kept.length;
  const C = slices * columns;
  const m = new Float32Array(K * rows * C);
  const withNoise = readNoiseSigma > 0 && kept.every(({ c }) => c.sumSq);
  const noise = withNoise ? new Float32Array(K * rows * C) : undefined;
  const toCode = new Float32Array(K * C).fill(1);
  const fromCode = new Float32Array(K * C);
  const gather = new Array<number>(K * rows).fill(0);
  const scatter = new Array<number>(K * columns).fill(L.outputs);
  const sigma2 = readNoiseSigma ** 2;
  kept.forEach(({ c }, k) => {
    const a = c.cols.length;
    const b = c.rows.length;
    for (let i = 0; i < a; i++) gather[k * rows + i] = c.cols[i];
    for (let j = 0; j < b; j++) scatter[k * columns + j] = c.rows[j];
    c.diff.forEach((d, s) => {
      const fs = sliceFullScale(d, a, b, scale);
      for (let j = 0; j < b; j++) {
        toCode[k * C + s * columns + j] = Q / fs;
        fromCode[k * C + s * columns + j] = (fs * c.sliceWeight[s]) / Q;
      }
      for (let i = 0; i < a; i++)
        for (let j = 0; j < b; j++) {
          m[(k * rows + i) * C + s * columns + j] = d[i * b + j];
          if (noise) noise[(k * rows + i) * C + s * columns + j] = c.sumSq![s][i * b + j] * sigma2;
        }
    });
  });
  return { crossbars: kept.map(({ k }) => k), rows, slices, columns, widths: kept.map(({ c }) => c.rows.length), gather, scatter, m, ...(noise ? { noise } : {}), toCode, fromCode };
}

/** What the forward graph computes per layer. */
export interface GraphLayer {
  inputs: number;
  outputs: number;
  /** [inputs × outputs] (without an ADC). */
  dense?: Float32Array;
  /** [inputs × outputs] σ_r²·noiseVar (without an ADC, with read noise). */
  noiseVar?: Float32Array;
  adc?: { pack: AdcPack; codes: number };
  /** Input DAC: steps (2^bits − 1) over [0, scale]; 0 = none. */
  dacSteps: number;
  scale: number;
}

/** Input names: the images and each noisy layer's draws. */
export const graphNames = { x: 'x', noise: (l: number) => `noise${l}`, classes: 'classes' };

/** The forward graph (serialised ONNX): x [B, inputs] → classes [B] (int64). */
export function buildForwardGraph(layers: readonly GraphLayer[], output: 'relu' | 'softmax'): Uint8Array {
  const g = new GraphBuilder();
  let h = g.input(graphNames.x, FLOAT, ['B', layers[0].inputs]);
  const batch = g.op('Slice', [g.op('Shape', [h]), g.int64s('zero1', [0]), g.int64s('one1', [1])]);
  layers.forEach((L, l) => {
    if (L.dacSteps) {
      const clipped = g.op('Clip', [h, g.scalar('zero', 0), g.scalar(`dacTop${l}`, L.scale)]);
      const steps = g.op('Round', [g.op('Mul', [clipped, g.scalar(`dacIn${l}`, L.dacSteps / L.scale)])]);
      h = g.op('Mul', [g.op('Div', [steps, g.scalar(`dacSteps${l}`, L.dacSteps)]), g.scalar(`dacTop${l}`, L.scale)]);
    }
    let z: string;
    if (L.adc) z = adcRead(g, h, batch, L, l);
    else {
      z = g.op('MatMul', [h, g.floats(`dense${l}`, L.dense!, [L.inputs, L.outputs])]);
      if (L.noiseVar) {
        const n = g.input(graphNames.noise(l), FLOAT, ['B', L.outputs]);
        const std = g.op('Sqrt', [g.op('MatMul', [g.op('Mul', [h, h]), g.floats(`noiseVar${l}`, L.noiseVar, [L.inputs, L.outputs])])]);
        z = g.op('Add', [z, g.op('Mul', [std, n])]);
      }
    }
    h = l < layers.length - 1 || output === 'relu' ? g.op('Relu', [z]) : z;
  });
  g.op('ArgMax', [h], { axis: 1, keepdims: 0 }, graphNames.classes);
  g.output(graphNames.classes, INT64, ['B']);
  return g.encode(`chip_forward_${layers.map((L) => L.inputs).join('_')}_${layers[layers.length - 1].outputs}`);
}

/** A layer read through its crossbars' ADCs (see the file comment). */
function adcRead(g: GraphBuilder, h: string, batch: string, L: GraphLayer, l: number): string {
  const { pack, codes } = L.adc!;
  const K = pack.crossbars.length;
  const C = pack.slices * pack.columns;
  if (K === 0) return g.op('MatMul', [h, g.floats(`zeros${l}`, new Float32Array(L.inputs * L.outputs), [L.inputs, L.outputs])]);
  const picked = g.op('Gather', [h, g.int64s(`gather${l}`, pack.gather)], { axis: 1 });
  const x3 = g.op('Transpose', [g.op('Reshape', [picked, g.int64s(`kShape${l}`, [-1, K, pack.rows])])], { perm: [1, 0, 2] });
  let i = g.op('MatMul', [x3, g.floats(`m${l}`, pack.m, [K, pack.rows, C])]);
  if (pack.noise) {
    const n = g.input(graphNames.noise(l), FLOAT, [K, 'B', C]);
    const std = g.op('Sqrt', [g.op('MatMul', [g.op('Mul', [x3, x3]), g.floats(`noiseVar${l}`, pack.noise, [K, pack.rows, C])])]);
    i = g.op('Add', [i, g.op('Mul', [std, n])]);
  }
  const code = g.op('Clip', [g.op('Round', [g.op('Mul', [i, g.floats(`toCode${l}`, pack.toCode, [K, 1, C])])]), g.scalar(`codeMin${l}`, -codes), g.scalar(`codeMax${l}`, codes)]);
  let q = g.op('Mul', [code, g.floats(`fromCode${l}`, pack.fromCode, [K, 1, C])]);
  if (pack.slices > 1) q = g.op('ReduceSum', [g.op('Reshape', [q, g.int64s(`sShape${l}`, [K, -1, pack.slices, pack.columns])]), g.int64s(`sAxis${l}`, [2])], { keepdims: 0 });
  // [K, B, columns] → [K·columns, B]: one update row per crossbar column.
  const updates = g.op('Reshape', [g.op('Transpose', [q], { perm: [0, 2, 1] }), g.int64s(`uShape${l}`, [K * pack.columns, -1])]);
  const zeros = g.op('ConstantOfShape', [g.op('Concat', [g.int64s(`outRows${l}`, [L.outputs + 1]), batch], { axis: 0 })]);
  const sums = g.op('ScatterND', [zeros, g.int64s(`scatter${l}`, pack.scatter, [K * pack.columns, 1]), updates], { reduction: 'add' });
  return g.op('Transpose', [g.op('Slice', [sums, g.int64s(`from${l}`, [0]), g.int64s(`to${l}`, [L.outputs]), g.int64s(`axis0_${l}`, [0])])]);
}
