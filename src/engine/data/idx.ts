/**
 * IDX files (the MNIST format, http-free description: a big-endian header of
 * magic 0x0000_08_NN — 0x08 = unsigned byte, NN = number of dimensions — then
 * one 32-bit size per dimension, then the bytes). Gzipped files (`.gz`) are
 * accepted too.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { UserError } from '../core/errors';
import type { Split } from './dataset';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function readFileBytes(file: string): Buffer {
  try {
    const buf = fs.readFileSync(file);
    if (!file.endsWith('.gz')) return buf;
    try {
      return zlib.gunzipSync(buf);
    } catch (e) {
      throw new UserError(file, `is not a valid gzip file (${(e as Error).message})`);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(file, code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(e)})`);
  }
}

/** Parse an unsigned-byte IDX array, checking the header against the file length. */
export function parseIdx(buf: Uint8Array, file: string, expectedDims?: number): IdxArray {
  if (buf.length < 8) throw new UserError(file, `is ${buf.length} bytes long, too short for an IDX header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >> 8) & 0xff;
  const ndims = magic & 0xff;
  if (magic >>> 16 !== 0 || ndims === 0)
    throw new UserError(file, `is not an IDX file (magic number 0x${magic.toString(16).padStart(8, '0')})`);
  if (type !== 0x08)
    throw new UserError(file, `holds IDX data of type 0x${type.toString(16)}; only unsigned bytes (0x08) are supported`);
  if (expectedDims !== undefined && ndims !== expectedDims)
    throw new UserError(file, `has ${ndims} dimensions; expected ${expectedDims} (${expectedDims === 1 ? 'labels' : 'images'})`);
  const headerLen = 4 + 4 * ndims;
  if (buf.length < headerLen) throw new UserError(file, 'is truncated inside its header');
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = buf.length - headerLen;
  if (actual < expected)
    throw new UserError(file, `is truncated: its header promises ${dims.join('×')} = ${expected} bytes of data, but only ${actual} follow`);
  if (actual > expected)
    throw new UserError(file, `has ${actual - expected} bytes after the ${dims.join('×')} data its header describes (wrong file or corrupt header?)`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + headerLen, expected) };
}

/**
 * Read an images file (3 dimensions: count × rows × cols) and its labels file,
 * check that they agree, and that every label is below `classes` (when given).
 */
export function readIdxSplit(imagesFile: string, labelsFile: string, classes?: number): Split & { inputSize: number; maxLabel: number } {
  const images = parseIdx(readFileBytes(imagesFile), imagesFile, 3);
  const labels = parseIdx(readFileBytes(labelsFile), labelsFile, 1);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count)
    throw new UserError(labelsFile, `has ${labels.dims[0]} labels but ${imagesFile} has ${count} images`);
  let maxLabel = 0;
  for (let i = 0; i < count; i++) {
    const l = labels.data[i];
    if (classes !== undefined && l >= classes)
      throw new UserError(labelsFile, `label ${l} at index ${i} is out of range: this dataset has classes 0–${classes - 1}`);
    if (l > maxLabel) maxLabel = l;
  }
  return { images: images.data, labels: labels.data, count, inputSize: rows * cols, maxLabel };
}
