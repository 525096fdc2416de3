/**
 * The `.tnsr` tensor file: weights and masks of a run, readable from Node and
 * from a browser (only DataView and TextDecoder are needed).
 *
 *   bytes 0–3    ASCII "TNSR"
 *   bytes 4–7    uint32 LE format version (1)
 *   bytes 8–11   uint32 LE header length H
 *   bytes 12…    H bytes of UTF-8 JSON: { "tensors": [ { "name", "dtype",
 *                "shape", "offset", "byteLength" } ], "meta": {…} }
 *   then zero padding to a multiple of 8; the data section starts there and
 *   each tensor's `offset` is relative to it (8-byte aligned), little-endian,
 *   row-major.
 *
 * Tensors are laid out in the order the header lists them, each at the next
 * 8-byte boundary, the file ending with the last; `crc32` in the header (files
 * written since it was added) is the CRC-32 of the data section. A reader
 * refuses other layouts (overlapping or shifted extents) and a wrong CRC.
 *
 * dtype is "float32", "int32" or "uint8". A run stores `weights/<l>`
 * (float32) and `masks/<l>` (uint8, 1 = synapse kept), shape [outputs,
 * inputs] — the paper's orientation.
 */
export type TensorDType = 'float32' | 'int32' | 'uint8';
export type TensorData = Float32Array | Int32Array | Uint8Array;

export interface NamedTensor {
  name: string;
  shape: number[];
  data: TensorData;
}

interface Entry {
  name: string;
  dtype: TensorDType;
  shape: number[];
  offset: number;
  byteLength: number;
}

const MAGIC = 'TNSR';
const VERSION = 1;
const align8 = (n: number) => Math.ceil(n / 8) * 8;

function dtypeOf(d: TensorData): TensorDType {
  if (d instanceof Float32Array) return 'float32';
  if (d instanceof Int32Array) return 'int32';
  return 'uint8';
}

export function encodeTensors(tensors: NamedTensor[], meta: Record<string, unknown> = {}): Uint8Array {
  const entries: Entry[] = [];
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`tensor ${t.name}: shape ${t.shape.join('×')} does not match ${t.data.length} values`);
    entries.push({ name: t.name, dtype: dtypeOf(t.data), shape: t.shape, offset, byteLength: t.data.byteLength });
    offset = align8(offset + t.data.byteLength);
  }
  const data = new Uint8Array(offset);
  tensors.forEach((t, i) => data.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), entries[i].offset));
  const header = new TextEncoder().encode(JSON.stringify({ tensors: entries, meta, crc32: crc32(data) }));
  const dataStart = align8(12 + header.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  out.set(data, dataStart);
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE, as zlib computes it) of `bytes`: a damaged data section is told from a sound one. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const BYTES: Record<TensorDType, number> = { float32: 4, int32: 4, uint8: 1 };

/**
 * Decode a `.tnsr` buffer. Every header field is checked before it is used
 * (offsets, sizes, shapes, types), so a damaged file is refused with what is
 * wrong — never read as other bytes or allocated beyond the file's size.
 */
export function decodeTensors(buf: Uint8Array, where = 'tensor file'): { tensors: Map<string, NamedTensor>; meta: Record<string, unknown> } {
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  if (buf.length < 12 || new TextDecoder().decode(buf.subarray(0, 4)) !== MAGIC) fail('not a TNSR file');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) fail(`format version ${version} is not supported (expected ${VERSION})`);
  const hlen = view.getUint32(8, true);
  if (12 + hlen > buf.length) fail(`truncated header (it claims ${hlen} bytes, the file has ${buf.length - 12} after the preamble)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(12, 12 + hlen)));
  } catch {
    return fail('corrupt header (not JSON)');
  }
  const h = header as { tensors?: unknown; meta?: unknown; crc32?: unknown };
  if (h === null || typeof h !== 'object' || !Array.isArray(h.tensors)) return fail('corrupt header (no tensor list)');
  if (h.meta !== undefined && (h.meta === null || typeof h.meta !== 'object' || Array.isArray(h.meta))) fail('corrupt header (meta is not an object)');
  const dataStart = align8(12 + hlen);
  const dataBytes = buf.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  // Where the next tensor must start: extents follow one another, never overlap, never shift.
  let expected = 0;
  for (const raw of h.tensors as unknown[]) {
    const e = raw as Partial<Entry>;
    if (e === null || typeof e !== 'object' || typeof e.name !== 'string' || !e.name) fail('corrupt header (a tensor without a name)');
    const name = e.name as string;
    if (tensors.has(name)) fail(`tensor ${name} appears twice`);
    if (e.dtype !== 'float32' && e.dtype !== 'int32' && e.dtype !== 'uint8') fail(`tensor ${name} has an unknown type ${JSON.stringify(e.dtype)}`);
    const dtype = e.dtype as TensorDType;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor ${name} has an invalid shape`);
    const count = (e.shape as number[]).reduce((a, b) => a * b, 1);
    const offset = e.offset as number;
    const byteLength = e.byteLength as number;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % 8 !== 0) fail(`tensor ${name} has an invalid offset ${offset}`);
    if (!Number.isSafeInteger(byteLength) || byteLength !== count * BYTES[dtype]) fail(`tensor ${name}: its size (${byteLength} bytes) does not match its shape ${(e.shape as number[]).join('×')} of ${dtype}`);
    if (offset + byteLength > dataBytes) fail(`truncated: tensor ${name} runs past the end of the file`);
    if (offset !== expected) fail(`tensor ${name} starts at ${offset}, not at ${expected} where the tensor before it ends (overlapping or shifted extents)`);
    expected = align8(offset + byteLength);
    const start = dataStart + offset;
    // Copy so the result is aligned and independent of `buf`.
    const bytes = new Uint8Array(byteLength);
    bytes.set(buf.subarray(start, start + byteLength));
    const data = dtype === 'float32' ? new Float32Array(bytes.buffer) : dtype === 'int32' ? new Int32Array(bytes.buffer) : bytes;
    tensors.set(name, { name, shape: e.shape as number[], data });
  }
  if (dataBytes !== expected) fail(`${dataBytes - expected} bytes after the last tensor (expected the file to end at ${dataStart + expected})`);
  if (h.crc32 !== undefined && h.crc32 !== crc32(buf.subarray(dataStart)))
    fail(`its data does not match its checksum (CRC-32 ${String(h.crc32)} recorded, ${crc32(buf.subarray(dataStart))} found): the file is damaged`);
  return { tensors, meta: (h.meta as Record<string, unknown> | undefined) ?? {} };
}
