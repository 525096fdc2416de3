/**
 * ONNX graphs of the masked MLP, built in code with the ONNX protobuf schema
 * (onnx-proto): one graph doing a whole SGD step, one evaluating a batch.
 *
 * The training graph reproduces `MaskedMLP.lossAndGradients` + `applyUpdate`
 * operation for operation, so that ONNX Runtime and the tfjs reference give
 * the same numbers up to summation order:
 *
 *   h₀ = x ⊙ D₀                       (D: scaled keep-masks, inverted dropout; omitted at rate 0)
 *   z_l = h_l · W_l
 *   g_l = step(z_l) ⊙ D_{l+1},  h_{l+1} = z_l ⊙ g_l        (hidden layers)
 *   softmax: out = softmax(z), loss = −Σ y ⊙ logsoftmax(z), δ = (out − y)/B
 *   relu:    out = relu(z),  loss = ½ Σ (out − y)²,         δ = (out − y) ⊙ step(z)/B
 *   G_l = h_lᵀ · δ;  δ ← (δ · W_lᵀ) ⊙ g_{l−1}
 *   V_l ← μ V_l − η G_l;  W_l ← W_l + V_l      (η, μ: graph constants; one graph per run)
 *
 * Masks are not applied inside the step: like the reference, all weights move
 * during an epoch and the train loop re-applies the masks at its end.
 * Weights are [inputs, outputs], as in MaskedMLP. The batch dimension is
 * symbolic, so one graph serves full and partial batches.
 */
import { onnx } from 'onnx-proto';
import type { OutputKind } from '../mlp';

/** ONNX opset the graphs are written against (Softmax/ReduceSum semantics of opset 13+). */
export const OPSET = 17;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT32 = onnx.TensorProto.DataType.INT32;
export const INT64 = onnx.TensorProto.DataType.INT64;

export interface TrainGraphSpec {
  layers: number[];
  output: OutputKind;
  /** Which layers' inputs get a dropout mask (index l: the activations entering layer l). */
  dropout: boolean[];
  /** η and μ of the update, constants of the graph. */
  learningRate: number;
  momentum: number;
  /**
   * Hardware-aware training: the forward and backward pass use inputs Wf_l
   * (a chip's effective weights) while the update goes to W_l —
   * straight-through gradients. Fed Wf_l = W_l, the step is the plain one.
   */
  forwardWeights?: boolean;
}

/** Input and output names shared by the graphs and the stepper. */
export const names = {
  x: 'x',
  y: 'y_onehot',
  labels: 'labels',
  batch: 'batch_size',
  W: (l: number) => `W${l}`,
  Wf: (l: number) => `Wf${l}`,
  V: (l: number) => `V${l}`,
  D: (l: number) => `dropmask${l}`,
  newW: (l: number) => `W${l}_next`,
  newV: (l: number) => `V${l}_next`,
  loss: 'loss_sum',
  correct: 'correct',
};

type Dim = number | string;

export function valueInfo(name: string, elemType: number, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** A graph under construction: nodes get fresh output names. */
export class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly inputs: onnx.IValueInfoProto[] = [];
  readonly outputs: onnx.IValueInfoProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;

  input(name: string, elemType: number, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** A float constant (added to the graph on first use). */
  scalar(name: string, value: number): string {
    if (!this.initializers.some((t) => t.name === name)) this.initializers.push({ name, dataType: FLOAT, dims: [], floatData: [value] });
    return name;
  }

  /** A float tensor constant, stored as raw little-endian bytes (fast to encode, however large). */
  floats(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push({ name, dataType: FLOAT, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  /** An int64 tensor constant (indices, shapes). */
  int64s(name: string, data: readonly number[], dims: number[] = [data.length]): string {
    const raw = BigInt64Array.from(data, (v) => BigInt(v));
    this.initializers.push({ name, dataType: INT64, dims, rawData: new Uint8Array(raw.buffer) });
    return name;
  }

  /**
   * Add a node; `out` names its (single) output, otherwise a fresh name is
   * made. Attributes are integers, except those named in `floats`, strings
   * and integer lists.
   */
  op(opType: string, inputs: string[], attrs: Record<string, number | string | number[]> = {}, out?: string, floats: string[] = []): string {
    const output = out ?? `${opType.toLowerCase()}_${this.counter++}`;
    const T = onnx.AttributeProto.AttributeType;
    const attribute: onnx.IAttributeProto[] = Object.entries(attrs).map(([name, v]) =>
      typeof v === 'string'
        ? { name, type: T.STRING, s: new TextEncoder().encode(v) }
        : Array.isArray(v)
          ? { name, type: T.INTS, ints: v }
          : floats.includes(name)
            ? { name, type: T.FLOAT, f: v }
            : { name, type: T.INT, i: v },
    );
    this.nodes.push({ opType, input: inputs, output: [output], name: `${opType}_${this.nodes.length}`, attribute });
    return output;
  }

  /** Cast to a data type. */
  cast(x: string, to: number): string {
    return this.op('Cast', [x], { to });
  }

  /** 1 where x > 0, else 0 (tf.step). */
  step(x: string): string {
    return this.cast(this.op('Greater', [x, this.scalar('zero', 0)]), FLOAT);
  }

  encode(graphName: string): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: 8,
      producerName: 'trannsformer-studio',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: { name: graphName, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers },
    };
    const problem = onnx.ModelProto.verify(model);
    if (problem) throw new Error(`internal error: invalid ONNX model ${graphName}: ${problem}`);
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}

function checkLayers(layers: number[]): void {
  if (layers.length < 2 || layers.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`network layers must be at least two positive integers, got [${layers.join(', ')}]`);
}

/** Correct-prediction count: Σ [argmax(out) = label], as a float scalar. */
function correctCount(g: GraphBuilder, out: string, labels: string): string {
  const predicted = g.op('ArgMax', [out], { axis: 1, keepdims: 0 });
  const hit = g.cast(g.op('Equal', [predicted, g.cast(labels, INT64)]), FLOAT);
  return g.op('ReduceSum', [hit], { keepdims: 0 }, names.correct);
}

/** The whole SGD step as one model (serialised ONNX). */
export function buildTrainGraph(spec: TrainGraphSpec): Uint8Array {
  const { layers, output } = spec;
  checkLayers(layers);
  const depth = layers.length - 1;
  const classes = layers[depth];
  const g = new GraphBuilder();
  const x = g.input(names.x, FLOAT, ['B', layers[0]]);
  const y = g.input(names.y, FLOAT, ['B', classes]);
  const labels = g.input(names.labels, INT32, ['B']);
  const batch = g.input(names.batch, FLOAT, []);
  const W: string[] = [];
  const V: string[] = [];
  for (let l = 0; l < depth; l++) {
    W.push(g.input(names.W(l), FLOAT, [layers[l], layers[l + 1]]));
    V.push(g.input(names.V(l), FLOAT, [layers[l], layers[l + 1]]));
  }
  const D: (string | undefined)[] = [];
  for (let l = 0; l < depth; l++) D.push(spec.dropout[l] ? g.input(names.D(l), FLOAT, ['B', layers[l]]) : undefined);
  // The weights the passes see: the chip's (hardware-aware) or the float ones.
  const F = spec.forwardWeights ? W.map((_, l) => g.input(names.Wf(l), FLOAT, [layers[l], layers[l + 1]])) : W;

  // Forward.
  const acts: string[] = [];
  const gates: string[] = [];
  let h = D[0] ? g.op('Mul', [x, D[0]]) : x;
  let z = x;
  for (let l = 0; l < depth; l++) {
    acts.push(h);
    z = g.op('MatMul', [h, F[l]]);
    if (l < depth - 1) {
      const on = g.step(z);
      const gate = D[l + 1] ? g.op('Mul', [on, D[l + 1]!]) : on;
      gates.push(gate);
      h = g.op('Mul', [z, gate]);
    }
  }

  // Loss and output error.
  let out: string;
  let delta: string;
  if (output === 'softmax') {
    out = g.op('Softmax', [z], { axis: 1 });
    const logp = g.op('LogSoftmax', [z], { axis: 1 });
    g.op('Neg', [g.op('ReduceSum', [g.op('Mul', [y, logp])], { keepdims: 0 })], {}, names.loss);
    delta = g.op('Div', [g.op('Sub', [out, y]), batch]);
  } else {
    out = g.op('Relu', [z]);
    const err = g.op('Sub', [out, y]);
    g.op('Mul', [g.scalar('half', 0.5), g.op('ReduceSum', [g.op('Mul', [err, err])], { keepdims: 0 })], {}, names.loss);
    delta = g.op('Div', [g.op('Mul', [err, g.step(z)]), batch]);
  }
  correctCount(g, out, labels);

  // Backward and momentum update, last layer first.
  for (let l = depth - 1; l >= 0; l--) {
    // V ← μV − η·h_lᵀδ in one Gemm (the scaled V is its accumulator): three fewer passes over the weights.
    const v = g.op('Gemm', [acts[l], delta, V[l]], { transA: 1, alpha: -spec.learningRate, beta: spec.momentum }, names.newV(l), ['alpha', 'beta']);
    if (l > 0) delta = g.op('Mul', [g.op('Gemm', [delta, F[l]], { transB: 1 }), gates[l - 1]]);
    g.op('Add', [W[l], v], {}, names.newW(l));
  }

  for (let l = 0; l < depth; l++) {
    g.output(names.newW(l), FLOAT, [layers[l], layers[l + 1]]);
    g.output(names.newV(l), FLOAT, [layers[l], layers[l + 1]]);
  }
  g.output(names.loss, FLOAT, []);
  g.output(names.correct, FLOAT, []);
  return g.encode(`masked_mlp_sgd_${layers.join('_')}_${output}${spec.forwardWeights ? '_hwa' : ''}`);
}

/**
 * Evaluation of a batch without dropout, as `MaskedMLP.evaluateBatch`: summed
 * loss (softmax: −Σ y·log(p + 1e-12); relu: ½ Σ (out − y)²) and correct count.
 */
export function buildEvalGraph(layers: number[], output: OutputKind): Uint8Array {
  checkLayers(layers);
  const depth = layers.length - 1;
  const g = new GraphBuilder();
  const x = g.input(names.x, FLOAT, ['B', layers[0]]);
  const y = g.input(names.y, FLOAT, ['B', layers[depth]]);
  const labels = g.input(names.labels, INT32, ['B']);
  const W: string[] = [];
  for (let l = 0; l < depth; l++) W.push(g.input(names.W(l), FLOAT, [layers[l], layers[l + 1]]));
  let h = x;
  for (let l = 0; l < depth; l++) {
    h = g.op('MatMul', [h, W[l]]);
    if (l < depth - 1 || output === 'relu') h = g.op('Relu', [h]);
  }
  if (output === 'softmax') {
    const p = g.op('Softmax', [h], { axis: 1 });
    const logp = g.op('Log', [g.op('Add', [p, g.scalar('tiny', 1e-12)])]);
    g.op('Neg', [g.op('ReduceSum', [g.op('Mul', [y, logp])], { keepdims: 0 })], {}, names.loss);
    h = p;
  } else {
    const err = g.op('Sub', [h, y]);
    g.op('Mul', [g.scalar('half', 0.5), g.op('ReduceSum', [g.op('Mul', [err, err])], { keepdims: 0 })], {}, names.loss);
  }
  correctCount(g, h, labels);
  g.output(names.loss, FLOAT, []);
  g.output(names.correct, FLOAT, []);
  return g.encode(`masked_mlp_eval_${layers.join('_')}_${output}`);
}
