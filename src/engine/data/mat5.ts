/**
 * A reader for the numeric arrays of MATLAB Level 5 MAT-files (MATLAB 5 to
 * 7.x, not the HDF5-based v7.3), including zlib-compressed variables. It
 * returns typed arrays in MATLAB's column-major order: big enough for SVHN's
 * 73,257 × 3,072-byte image tensor, which the generic npm readers turn into
 * nested JavaScript arrays.
 */
import * as zlib from 'node:zlib';
import { UserError } from '../core/errors';

const mi = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15 };
const classNames: Record<number, string> = {
  1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 6: 'double', 7: 'single',
  8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const NUMERIC = new Set(['double', 'single', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

export type MatData = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export interface MatVariable {
  name: string;
  /** MATLAB class: double, uint8, … (non-numeric classes are listed without data). */
  className: string;
  dims: number[];
  /** Real part, column-major, in the element type it was stored with; absent for non-numeric classes. */
  data?: MatData;
}

interface Element {
  type: number;
  body: Uint8Array;
  next: number;
}

function readElement(buf: Uint8Array, at: number, le: boolean, file: string): Element {
  if (at + 8 > buf.length) throw new UserError(file, `is truncated: a data element tag at byte ${at} runs past the end`);
  const v = new DataView(buf.buffer, buf.byteOffset + at, 8);
  const first = v.getUint32(0, le);
  if (first >>> 16 !== 0) {
    // Small data element: type and size share the first word, data fits in the second.
    const n = first >>> 16;
    if (n > 4) throw new UserError(file, `has a corrupt small data element at byte ${at}`);
    return { type: first & 0xffff, body: buf.subarray(at + 4, at + 4 + n), next: at + 8 };
  }
  const n = v.getUint32(4, le);
  const end = at + 8 + n;
  if (end > buf.length)
    throw new UserError(file, `is truncated: a data element at byte ${at} declares ${n} bytes but only ${buf.length - at - 8} remain`);
  return { type: first, body: buf.subarray(at + 8, end), next: first === mi.COMPRESSED ? end : at + 8 + Math.ceil(n / 8) * 8 };
}

function typed(type: number, body: Uint8Array, le: boolean, file: string): MatData {
  const size: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8 };
  const bytes = size[type];
  if (!bytes) throw new UserError(file, `uses MAT data type ${type}, which this reader does not support`);
  const n = Math.floor(body.length / bytes);
  if (type === mi.UINT8) return body;
  if (type === mi.INT8) return new Int8Array(body.buffer, body.byteOffset, n);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const make = <T extends MatData>(arr: T, get: (o: number) => number): T => {
    for (let i = 0; i < n; i++) arr[i] = get(i * bytes);
    return arr;
  };
  switch (type) {
    case mi.INT16: return make(new Int16Array(n), (o) => v.getInt16(o, le));
    case mi.UINT16: return make(new Uint16Array(n), (o) => v.getUint16(o, le));
    case mi.INT32: return make(new Int32Array(n), (o) => v.getInt32(o, le));
    case mi.UINT32: return make(new Uint32Array(n), (o) => v.getUint32(o, le));
    case mi.SINGLE: return make(new Float32Array(n), (o) => v.getFloat32(o, le));
    default: return make(new Float64Array(n), (o) => v.getFloat64(o, le));
  }
}

function readMatrix(body: Uint8Array, le: boolean, file: string): MatVariable {
  const flags = readElement(body, 0, le, file);
  const classId = new DataView(flags.body.buffer, flags.body.byteOffset, 4).getUint32(0, le) & 0xff;
  const className = classNames[classId] ?? `class ${classId}`;
  const dimsEl = readElement(body, flags.next, le, file);
  const dims = Array.from(typed(dimsEl.type, dimsEl.body, le, file));
  const nameEl = readElement(body, dimsEl.next, le, file);
  const name = new TextDecoder('latin1').decode(nameEl.body);
  if (!NUMERIC.has(className)) return { name, className, dims };
  const real = readElement(body, nameEl.next, le, file);
  const data = typed(real.type, real.body, le, file);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count)
    throw new UserError(file, `variable "${name}" declares ${dims.join('×')} = ${count} elements but stores ${data.length}`);
  return { name, className, dims, data };
}

/** Read every top-level variable of a Level 5 MAT-file. */
export function readMat5(buf: Uint8Array, file: string): Map<string, MatVariable> {
  if (buf.length < 128) throw new UserError(file, `is ${buf.length} bytes, too short for a MAT-file header`);
  const text = new TextDecoder('latin1').decode(buf.subarray(0, 116));
  if (!text.startsWith('MATLAB')) throw new UserError(file, 'is not a MATLAB MAT-file (its header does not start with "MATLAB")');
  const endian = String.fromCharCode(buf[126], buf[127]);
  if (endian !== 'IM' && endian !== 'MI') throw new UserError(file, `has an unreadable MAT-file header (endian mark "${endian}")`);
  const le = endian === 'IM';
  const version = new DataView(buf.buffer, buf.byteOffset + 124, 2).getUint16(0, le);
  // Decide by the version word and the header's own version ("MATLAB 7.3 MAT-file"), never by "7.3"
  // anywhere in the free text: Octave 7.3.x writes "MATLAB 5.0 MAT-file, written by Octave 7.3.0".
  if (version === 0x0200 || /^MATLAB 7\.3 MAT-file/.test(text))
    throw new UserError(file, 'is a MATLAB v7.3 (HDF5) file; save it with "-v7" or use the original files');
  if (version !== 0x0100) throw new UserError(file, `has MAT-file version 0x${version.toString(16)}; expected a Level 5 file (0x0100)`);
  const vars = new Map<string, MatVariable>();
  let at = 128;
  while (at < buf.length) {
    let el = readElement(buf, at, le, file);
    at = el.next;
    if (el.type === mi.COMPRESSED) {
      let inflated: Uint8Array;
      try {
        inflated = zlib.inflateSync(el.body);
      } catch (e) {
        throw new UserError(file, `has a compressed variable that does not decompress (${(e as Error).message}); the file is probably truncated`);
      }
      el = readElement(inflated, 0, le, file);
    }
    if (el.type !== mi.MATRIX) continue;
    const v = readMatrix(el.body, le, file);
    vars.set(v.name, v);
  }
  return vars;
}
