/**
 * The dataset-reader fuzzer's child process (run by readers-fuzz.test.ts
 * under a watchdog): for each case, a valid file of one format is mutated
 * with a seeded RNG (bit flips, truncation, extension, header fields
 * overwritten with extreme values, mutations inside compressed data,
 * recompressed), written to disk and read through the public reader. One
 * JSON line per case: how it ended, its time and the resident memory.
 *
 *   node --import tsx test/faults/readers-fuzz.worker.ts <format> <seed> <from> <to>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Rng } from '../../src/engine/core/rng';
import { UserError } from '../../src/engine/core/errors';
import { readIdxSplit } from '../../src/engine/data/idx';
import { readCifar10 } from '../../src/engine/data/cifar';
import { readSvhn } from '../../src/engine/data/svhn';
import { cifarBatch, idxBytes, makeImages, svhnMat, tmpDir } from '../helpers/files';

export const FORMATS = ['idx', 'idx-gz', 'cifar', 'mat', 'mat-z', 'mat-octave', 'cifar-real', 'svhn-real'] as const;
export type Format = (typeof FORMATS)[number];

export interface CaseLine {
  i: number;
  format: Format;
  mutation: string;
  outcome: 'ok' | 'user-error' | 'other-error';
  message?: string;
  /** The file the mutated bytes were written to (a UserError must name it, or its folder). */
  file: string;
  ms: number;
  rss: number;
}

const EXTREMES = [0, 1, 2, 3, 4, 8, 0x7f, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

/** Octave 7.3.0's header, as it writes it. */
const OCTAVE_HEADER = 'MATLAB 5.0 MAT-file, written by Octave 7.3.0, 2024-03-05 10:11:12 UTC';

function labels(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => 1 + rng.int(10));
}

/** A valid file of the format, small and varied by the case's RNG (IDX pairs and real-shaped SVHN are built in runCase). */
function base(format: Format, rng: Rng): Buffer {
  switch (format) {
    case 'cifar':
      return cifarBatch(1 + rng.int(4));
    case 'mat':
      return svhnMat(labels(rng, 1 + rng.int(3)), { yStoreAs: rng.int(2) ? 2 : 9 });
    case 'mat-z':
      return svhnMat(labels(rng, 1 + rng.int(3)), { compress: true, yStoreAs: rng.int(2) ? 2 : 9 });
    case 'mat-octave': {
      const b = Buffer.from(svhnMat(labels(rng, 1 + rng.int(3)), { compress: rng.int(2) === 1 }));
      b.fill(0x20, 0, 116);
      b.write(OCTAVE_HEADER, 0, 'latin1');
      return b;
    }
    case 'cifar-real':
      return cifarBatch(10000);
    default:
      throw new Error(`${format} files are built by runCase`);
  }
}

let zeroBlock: Buffer | undefined;

/**
 * A decompression bomb around valid data: the payload's own deflate blocks,
 * then 1,200 blocks that each inflate to 1 MiB of zeros (about 1 KiB each:
 * the file grows by ~1.2 MB and inflates to 1.2 GiB), then the final block.
 * The checksum no longer matches, which an unbounded reader finds only after
 * inflating everything.
 */
function bomb(format: Format, b: Buffer): Buffer {
  const zeros = (zeroBlock ??= zlib.deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: zlib.constants.Z_SYNC_FLUSH }));
  const body = (plain: Buffer) =>
    Buffer.concat([zlib.deflateRawSync(plain, { finishFlush: zlib.constants.Z_SYNC_FLUSH }), ...new Array<Buffer>(1200).fill(zeros), Buffer.from([3, 0]), Buffer.alloc(8)]);
  if (format === 'idx-gz') return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), body(zlib.gunzipSync(b))]);
  if (b.length < 136 || b.readUInt32LE(128) !== 15) return b;
  const n = b.readUInt32LE(132);
  const z = Buffer.concat([Buffer.from([0x78, 0x9c]), body(zlib.inflateSync(b.subarray(136, 136 + n))).subarray(0, -4)]);
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(15, 0);
  tag.writeUInt32LE(z.length, 4);
  return Buffer.concat([b.subarray(0, 128), tag, z, b.subarray(136 + n)]);
}

/** Mutate inside the compressed payload of a zlib (MAT) or gzip (IDX) stream, then recompress it. */
function mutateCompressed(format: Format, b: Buffer, rng: Rng, inner: (x: Buffer) => Buffer): Buffer {
  if (format === 'idx-gz') return zlib.gzipSync(inner(zlib.gunzipSync(b)));
  // MAT: the first compressed element after the 128-byte header.
  if (b.length < 136 || b.readUInt32LE(128) !== 15) return inner(b);
  const n = b.readUInt32LE(132);
  const z = b.subarray(136, 136 + n);
  let plain: Buffer;
  try {
    plain = zlib.inflateSync(z);
  } catch {
    return inner(b);
  }
  const mutated = zlib.deflateSync(inner(plain), { level: rng.int(10) });
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(15, 0);
  tag.writeUInt32LE(mutated.length, 4);
  return Buffer.concat([b.subarray(0, 128), tag, mutated, b.subarray(136 + n)]);
}

function flipBits(x: Buffer, rng: Rng, count: number): Buffer {
  const y = Buffer.from(x);
  for (let k = 0; k < count && y.length; k++) {
    const i = rng.int(y.length);
    y[i] ^= 1 << rng.int(8);
  }
  return y;
}

function overwrite(x: Buffer, rng: Rng, region: number): Buffer {
  const y = Buffer.from(x);
  if (y.length < 4) return y;
  const at = Math.min(y.length - 4, 4 * rng.int(Math.max(1, Math.floor(Math.min(region, y.length) / 4))));
  const v = EXTREMES[rng.int(EXTREMES.length)];
  if (rng.int(2)) y.writeUInt32BE(v >>> 0, at);
  else y.writeUInt32LE(v >>> 0, at);
  return y;
}

/** Offsets of every MAT element tag's two words (top level from `start`, and inside matrices), for structure-aware overwrites. */
function matTagWords(b: Buffer, start: number): number[] {
  const words: number[] = [];
  const walk = (from: number, end: number, depth: number) => {
    for (let at = from; at + 8 <= end; ) {
      words.push(at, at + 4);
      const type = b.readUInt32LE(at);
      if (type >>> 16) {
        at += 8;
        continue;
      }
      const n = b.readUInt32LE(at + 4);
      if (type === 14 && depth === 0) walk(at + 8, Math.min(end, at + 8 + n), 1);
      at = type === 15 ? at + 8 + n : at + 8 + Math.ceil(n / 8) * 8;
    }
  };
  walk(start, b.length, 0);
  return words;
}

function overwriteTag(x: Buffer, rng: Rng, start: number): Buffer {
  const words = matTagWords(x, start);
  if (!words.length) return overwrite(x, rng, 256);
  const y = Buffer.from(x);
  y.writeUInt32LE(EXTREMES[rng.int(EXTREMES.length)] >>> 0, words[rng.int(words.length)]);
  return y;
}

/** One mutation, chosen by the RNG; returns the bytes and a short description. */
export function mutate(format: Format, b: Buffer, rng: Rng): { bytes: Buffer; mutation: string } {
  const compressed = format === 'idx-gz' || format === 'mat-z' || (format === 'mat-octave' && b.length > 136 && b.readUInt32LE(128) === 15);
  const headerRegion = format.startsWith('mat') || format === 'svhn-real' ? 256 : 24;
  const mat = format.startsWith('mat') || format === 'svhn-real';
  const kind = rng.int(compressed ? 8 : 6);
  if (compressed && rng.int(25) === 0) return { bytes: bomb(format, b), mutation: 'decompression bomb: 1.2 GiB of zeros after the data' };
  if (mat && rng.int(3) === 0)
    return compressed && rng.int(2)
      ? { bytes: mutateCompressed(format, b, rng, (x) => overwriteTag(x, rng, 0)), mutation: 'overwrite an element tag inside the compressed data' }
      : { bytes: overwriteTag(b, rng, 128), mutation: 'overwrite an element tag' };
  switch (kind) {
    case 0: {
      const n = 1 + rng.int(8);
      return { bytes: flipBits(b, rng, n), mutation: `flip ${n} bits` };
    }
    case 1: {
      const at = rng.int(b.length + 1);
      return { bytes: b.subarray(0, at), mutation: `truncate to ${at}` };
    }
    case 2: {
      const n = 1 + rng.int(rng.int(2) ? 16 : 4096);
      const extra = rng.int(2) ? Buffer.alloc(n) : Buffer.from(Array.from({ length: n }, () => rng.int(256)));
      return { bytes: Buffer.concat([b, extra]), mutation: `extend by ${n}` };
    }
    case 3:
    case 4: {
      const k = 1 + rng.int(3);
      let y = b;
      for (let j = 0; j < k; j++) y = overwrite(y, rng, headerRegion);
      return { bytes: y, mutation: `overwrite ${k} header words` };
    }
    case 5: {
      // Splice: a random slice copied over another place.
      const y = Buffer.from(b);
      const len = 1 + rng.int(64);
      const from = rng.int(Math.max(1, y.length - len));
      const to = rng.int(Math.max(1, y.length - len));
      b.copy(y, to, from, Math.min(b.length, from + len));
      return { bytes: y, mutation: `splice ${len} bytes ${from}→${to}` };
    }
    case 6:
      return {
        bytes: mutateCompressed(format, b, rng, (x) => overwrite(overwrite(x, rng, 96), rng, 96)),
        mutation: 'overwrite header words inside the compressed data',
      };
    default:
      return { bytes: mutateCompressed(format, b, rng, (x) => flipBits(x, rng, 1 + rng.int(4))), mutation: 'flip bits inside the compressed data' };
  }
}

function idxPair(rng: Rng): { images: Buffer; labels: Buffer } {
  const n = 2 + rng.int(12);
  const rows = 2 + rng.int(6);
  const cols = 2 + rng.int(6);
  const m = makeImages(n, rows, cols);
  return { images: idxBytes([n, rows, cols], m.images), labels: idxBytes([n], m.labels) };
}

/** Real-shaped SVHN test file: MATLAB 5.0 header, X uint8 32×32×3×N and y double N×1, compressed. */
function svhnReal(n: number): Buffer {
  const y = Array.from({ length: n }, (_, i) => 1 + (i % 10));
  const b = Buffer.from(svhnMat(y, { compress: true, yStoreAs: 9 }));
  b.fill(0x20, 0, 116);
  b.write('MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Mon Dec  5 10:11:12 2011', 0, 'latin1');
  return b;
}

function runCase(format: Format, seed: number, i: number, dir: string, cache: Map<string, Buffer>): CaseLine {
  const rng = new Rng(seed, i);
  const caseDir = path.join(dir, `c${i % 4}`);
  fs.rmSync(caseDir, { recursive: true, force: true });
  fs.mkdirSync(caseDir);
  let file: string;
  let read: () => unknown;
  let mutation: string;
  if (format === 'idx' || format === 'idx-gz') {
    const pair = idxPair(rng);
    const gz = format === 'idx-gz';
    const enc = (x: Buffer) => (gz ? zlib.gzipSync(x) : x);
    const which = rng.int(2) ? 'images' : 'labels';
    const m = mutate(format, enc(pair[which]), rng);
    mutation = `${which}: ${m.mutation}`;
    const names = { images: `train-images${gz ? '.gz' : ''}`, labels: `train-labels${gz ? '.gz' : ''}` };
    fs.writeFileSync(path.join(caseDir, names.images), which === 'images' ? m.bytes : enc(pair.images));
    fs.writeFileSync(path.join(caseDir, names.labels), which === 'labels' ? m.bytes : enc(pair.labels));
    file = path.join(caseDir, names[which]);
    read = () => readIdxSplit(path.join(caseDir, names.images), path.join(caseDir, names.labels), 10);
  } else if (format === 'cifar' || format === 'cifar-real') {
    const b = format === 'cifar-real' ? cache.get('cifar-real') ?? cache.set('cifar-real', base(format, rng)).get('cifar-real')! : base(format, rng);
    // Case 0 of a real-shaped file is the file as it is: it must read.
    const m = format === 'cifar-real' && i === 0 ? { bytes: b, mutation: 'none' } : mutate(format, b, rng);
    mutation = m.mutation;
    file = path.join(caseDir, 'data_batch_1.bin');
    fs.writeFileSync(file, m.bytes);
    fs.writeFileSync(path.join(caseDir, 'test_batch.bin'), cifarBatch(2));
    read = () => readCifar10(caseDir, rng.int(2) ? 'rgb' : 'gray');
  } else {
    const b = format === 'svhn-real' ? cache.get('svhn-real') ?? cache.set('svhn-real', svhnReal(26032)).get('svhn-real')! : base(format, rng);
    const m = format === 'svhn-real' && i === 0 ? { bytes: b, mutation: 'none' } : mutate(format, b, rng);
    mutation = m.mutation;
    file = path.join(caseDir, 'train_32x32.mat');
    fs.writeFileSync(file, m.bytes);
    fs.writeFileSync(path.join(caseDir, 'test_32x32.mat'), svhnMat([1, 2]));
    read = () => readSvhn(caseDir, rng.int(2) ? 'rgb' : 'gray');
  }
  const t0 = performance.now();
  let outcome: CaseLine['outcome'] = 'ok';
  let message: string | undefined;
  try {
    read();
  } catch (e) {
    outcome = e instanceof UserError ? 'user-error' : 'other-error';
    message = e instanceof Error ? (outcome === 'other-error' ? (e.stack ?? e.message) : e.message) : String(e);
  }
  return { i, format, mutation, outcome, message, file, ms: performance.now() - t0, rss: process.memoryUsage().rss };
}

if (require.main === module) {
  const [format, seed, from, to] = process.argv.slice(2);
  if (!(FORMATS as readonly string[]).includes(format)) throw new Error(`unknown format ${format}`);
  const dir = tmpDir('trn-fuzz-');
  const cache = new Map<string, Buffer>();
  try {
    for (let i = Number(from); i < Number(to); i++) process.stdout.write(JSON.stringify(runCase(format as Format, Number(seed), i, dir, cache)) + '\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
