/**
 * Reading a file the studio did not just write, bounded by kind and size: a
 * run or sweep folder (or a config) can come from anywhere — a cloned
 * repository carries symbolic links — so a record file may be a link to
 * /dev/zero, a FIFO, a folder, a link loop or a sparse file of gigabytes.
 * Only regular files are read; each kind of file has a cap, checked on the
 * open descriptor before a byte is allocated, and at most cap + 1 bytes are
 * ever read (a file growing while read cannot pass it).
 *
 * Imports nothing but node:fs and core/errors, so the config loader can use
 * it too.
 */
import * as fs from 'node:fs';
import { IoError, fsErrorMessage } from './errors';

const MiB = 2 ** 20;

/** Every kind of file read from a run or sweep folder, or a config: its cap and how a message names it. */
export const FILE_CAPS = {
  config: { cap: 16 * MiB, what: 'a config' },
  result: { cap: 16 * MiB, what: 'a result record' },
  metrics: { cap: 256 * MiB, what: 'a metrics log' },
  clusters: { cap: 512 * MiB, what: 'a clusters record' },
  mapping: { cap: 512 * MiB, what: 'a mapping record' },
  evaluation: { cap: 64 * MiB, what: 'an evaluation record' },
  compare: { cap: 16 * MiB, what: 'a comparison record' },
  report: { cap: 256 * MiB, what: 'a report' },
  sweep: { cap: 64 * MiB, what: 'a sweep record' },
  pareto: { cap: 64 * MiB, what: 'a Pareto record' },
  job: { cap: 16 * MiB, what: 'a job record' },
  // The extension's run-limit claims in a runs folder: a few hundred bytes.
  claim: { cap: 64 * 1024, what: 'a claim file' },
  // Weights, velocities, masks and pruning maps: 12 bytes a synapse, so ~178 M synapses.
  tensors: { cap: 2048 * MiB, what: 'a tensor file' },
  snapshots: { cap: 1024 * MiB, what: 'a snapshots file' },
} as const;

export type FileKind = keyof typeof FILE_CAPS;

/** A refused or failed read; `code` is the file-system code when there was one (ENOENT: the file is missing). */
export class BoundedReadError extends IoError {
  constructor(
    where: string,
    message: string,
    readonly code?: string,
  ) {
    super(where, message);
    this.name = 'BoundedReadError';
  }
}

/** Whether a read failed because the file is not there. */
export const isMissingFile = (e: unknown): boolean => e instanceof BoundedReadError && (e.code === 'ENOENT' || e.code === 'ENOTDIR');

/** What a failed read says after the file's name: the file-system code ("ENOENT") when there is one, else the refusal ("is a FIFO…", "3 GiB is over…"). */
export function readProblem(e: unknown, file: string): string {
  if (e instanceof BoundedReadError && e.code) return e.code;
  const m = e instanceof Error ? e.message : String(e);
  return m.startsWith(`${file}: `) ? m.slice(file.length + 2) : m;
}

/** "3.1 GiB", "512 bytes". */
export function sizeText(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = n / 1024;
  let u = 0;
  for (; v >= 1024 && u < units.length - 1; u++) v /= 1024;
  return `${Number.isInteger(v) || v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** What kind of file a stat describes, in words ("a FIFO (named pipe)"): the one wording of every refusal of a file's kind. */
export function kindOf(st: fs.Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function openError(file: string, e: unknown): BoundedReadError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return new BoundedReadError(file, 'cannot be read: a loop of symbolic links (ELOOP)', code);
  return new BoundedReadError(file, `cannot be read: ${fsErrorMessage(e)}`, code);
}

function overCap(file: string, kind: FileKind, size: string): BoundedReadError {
  const { cap, what } = FILE_CAPS[kind];
  return new BoundedReadError(file, `${size} is over the ${sizeText(cap)} ${what} may have`);
}

/**
 * The bytes of a regular file of this kind. Opened non-blocking (a FIFO
 * cannot block the open), checked on the descriptor (kind, size), read up to
 * cap + 1 bytes. Throws a BoundedReadError naming the file and, for a file
 * over its cap, the cap.
 */
export function readBounded(file: string, kind: FileKind): Buffer {
  const cap = FILE_CAPS[kind].cap;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw openError(file, e);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new BoundedReadError(file, `is ${kindOf(st)}, not a regular file: refused`);
    if (st.size > cap) throw overCap(file, kind, sizeText(st.size));
    return readUpTo(fd, file, kind, st.size);
  } catch (e) {
    if (e instanceof BoundedReadError) throw e;
    throw openError(file, e);
  } finally {
    fs.closeSync(fd);
  }
}

/** Read to the end, `size` bytes expected; a file that grows past the cap while read is refused. */
function readUpTo(fd: number, file: string, kind: FileKind, size: number): Buffer {
  const limit = FILE_CAPS[kind].cap + 1;
  let buf = Buffer.allocUnsafe(Math.min(size + 1, limit));
  let got = 0;
  for (;;) {
    if (got === buf.length) {
      if (got >= limit) throw overCap(file, kind, 'it grew while read and');
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, limit));
      buf.copy(bigger, 0, 0, got);
      buf = bigger;
    }
    const n = fs.readSync(fd, buf, got, buf.length - got, got);
    if (n === 0) return buf.subarray(0, got);
    got += n;
  }
}

/** A regular file's text (UTF-8), bounded as readBounded. */
export function readBoundedText(file: string, kind: FileKind): string {
  return readBounded(file, kind).toString('utf8');
}

/** A bounded JSON file parsed; a BoundedReadError when unreadable, a plain Error naming the file when not JSON. */
export function readBoundedJson(file: string, kind: FileKind): unknown {
  const text = readBoundedText(file, kind);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new IoError(file, `is not valid JSON (${(e as Error).message})`);
  }
}
