/**
 * Dataset readers bound what they allocate: compressed data stops at the
 * size its header promises, impossible promises fail before inflating,
 * unwanted compressed variables are never inflated, malformed MAT elements
 * are named with their offset, and absolute dataset file names are used as
 * given. (Devices and FIFOs are tested in test/faults, under a watchdog.)
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readIdxSplit } from '../../src/engine/data/idx';
import { readCifar10 } from '../../src/engine/data/cifar';
import { parseSvhn, readSvhn } from '../../src/engine/data/svhn';
import { readMat5 } from '../../src/engine/data/mat5';
import { loadDataset } from '../../src/engine/data/datasets';
import { validateConfig } from '../../src/engine/config/validate';
import { UserError } from '../../src/engine/core/errors';
import { idxBytes, makeImages, matFile, svhnMat, tmpDir, writeIdxPair } from '../helpers/files';

function throwsUser(fn: () => unknown, where: string, what: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String((e as Error)?.stack ?? e)}`);
    assert.ok(e.message.includes(where), `"${e.message}" should name ${where}`);
    assert.match(e.message, what);
    return true;
  });
}

/** `mib` MiB of zeros as sync-flushed raw deflate blocks (about 1 KiB per MiB), appendable to any deflate stream. */
function zeroBlocks(mib: number): Buffer {
  const one = zlib.deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat(new Array<Buffer>(mib).fill(one));
}

/** A gzip stream of `plain` followed by `mib` MiB of zeros; the trailer's checksum is wrong (found only after inflating all). */
function gzipBomb(plain: Buffer, mib: number): Buffer {
  const raw = zlib.deflateRawSync(plain, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), raw, zeroBlocks(mib), Buffer.from([3, 0]), Buffer.alloc(8)]);
}

const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

describe('gzip IDX inflates no further than its header promises', () => {
  test('a 300 MiB bomb behind a valid 4-label file stops at the promised 12 bytes', () => {
    const dir = tmpDir();
    writeIdxPair(dir, 'train', 4, 2, 2);
    const labels = idxBytes([4], Uint8Array.from([0, 1, 2, 3]));
    const file = path.join(dir, 'labels.gz');
    fs.writeFileSync(file, gzipBomb(labels, 300));
    const before = rssMiB();
    const t0 = performance.now();
    // Old code: inflated all 300 MiB, then said "has 314572800 bytes after the 4 data".
    throwsUser(() => readIdxSplit(path.join(dir, 'train-images-idx3-ubyte'), file), file, /decompresses to more than the 12 bytes its header promises/);
    assert.ok(performance.now() - t0 < 500, `took ${performance.now() - t0} ms`);
    assert.ok(rssMiB() - before < 100, `resident memory grew by ${(rssMiB() - before).toFixed(0)} MiB`);
  });

  test('a header promising more than the compressed bytes can hold fails before inflating', () => {
    const dir = tmpDir();
    const header = idxBytes([60000, 28, 28], new Uint8Array(0));
    const file = path.join(dir, 'images.gz');
    fs.writeFileSync(file, zlib.gzipSync(Buffer.concat([header, new Uint8Array(100)])));
    fs.writeFileSync(path.join(dir, 'labels'), idxBytes([1], new Uint8Array(1)));
    throwsUser(() => readIdxSplit(file, path.join(dir, 'labels')), file, /claims 44\.9 MiB of data, more than \d+ compressed bytes can hold/);
  });

  test('dims whose product exceeds the cap fail at once, raw or gzipped', () => {
    const dir = tmpDir();
    const header = idxBytes([0xffffffff, 0xffffffff, 0xffffffff], new Uint8Array(0));
    fs.writeFileSync(path.join(dir, 'raw'), header);
    fs.writeFileSync(path.join(dir, 'z.gz'), zlib.gzipSync(header));
    fs.writeFileSync(path.join(dir, 'labels'), idxBytes([1], new Uint8Array(1)));
    for (const f of ['raw', 'z.gz']) throwsUser(() => readIdxSplit(path.join(dir, f), path.join(dir, 'labels')), f, /more than the 2\.0 GiB a dataset file may hold/);
  });

  test('gzip is recognised by its magic bytes, and a .gz name without them is refused', () => {
    const dir = tmpDir();
    const { images, labels } = makeImages(3, 2, 2);
    fs.writeFileSync(path.join(dir, 'images'), zlib.gzipSync(idxBytes([3, 2, 2], images)));
    fs.writeFileSync(path.join(dir, 'labels'), idxBytes([3], labels));
    fs.writeFileSync(path.join(dir, 'labels.gz'), idxBytes([3], labels));
    assert.deepEqual(readIdxSplit(path.join(dir, 'images'), path.join(dir, 'labels')).images, images);
    throwsUser(() => readIdxSplit(path.join(dir, 'images'), path.join(dir, 'labels.gz')), 'labels.gz', /named \.gz but is not a gzip file/);
  });
});

// A matrix element with the given sub-elements, as the MAT writer lays them out.
function mat5(parts: Buffer[], compress: boolean): Buffer {
  const header = Buffer.alloc(128, 0x20);
  header.write('MATLAB 5.0 MAT-file, Platform: GLNXA64', 0, 'latin1');
  header.fill(0, 116, 124);
  header.writeUInt16LE(0x0100, 124);
  header.write('IM', 126, 'latin1');
  const body = Buffer.concat(parts);
  const m = Buffer.alloc(8);
  m.writeUInt32LE(14, 0);
  m.writeUInt32LE(body.length, 4);
  const matrix = Buffer.concat([m, body]);
  if (!compress) return Buffer.concat([header, matrix]);
  const z = zlib.deflateSync(matrix);
  const t = Buffer.alloc(8);
  t.writeUInt32LE(15, 0);
  t.writeUInt32LE(z.length, 4);
  return Buffer.concat([header, t, z]);
}

function el(type: number, body: Buffer): Buffer {
  const t = Buffer.alloc(8);
  t.writeUInt32LE(type, 0);
  t.writeUInt32LE(body.length, 4);
  return Buffer.concat([t, body, Buffer.alloc((8 - (body.length % 8)) % 8)]);
}

describe('MAT v5: bounded inflation, checked elements', () => {
  test('a compressed variable stops at the size its tag promises (a 300 MiB bomb after a valid y)', () => {
    // y as a compressed variable whose stream goes on with 300 MiB of zeros.
    const yOnly = matFile([{ name: 'y', classId: 6, dims: [2, 1], values: [3, 4], storeAs: 9 }]);
    const matrix = yOnly.subarray(128);
    const raw = zlib.deflateRawSync(matrix, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const z = Buffer.concat([Buffer.from([0x78, 0x9c]), raw, zeroBlocks(300), Buffer.from([3, 0]), Buffer.alloc(4)]);
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(15, 0);
    tag.writeUInt32LE(z.length, 4);
    const file = Buffer.concat([yOnly.subarray(0, 128), tag, z]);
    const before = rssMiB();
    // Old code: inflated the whole 300 MiB before the checksum failed.
    throwsUser(() => readMat5(file, 'bomb.mat'), 'bomb.mat', /compressed element at byte 128 decompresses to more than the \d+ bytes its header promises/);
    assert.ok(rssMiB() - before < 100, `resident memory grew by ${(rssMiB() - before).toFixed(0)} MiB`);
  });

  test('a compressed variable SVHN does not need is never inflated (its damaged data is not an error)', () => {
    const good = svhnMat([1, 2], { compress: true });
    // Incompressible values: the deflate stream keeps them in order, so its first 256 bytes hold the header.
    const values = Uint8Array.from({ length: 4096 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 13) & 0xff);
    const junk = matFile([{ name: 'extra', classId: 9, dims: [1, 4096], values, storeAs: 2 }], { compress: true });
    const z = Buffer.from(junk.subarray(128));
    z.fill(0xa5, 8 + 300); // keep the tag and the deflate bytes of the header, damage the rest
    const file = Buffer.concat([good, z]);
    // Old code inflated every variable and failed on this one.
    const s = parseSvhn(file, 'extra.mat', 'gray');
    assert.deepEqual(Array.from(s.labels), [1, 2]);
  });

  test('a header claiming more than its compressed bytes can hold fails before inflating', () => {
    const yOnly = matFile([{ name: 'y', classId: 6, dims: [2, 1], values: [3, 4], storeAs: 9 }]);
    const matrix = Buffer.from(yOnly.subarray(128));
    matrix.writeUInt32LE(0x7ffffff0, 4);
    const z = zlib.deflateSync(matrix);
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(15, 0);
    tag.writeUInt32LE(z.length, 4);
    throwsUser(() => readMat5(Buffer.concat([yOnly.subarray(0, 128), tag, z]), 'claim.mat'), 'claim.mat', /compressed element at byte 128 claims 2\.0 GiB of data, more than \d+ compressed bytes can hold/);
  });

  for (const compress of [false, true]) {
    test(`malformed sub-elements are named with their offset (${compress ? 'compressed' : 'plain'})`, () => {
      const flags4 = el(6, Buffer.alloc(4));
      const dims = el(5, Buffer.from(Int32Array.from([2, 1]).buffer));
      const name = el(1, Buffer.from('y'));
      // A 4-byte array-flags sub-element: old code read past it ("Invalid DataView length 4" at a buffer's end).
      throwsUser(() => readMat5(mat5([flags4, dims, name], compress), 'f.mat'), 'f.mat', /variable at byte (128|0 of the compressed element at byte 128).*array-flags sub-element is 4 bytes/);
      const flags = el(6, Buffer.from(Uint32Array.from([6, 0]).buffer));
      const manyDims = el(5, Buffer.from(new Int32Array(100).fill(1).buffer));
      throwsUser(() => readMat5(mat5([flags, manyDims, name], compress), 'd.mat'), 'd.mat', /dimensions sub-element is 400 bytes/);
      const negative = el(5, Buffer.from(Int32Array.from([-5, 1]).buffer));
      throwsUser(() => readMat5(mat5([flags, negative, name], compress), 'n.mat'), 'n.mat', /variable "y" .* negative dimension: -5×1/);
      const data = el(9, Buffer.alloc(8));
      throwsUser(() => readMat5(mat5([flags, dims, name, data], compress), 'c.mat'), 'c.mat', /variable "y" .*declares 2×1 = 2 elements but stores 8 bytes/);
    });
  }

  test('files read from a folder name the file in every error', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'train_32x32.mat'), svhnMat([1], { compress: true }).subarray(0, 150));
    fs.writeFileSync(path.join(dir, 'test_32x32.mat'), svhnMat([1]));
    throwsUser(() => readSvhn(dir, 'gray'), path.join(dir, 'train_32x32.mat'), /compressed element at byte 128|truncated/);
  });
});

describe('folders and file names', () => {
  test('a CIFAR-10 or SVHN dataset.path that is a file is a UserError (old code: ENOTDIR from readdirSync)', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    throwsUser(() => readCifar10(file, 'gray'), file, /is a file, not a folder \(dataset\.path for cifar10\)/);
    throwsUser(() => readSvhn(file, 'gray'), file, /is a file, not a folder \(dataset\.path for svhn\)/);
  });

  test('a CIFAR-10 batch of the wrong size is refused from its size, before it is read', () => {
    const dir = tmpDir();
    const big = path.join(dir, 'data_batch_1.bin');
    const fd = fs.openSync(big, 'w');
    fs.ftruncateSync(fd, 3073 * 100000 + 1); // sparse: 307 MB that are never read
    fs.closeSync(fd);
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), Buffer.alloc(3073));
    const before = rssMiB();
    throwsUser(() => readCifar10(dir, 'gray'), big, /is 307300001 bytes, not a whole number of 3073-byte/);
    assert.ok(rssMiB() - before < 100, 'the file was not read');
  });

  test('absolute IDX file names in the config are used as given (old code joined them under dataset.path)', () => {
    const data = tmpDir();
    writeIdxPair(data, 'train', 12, 3, 3, 4);
    writeIdxPair(data, 't10k', 6, 3, 3, 4);
    const elsewhere = tmpDir();
    const abs = (n: string) => path.join(data, n);
    const { config, problems } = validateConfig(
      {
        dataset: { name: 'idx', path: '.', trainImages: abs('train-images-idx3-ubyte'), trainLabels: abs('train-labels-idx1-ubyte'), testImages: abs('t10k-images-idx3-ubyte'), testLabels: abs('t10k-labels-idx1-ubyte') },
        network: { layers: [9, 4] },
        training: { epochs: 1 },
      },
      { baseDir: elsewhere },
    );
    assert.deepEqual(problems.filter((p) => p.code.startsWith('dataset.')), [], 'the validator finds the files');
    const ds = loadDataset(config!.dataset, elsewhere, 1);
    assert.equal(ds.train.count, 12);
    assert.equal(ds.test.count, 6);
  });
});
