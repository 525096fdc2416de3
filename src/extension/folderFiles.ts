/**
 * How the extension reads a run or sweep folder's files: always through the
 * store's bounded reader (regular files only, a cap per kind, a FIFO cannot
 * block). Small records (result, sweep, pareto, job, compare) are read
 * synchronously; large ones (metrics) asynchronously, with the same checks
 * on the open handle, so a big file never stalls the extension host.
 */
import * as fs from 'node:fs';
import { BoundedReadError, FILE_CAPS, isMissingFile, readBoundedJson, sizeText, type FileKind } from '../engine/core/boundedFile';
import { checkMetrics, messageOf } from './records';

import type { EpochMetrics } from '../engine/format/metrics';

/** A folder file read: its parsed value, missing, or why it cannot be read (the file named). */
export type Read = { value: unknown } | { missing: true } | { problem: string };

/** A small JSON record of a folder, bounded; never throws. */
export function readRecord(file: string, kind: FileKind): Read {
  try {
    return { value: readBoundedJson(file, kind) };
  } catch (e) {
    return isMissingFile(e) ? { missing: true } : { problem: messageOf(e) };
  }
}

/** A regular file's text, read off the event loop: opened non-blocking, kind and size checked on the handle, at most cap + 1 bytes read. */
export async function readBoundedTextAsync(file: string, kind: FileKind): Promise<string> {
  const { cap, what } = FILE_CAPS[kind];
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new BoundedReadError(file, `cannot be read: ${messageOf(e)}`, (e as NodeJS.ErrnoException).code);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new BoundedReadError(file, 'is not a regular file: refused');
    if (st.size > cap) throw new BoundedReadError(file, `${sizeText(st.size)} is over the ${sizeText(cap)} ${what} may have`);
    const buf = Buffer.allocUnsafe(Math.min(st.size + 1, cap + 1));
    let got = 0;
    for (let n = -1; n !== 0 && got < buf.length; got += n) n = (await fh.read(buf, got, buf.length - got, got)).bytesRead;
    if (got > cap) throw new BoundedReadError(file, `it grew while read and is over the ${sizeText(cap)} ${what} may have`);
    // A file that grew (but stays under its cap) is read as far as its size was: the next refresh reads the rest.
    return buf.subarray(0, Math.min(got, st.size)).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Parse metrics.jsonl's lines: torn or damaged lines are counted, not drawn. */
export function parseMetrics(text: string): { metrics: EpochMetrics[]; damaged: number } {
  const lines: unknown[] = [];
  let torn = 0;
  const all = text.split('\n');
  for (const [i, line] of all.entries()) {
    if (!line.trim()) continue;
    try {
      lines.push(JSON.parse(line));
    } catch {
      // A last line without its newline is being written (or its writer died): skipped, not damage.
      if (i < all.length - 1) torn++;
    }
  }
  const checked = checkMetrics(lines);
  return { metrics: checked.metrics, damaged: checked.damaged + torn };
}

/** A run's metrics, read asynchronously and checked; `problem` names the file when it cannot be read or has damaged lines. */
export async function readMetricsAsync(metricsFile: string): Promise<{ metrics: EpochMetrics[]; problem?: string }> {
  let text: string;
  try {
    text = await readBoundedTextAsync(metricsFile, 'metrics');
  } catch (e) {
    return { metrics: [], ...(isMissingFile(e) ? {} : { problem: `damaged: metrics.jsonl: ${messageOf(e)}` }) };
  }
  const { metrics, damaged } = parseMetrics(text);
  return { metrics, ...(damaged ? { problem: `damaged: metrics.jsonl: ${damaged} line${damaged === 1 ? '' : 's'} not an epoch record, left out` } : {}) };
}
