/**
 * A reader for the numeric arrays of MATLAB Level 5 MAT-files (MATLAB 5 to
 * 7.x, not the HDF5-based v7.3), including zlib-compressed variables. It
 * returns typed arrays in MATLAB's column-major order: big enough for SVHN's
 * 73,257 × 3,072-byte image tensor, which the generic npm readers turn into
 * nested JavaScript arrays.
 *
 * Every size in the file is checked before it is used: a compressed
 * variable is inflated no further than its tag promises (and not at all
 * unless its data is wanted), a malformed element is named with its byte
 * offset.
 */
import { UserError } from '../core/errors';
import { checkPromise, formatBytes, inflateBounded, inflatePrefix, MAX_DATA_BYTES } from './files';

const mi = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15 };
const classNames: Record<number, string> = {
  1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 6: 'double', 7: 'single',
  8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const NUMERIC = new Set(['double', 'single', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

export type MatData = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export interface MatVariable extends MatHeader {
  /** Real part, column-major, in the element type it was stored with; absent for non-numeric classes and unselected variables. */
  data?: MatData;
}

/** A variable's header: what it is, before any of its data is read or inflated. */
export interface MatHeader {
  name: string;
  /** MATLAB class: double, uint8, … */
  className: string;
  dims: number[];
}

export interface ReadMatOptions {
  /**
   * Which variables' data to read, decided from their headers before the data
   * is read or inflated (default: all). The others are returned without data.
   */
  select?: (h: MatHeader) => boolean;
}

/** MATLAB arrays have at most a few dozen dimensions in practice; a header claiming more is corrupt. */
const MAX_DIMS = 64;
/** MATLAB names have at most 63 characters (namelengthmax); other writers stay well within this. */
const MAX_NAME_BYTES = 256;
/** Enough of a variable to hold its tag, flags, dims, name and its data's tag (bounded by the two limits above). */
const HEADER_PREFIX = 8 + 16 + 8 + 4 * MAX_DIMS + 8 + MAX_NAME_BYTES + 8 + 64;
const ELEMENT_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8 };

/** Where bytes are, for messages: `at(o)` describes offset o of the buffer being parsed. */
interface Ctx {
  file: string;
  le: boolean;
  at: (offset: number) => string;
}

const within = (ctx: Ctx, base: number): Ctx => ({ ...ctx, at: (o) => ctx.at(base + o) });

interface Tag {
  type: number;
  /** Declared size of the body in bytes. */
  size: number;
  /** Offset of the tag and of the body. */
  at: number;
  bodyAt: number;
  /** Offset of the next element (padded to 8 bytes, except after compressed elements). */
  next: number;
}

/** A data element's tag (the small format too), its declared size not yet checked against the buffer. */
function readTag(buf: Uint8Array, at: number, ctx: Ctx): Tag {
  if (at + 8 > buf.length) throw new UserError(ctx.file, `is truncated: a data element tag at ${ctx.at(at)} runs past the end`);
  const v = new DataView(buf.buffer, buf.byteOffset + at, 8);
  const first = v.getUint32(0, ctx.le);
  if (first >>> 16 !== 0) {
    // Small data element: type and size share the first word, data fits in the second.
    const n = first >>> 16;
    if (n > 4) throw new UserError(ctx.file, `has a corrupt small data element at ${ctx.at(at)} (it declares ${n} bytes; at most 4 fit)`);
    return { type: first & 0xffff, size: n, at, bodyAt: at + 4, next: at + 8 };
  }
  const n = v.getUint32(4, ctx.le);
  return { type: first, size: n, at, bodyAt: at + 8, next: first === mi.COMPRESSED ? at + 8 + n : at + 8 + Math.ceil(n / 8) * 8 };
}

/** A tag's body, checked to lie within the buffer. */
function bodyOf(buf: Uint8Array, t: Tag, ctx: Ctx): Uint8Array {
  if (t.bodyAt + t.size > buf.length)
    throw new UserError(ctx.file, `is truncated: a data element at ${ctx.at(t.at)} declares ${t.size} bytes but only ${Math.max(0, buf.length - t.bodyAt)} remain`);
  return buf.subarray(t.bodyAt, t.bodyAt + t.size);
}

function typed(type: number, body: Uint8Array, le: boolean): MatData {
  const bytes = ELEMENT_BYTES[type];
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

/**
 * A matrix element's header (flags, dims, name) and the tag of its real
 * part, from its body — which may be only a prefix of it (a compressed
 * variable not yet inflated): every size is checked before it is used.
 */
function parseHeader(body: Uint8Array, ctx: Ctx): { header: MatHeader; dataAt: number } {
  const what = `the variable at ${ctx.at(-8)}`;
  const fail = (message: string) => new UserError(ctx.file, `${what}: ${message}`);
  const flags = readTag(body, 0, ctx);
  if (flags.type !== mi.UINT32 || flags.size !== 8)
    throw fail(`its array-flags sub-element is ${flags.size} bytes of MAT data type ${flags.type}; expected 8 bytes of miUINT32 (6) (corrupt file)`);
  const fb = bodyOf(body, flags, ctx);
  const classId = new DataView(fb.buffer, fb.byteOffset, 8).getUint32(0, ctx.le) & 0xff;
  const className = classNames[classId] ?? `class ${classId}`;
  const dimsTag = readTag(body, flags.next, ctx);
  if (dimsTag.type !== mi.INT32 || dimsTag.size % 4 !== 0 || dimsTag.size < 8 || dimsTag.size > 4 * MAX_DIMS)
    throw fail(`its dimensions sub-element is ${dimsTag.size} bytes of MAT data type ${dimsTag.type}; expected 2 to ${MAX_DIMS} miINT32 (5) sizes (corrupt file)`);
  const dims = Array.from(typed(mi.INT32, bodyOf(body, dimsTag, ctx), ctx.le));
  const nameTag = readTag(body, dimsTag.next, ctx);
  if ((nameTag.type !== mi.INT8 && nameTag.type !== mi.UINT8) || nameTag.size > MAX_NAME_BYTES)
    throw fail(`its name sub-element is ${nameTag.size} bytes of MAT data type ${nameTag.type}; expected at most ${MAX_NAME_BYTES} bytes of miINT8 (1) (corrupt file)`);
  const name = new TextDecoder('latin1').decode(bodyOf(body, nameTag, ctx));
  if (dims.some((d) => d < 0)) throw new UserError(ctx.file, `variable "${name}" (at ${ctx.at(-8)}) has a negative dimension: ${dims.join('×')} (corrupt file)`);
  return { header: { name, className, dims }, dataAt: nameTag.next };
}

/** The real part's tag of a numeric variable, checked against its dims before the data is touched. */
function dataTag(body: Uint8Array, h: MatHeader, dataAt: number, ctx: Ctx): Tag {
  const t = readTag(body, dataAt, ctx);
  const bytes = ELEMENT_BYTES[t.type];
  const where = `variable "${h.name}" (at ${ctx.at(-8)})`;
  if (!bytes) throw new UserError(ctx.file, `${where} stores its data as MAT data type ${t.type}, which this reader does not support`);
  const count = h.dims.reduce((a, b) => a * b, 1);
  if (t.size % bytes !== 0 || t.size / bytes !== count)
    throw new UserError(ctx.file, `${where} declares ${h.dims.join('×')} = ${count} elements but stores ${t.size} bytes (${(t.size / bytes).toFixed(t.size % bytes ? 2 : 0)} elements of ${bytes} bytes)`);
  return t;
}

/**
 * Where a (decompressed) matrix element's header ends: its tag, flags, dims
 * and name sub-elements and its data's tag, read from their tags alone;
 * Infinity while the bytes do not reach that far.
 */
function headerEnd(b: Uint8Array, le: boolean): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 8;
  for (let k = 0; k < 4; k++) {
    if (at + 8 > b.length) return Infinity;
    const first = v.getUint32(at, le);
    at += first >>> 16 !== 0 || k === 3 ? 8 : 8 + Math.ceil(v.getUint32(at + 4, le) / 8) * 8;
  }
  return at;
}

/** A whole matrix element's body: its header, and its data when selected. */
function readMatrix(body: Uint8Array, ctx: Ctx, select: (h: MatHeader) => boolean): MatVariable {
  const { header, dataAt } = parseHeader(body, ctx);
  if (!NUMERIC.has(header.className) || !select(header)) return header;
  const t = dataTag(body, header, dataAt, ctx);
  return { ...header, data: typed(t.type, bodyOf(body, t, ctx), ctx.le) };
}

/**
 * Read the top-level variables of a Level 5 MAT-file: every variable's
 * header, and the data of those `select` accepts. Compressed variables are
 * inflated only when selected, and only up to the size their tag promises.
 */
export function readMat5(buf: Uint8Array, file: string, opts: ReadMatOptions = {}): Map<string, MatVariable> {
  const select = opts.select ?? (() => true);
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
  const top: Ctx = { file, le, at: (o) => `byte ${o}` };
  let kept = 0;
  let at = 128;
  while (at < buf.length) {
    const tag = readTag(buf, at, top);
    if (tag.type === mi.COMPRESSED) {
      const z = bodyOf(buf, tag, top);
      const what = `the compressed element at byte ${at}`;
      const inner: Ctx = { file, le, at: (o) => `byte ${o} of ${what} (decompressed)` };
      const head = inflatePrefix('zlib', z, HEADER_PREFIX, file, what, (out) => headerEnd(out, le) <= out.length);
      const matrix = readTag(head, 0, inner);
      if (matrix.type === mi.MATRIX) {
        const promised = 8 + matrix.size;
        checkPromise(z.length, promised, file, what);
        const { header } = parseHeader(head.subarray(8, Math.min(head.length, promised)), within(inner, 8));
        if (NUMERIC.has(header.className) && select(header)) {
          kept += promised;
          if (kept > MAX_DATA_BYTES) throw new UserError(file, `${what}: the variables read so far hold more than ${formatBytes(MAX_DATA_BYTES)} (corrupt file?)`);
          const full = inflateBounded('zlib', z, promised, file, what, 8);
          if (full.length < promised)
            throw new UserError(file, `${what} decompresses to ${full.length} bytes, but the variable in it declares ${promised}: the file is truncated or corrupt`);
          const v = readMatrix(full.subarray(8, promised), within(inner, 8), select);
          vars.set(v.name, v);
        } else vars.set(header.name, header);
      }
    } else if (tag.type === mi.MATRIX) {
      const v = readMatrix(bodyOf(buf, tag, top), within(top, tag.bodyAt), select);
      vars.set(v.name, v);
    }
    at = tag.next;
  }
  return vars;
}
