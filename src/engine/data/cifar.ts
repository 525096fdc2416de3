/**
 * CIFAR-10 "binary version": files of 3073-byte records, one label byte
 * (0–9) followed by 1024 red, 1024 green and 1024 blue bytes (row-major
 * 32×32 planes). Training data is data_batch_1.bin … data_batch_5.bin, test
 * data test_batch.bin.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../core/errors';
import type { Split } from './dataset';
import { readRegularFile, requireFolder } from './files';
import { luma } from './gray';

const RECORD = 3073;
const PLANE = 1024;

export function parseCifarBatch(buf: Uint8Array, file: string, color: 'gray' | 'rgb'): Split {
  if (buf.length === 0) throw new UserError(file, 'is empty');
  if (buf.length % RECORD !== 0)
    throw new UserError(file, `is ${buf.length} bytes, not a whole number of 3073-byte CIFAR-10 records (truncated, or not a CIFAR-10 binary batch)`);
  const count = buf.length / RECORD;
  const inputSize = color === 'rgb' ? 3 * PLANE : PLANE;
  const images = new Uint8Array(count * inputSize);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * RECORD;
    const label = buf[o];
    if (label > 9) throw new UserError(file, `record ${i} has label ${label}; CIFAR-10 labels are 0–9 (is this the CIFAR-100 format?)`);
    labels[i] = label;
    if (color === 'rgb') images.set(buf.subarray(o + 1, o + RECORD), i * inputSize);
    else
      for (let p = 0; p < PLANE; p++)
        images[i * PLANE + p] = luma(buf[o + 1 + p], buf[o + 1 + PLANE + p], buf[o + 1 + 2 * PLANE + p]);
  }
  return { images, labels, count };
}

function concat(splits: Split[], inputSize: number): Split {
  const count = splits.reduce((a, s) => a + s.count, 0);
  const images = new Uint8Array(count * inputSize);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const s of splits) {
    images.set(s.images, at * inputSize);
    labels.set(s.labels, at);
    at += s.count;
  }
  return { images, labels, count };
}

/** One batch file: its size checked (whole records) before it is read. */
export function readCifarBatch(file: string, color: 'gray' | 'rgb'): Split {
  const buf = readRegularFile(file, {
    checkSize: (size) => {
      if (size % RECORD !== 0)
        throw new UserError(file, `is ${size} bytes, not a whole number of 3073-byte CIFAR-10 records (truncated, or not a CIFAR-10 binary batch)`);
    },
  });
  return parseCifarBatch(buf, file, color);
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Read the CIFAR-10 binary batches from `dir` (or its `cifar-10-batches-bin` subfolder). */
export function readCifar10(dir: string, color: 'gray' | 'rgb'): { train: Split; test: Split; notes: string[] } {
  let root = dir;
  requireFolder(root, 'dataset.path for cifar10');
  if (isFolder(path.join(root, 'cifar-10-batches-bin'))) root = path.join(root, 'cifar-10-batches-bin');
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch (e) {
    throw new UserError(root, `cannot list the folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const trainFiles = names
    .filter((n) => /^data_batch_\d+\.bin$/.test(n))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
  if (trainFiles.length === 0)
    throw new UserError(root, 'holds no data_batch_*.bin files: point dataset.path at the extracted "CIFAR-10 binary version" folder');
  if (!names.includes('test_batch.bin')) throw new UserError(root, 'has no test_batch.bin');
  const inputSize = color === 'rgb' ? 3 * PLANE : PLANE;
  const read = (n: string) => readCifarBatch(path.join(root, n), color);
  const notes = trainFiles.length < 5 ? [`found ${trainFiles.length} of the 5 CIFAR-10 training batches`] : [];
  return { train: concat(trainFiles.map(read), inputSize), test: read('test_batch.bin'), notes };
}
