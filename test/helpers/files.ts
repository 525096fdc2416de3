/** Writers for small, real-format dataset files the tests generate (IDX, CIFAR-10 batches, MAT v5). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export function tmpDir(prefix = 'trn-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** `count` images of rows×cols where pixel p of image i is (i*7 + p) mod 256; labels i mod classes. */
export function makeImages(count: number, rows: number, cols: number, classes = 10): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * rows * cols);
  for (let i = 0; i < count; i++) for (let p = 0; p < rows * cols; p++) images[i * rows * cols + p] = (i * 7 + p) % 256;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  return { images, labels };
}

export function writeIdxPair(dir: string, prefix: string, count: number, rows = 4, cols = 4, classes = 10) {
  const { images, labels } = makeImages(count, rows, cols, classes);
  fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`), idxBytes([count, rows, cols], images));
  fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`), idxBytes([count], labels));
  return { images, labels };
}

/** A CIFAR-10 binary batch; image i's R, G, B planes are constant (i, 2i, 3i) mod 256. */
export function cifarBatch(count: number, labelOf: (i: number) => number = (i) => i % 10): Buffer {
  const buf = Buffer.alloc(count * 3073);
  for (let i = 0; i < count; i++) {
    const o = i * 3073;
    buf[o] = labelOf(i);
    buf.fill(i % 256, o + 1, o + 1025);
    buf.fill((2 * i) % 256, o + 1025, o + 2049);
    buf.fill((3 * i) % 256, o + 2049, o + 3073);
  }
  return buf;
}

// ---- MAT v5 -------------------------------------------------------------

const pad8 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);

function element(type: number, body: Buffer): Buffer {
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(type, 0);
  tag.writeUInt32LE(body.length, 4);
  return Buffer.concat([tag, pad8(body)]);
}

export interface MatVar {
  name: string;
  /** MATLAB class id: 6 double, 9 uint8. */
  classId: 6 | 9;
  dims: number[];
  /** Values in column-major order. */
  values: ArrayLike<number>;
  /** Storage type: 2 miUINT8, 9 miDOUBLE (MATLAB stores small-integer doubles as uint8). */
  storeAs: 2 | 9;
}

function matrixElement(v: MatVar): Buffer {
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(v.classId, 0);
  const dims = Buffer.alloc(4 * v.dims.length);
  v.dims.forEach((d, i) => dims.writeInt32LE(d, 4 * i));
  const data =
    v.storeAs === 2
      ? Buffer.from(Uint8Array.from(v.values))
      : Buffer.from(new Float64Array(Array.from(v.values)).buffer);
  return element(14, Buffer.concat([element(6, flags), element(5, dims), element(1, Buffer.from(v.name, 'latin1')), element(v.storeAs, data)]));
}

export function matFile(vars: MatVar[], opts: { compress?: boolean; header?: string } = {}): Buffer {
  const header = Buffer.alloc(128, 0x20);
  header.write(opts.header ?? 'MATLAB 5.0 MAT-file, Platform: GLNXA64, Created by: trannsformer tests', 0, 'latin1');
  header.fill(0, 116, 124);
  header.writeUInt16LE(0x0100, 124);
  header.write('IM', 126, 'latin1');
  const parts = vars.map((v) => {
    const m = matrixElement(v);
    if (!opts.compress) return m;
    const z = zlib.deflateSync(m);
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(15, 0);
    tag.writeUInt32LE(z.length, 4);
    return Buffer.concat([tag, z]);
  });
  return Buffer.concat([header, ...parts]);
}

/**
 * An SVHN-style file: X is 32×32×3×N uint8 with pixel (r, c, ch, n) =
 * (r + 2c + 50ch + 3n) mod 256, y holds `labels` (1–10).
 */
export function svhnMat(labels: number[], opts: { compress?: boolean; yStoreAs?: 2 | 9 } = {}): Buffer {
  const n = labels.length;
  const X = new Uint8Array(32 * 32 * 3 * n);
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < 3; ch++)
      for (let c = 0; c < 32; c++) for (let r = 0; r < 32; r++) X[r + 32 * c + 1024 * ch + 3072 * i] = (r + 2 * c + 50 * ch + 3 * i) % 256;
  return matFile(
    [
      { name: 'X', classId: 9, dims: [32, 32, 3, n], values: X, storeAs: 2 },
      { name: 'y', classId: 6, dims: [n, 1], values: labels, storeAs: opts.yStoreAs ?? 9 },
    ],
    opts,
  );
}
