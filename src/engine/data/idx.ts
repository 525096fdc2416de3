/**
 * IDX files (the MNIST format, http-free description: a big-endian header of
 * magic 0x0000_08_NN — 0x08 = unsigned byte, NN = number of dimensions — then
 * one 32-bit size per dimension, then the bytes). Gzipped files (`.gz`) are
 * accepted too, inflated no further than their header promises.
 */
import { UserError } from '../core/errors';
import { formatBytes, inflateBounded, inflatePrefix, isGzip, MAX_DATA_BYTES, readRegularFile } from './files';
import type { Split } from './dataset';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** The most dimensions an IDX header may declare (its byte allows 255; images have 3). */
const MAX_IDX_DIMS = 16;

/**
 * The header of an IDX array: its dimensions and the total size (header +
 * data) they promise, checked before any data is read or inflated.
 */
export function parseIdxHeader(buf: Uint8Array, file: string, expectedDims?: number): { dims: number[]; headerLen: number; total: number } {
  if (buf.length < 4) throw new UserError(file, `is ${buf.length} bytes long, too short for an IDX header`);
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
  if (ndims > MAX_IDX_DIMS) throw new UserError(file, `declares ${ndims} dimensions; an IDX dataset file has at most ${MAX_IDX_DIMS}`);
  const headerLen = 4 + 4 * ndims;
  if (buf.length < headerLen) throw new UserError(file, 'is truncated inside its header');
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i));
  // At most 16 factors below 2^32: the float product is exact enough to compare with any cap.
  const data = dims.reduce((a, b) => a * b, 1);
  if (data > MAX_DATA_BYTES)
    throw new UserError(file, `has a header promising ${dims.join('×')} = ${data} bytes of data, more than the ${formatBytes(MAX_DATA_BYTES)} a dataset file may hold (corrupt header?)`);
  return { dims, headerLen, total: headerLen + data };
}

/**
 * An IDX file's bytes: read (regular files only, bounded) and, when gzipped
 * (by its first bytes, whatever its name), inflated no further than the size
 * its IDX header promises.
 */
export function readIdxFile(file: string, expectedDims?: number): Buffer {
  const raw = readRegularFile(file);
  if (!isGzip(raw)) {
    if (file.endsWith('.gz')) throw new UserError(file, 'is named .gz but is not a gzip file (it does not start with the gzip magic bytes 1f 8b)');
    return raw;
  }
  const head = inflatePrefix('gzip', raw, 4 + 4 * MAX_IDX_DIMS, file, 'its gzip stream');
  // The magic alone tells the header's length; parse it from the prefix, then inflate no further than it promises.
  const ndims = head.length >= 4 ? head[3] : 0;
  const { total } = parseIdxHeader(head.subarray(0, Math.min(head.length, 4 + 4 * ndims)), file, expectedDims);
  return inflateBounded('gzip', raw, total, file, 'its gzip stream');
}

/** Parse an unsigned-byte IDX array, checking the header against the file length. */
export function parseIdx(buf: Uint8Array, file: string, expectedDims?: number): IdxArray {
  if (buf.length < 8) throw new UserError(file, `is ${buf.length} bytes long, too short for an IDX header`);
  const { dims, headerLen, total } = parseIdxHeader(buf, file, expectedDims);
  const expected = total - headerLen;
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
  const images = parseIdx(readIdxFile(imagesFile, 3), imagesFile, 3);
  const labels = parseIdx(readIdxFile(labelsFile, 1), labelsFile, 1);
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
