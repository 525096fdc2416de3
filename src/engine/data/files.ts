/**
 * Reading dataset files with bounded memory and time. Only regular files are
 * read (a FIFO, a device such as /dev/zero, a socket or a folder is refused
 * before it is opened: reading one could block or never end); a file's size
 * is known before a byte is allocated; compressed data (gzip, zlib) is
 * inflated only up to the size its own header promises, and a promise that
 * the compressed bytes cannot keep (deflate expands at most ~1032×) or that
 * exceeds the readers' cap fails before anything is inflated.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { UserError } from '../core/errors';
import { kindOf } from '../core/boundedFile';

/** The most any one dataset file (or decompressed variable) may hold: 2 GiB. SVHN's extra set, the largest file in scope, is 1.6 GB of pixels. */
export const MAX_DATA_BYTES = 2 ** 31;

/**
 * Deflate's largest expansion: a 258-byte match coded in 2 bits is 1032 output
 * bytes per input byte; a few hundred bytes of headers and block overhead
 * are added on top.
 */
export const MAX_INFLATE_RATIO = 1032;

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} bytes`;
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

function statError(file: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError(file, 'file not found');
  if (code === 'ENOTDIR') return new UserError(file, 'file not found (a folder in its path is a file)');
  if (code === 'EACCES' || code === 'EPERM') return new UserError(file, 'cannot read (permission denied)');
  if (code === 'ELOOP') return new UserError(file, 'cannot read (too many symbolic links)');
  if (code === 'ENAMETOOLONG') return new UserError(file, 'cannot read (the path is too long)');
  return new UserError(file, `cannot read (${code ?? String(e)})`);
}

function refuseNonRegular(file: string, st: fs.Stats): void {
  if (!st.isFile()) throw new UserError(file, `is ${kindOf(st)}, not a regular file: dataset files are read only from regular files`);
}

export interface ReadOptions {
  /** Largest size accepted (default MAX_DATA_BYTES). */
  maxBytes?: number;
  /** Checks the size before anything is allocated (throw a UserError to refuse it). */
  checkSize?: (size: number) => void;
}

/**
 * A regular file's bytes. Stat before open (a FIFO would block the open
 * itself), open non-blocking, check again on the descriptor, allocate the
 * size the descriptor reports and read at most that much.
 */
export function readRegularFile(file: string, opts: ReadOptions = {}): Buffer {
  const max = opts.maxBytes ?? MAX_DATA_BYTES;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw statError(file, e);
  }
  refuseNonRegular(file, st);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw statError(file, e);
  }
  try {
    const st2 = fs.fstatSync(fd);
    refuseNonRegular(file, st2); // replaced between the stat and the open
    const size = st2.size;
    if (size > max) throw new UserError(file, `is ${formatBytes(size)}, more than the ${formatBytes(max)} a dataset file may hold (wrong file?)`);
    opts.checkSize?.(size);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = fs.readSync(fd, buf, got, size - got, got);
      if (n === 0) break; // shrank while read: the format checks see the short file
      got += n;
    }
    return got === size ? buf : buf.subarray(0, got);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw statError(file, e);
  } finally {
    fs.closeSync(fd);
  }
}

/** A folder that must exist (and be a folder) before its files are looked for. */
export function requireFolder(dir: string, what: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(dir, code === 'ENOENT' || code === 'ENOTDIR' ? `folder not found (${what})` : `cannot read the folder (${code ?? String(e)})`);
  }
  if (!st.isDirectory()) throw new UserError(dir, `is ${kindOf(st)}, not a folder (${what})`);
}

export type Compression = 'gzip' | 'zlib';

function inflateWith(kind: Compression, data: Uint8Array, opts: zlib.ZlibOptions): Buffer {
  return kind === 'gzip' ? zlib.gunzipSync(data, opts) : zlib.inflateSync(data, opts);
}

/**
 * The first `n` bytes `data` decompresses to (fewer when the stream holds
 * fewer), inflating only a prefix of the input: a few hundred input bytes
 * give at most a few hundred KiB, however large the whole stream claims to be.
 * `what` names the data in an error ("its gzip stream", "the compressed
 * element at byte 128"); `enough` may stop it sooner (a header complete).
 */
export function inflatePrefix(kind: Compression, data: Uint8Array, n: number, file: string, what: string, enough: (out: Uint8Array) => boolean = () => false): Buffer {
  for (let take = 64; ; take *= 4) {
    const end = Math.min(take, data.length);
    let out: Buffer;
    try {
      out = inflateWith(kind, data.subarray(0, end), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new UserError(file, `${what} is not valid ${kind} data (${(e as Error).message})`);
    }
    // Stop as soon as the caller has what it needs: damage further on is not read.
    if (out.length >= n || end === data.length || enough(out)) return out.subarray(0, Math.min(n, out.length));
  }
}

/**
 * Inflate all of `data`, which promises (by its format's header) to hold
 * `promised` bytes: refused at once when no stream of this size can hold
 * that many or it exceeds the cap; inflation stops as soon as the output
 * would exceed the promise (plus `slack`). The result may be shorter than
 * promised; the caller's format checks say so.
 */
export function inflateBounded(kind: Compression, data: Uint8Array, promised: number, file: string, what: string, slack = 0): Buffer {
  checkPromise(data.length, promised, file, what);
  try {
    return inflateWith(kind, data, { maxOutputLength: Math.max(1, promised + slack) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new UserError(file, `${what} decompresses to more than the ${promised} bytes its header promises (corrupt header, or not the file it claims to be)`);
    const msg = (e as Error).message;
    throw new UserError(file, `${what} is not valid ${kind} data (${msg})${/unexpected end/i.test(msg) ? '; the file is probably truncated' : ''}`);
  }
}

/** A decompressed size promised by a header: within the cap, and possible from `compressed` bytes. */
export function checkPromise(compressed: number, promised: number, file: string, what: string): void {
  if (!Number.isFinite(promised) || promised > MAX_DATA_BYTES)
    throw new UserError(file, `${what} claims ${Number.isFinite(promised) ? formatBytes(promised) : 'an unbounded size'} of data, more than the ${formatBytes(MAX_DATA_BYTES)} a dataset file may hold (corrupt header?)`);
  const possible = compressed * MAX_INFLATE_RATIO + 1024;
  if (promised > possible)
    throw new UserError(file, `${what} claims ${formatBytes(promised)} of data, more than ${compressed} compressed bytes can hold (at most ${formatBytes(possible)}): corrupt header`);
}

export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
