/**
 * IR-drop solves of many arrays on two threads: the caller's and one worker
 * thread (`irdropWorker.ts`), kept for the process and unref'd so it never
 * holds the process open. The caller stays synchronous: it posts the batch,
 * solves arrays itself, then waits (Atomics.wait) for the worker's last one.
 * A worker still starting when the caller has finished is simply not waited
 * for (the batch is closed). Without a worker script, or with `threads` 1,
 * everything runs on the caller's thread — with the same results, bit for bit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Ctl, drain, newBatch, solveOne, type Batch } from './irdropJobs';
import type { IrDropOptions, IrDropStats, Wires } from './irdrop';

let worker: Worker | undefined | null;

/** The bundled worker beside this file (dist/), or its TypeScript source through tsx (tests, benches); null if neither. */
function pooledWorker(): Worker | null {
  if (worker !== undefined) return worker;
  const bundled = path.join(__dirname, 'irdropWorker.js');
  const source = path.join(__dirname, 'irdropWorker.ts');
  try {
    if (fs.existsSync(bundled)) worker = new Worker(bundled);
    else if (fs.existsSync(source)) {
      // Worker threads do not inherit tsx's --import hook on Node 20: register it inside the worker.
      const tsx = require.resolve('tsx/cjs');
      worker = new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, { eval: true });
    } else worker = null;
  } catch {
    worker = null;
  }
  if (worker) {
    worker.unref();
    // A worker that dies is not replaced: later batches run on the caller's thread.
    worker.on('error', () => (worker = null));
  }
  return worker;
}

export interface SolvedArrays {
  /** Array k's effective matrix [used_k × m] at k·n·m. */
  out: Float64Array;
  /** Array k's sweeps and residual at 2k, 2k + 1. */
  stats: Float64Array;
  /** Arrays the calling thread solved (the worker the rest). */
  byCaller: number;
}

/**
 * Effective matrices of `arrays` (each n×m conductances; `used[k]` rows used)
 * on up to `threads` threads (1 or 2).
 */
export function solveArrays(arrays: readonly Float64Array[], n: number, m: number, used: readonly number[], wires: Wires, opts: IrDropOptions, threads: number, stallMs = WORKER_STALL_MS): SolvedArrays {
  const w = threads > 1 && arrays.length > 1 ? pooledWorker() : null;
  // Only the four wire fields travel to the worker (a Device carries more).
  const b = newBatch(n, m, used, { wireRow_ohm: wires.wireRow_ohm, wireCol_ohm: wires.wireCol_ohm, driver_ohm: wires.driver_ohm, sense_ohm: wires.sense_ohm }, opts, w !== null);
  arrays.forEach((g, k) => b.G.set(g, k * n * m));
  if (!w) {
    for (let k = 0; k < arrays.length; k++) solveOne(b, k);
    return { out: b.out, stats: b.stats, byCaller: arrays.length };
  }
  w.postMessage(b);
  return finishBatch(b, stallMs);
}

/** The caller's share of a posted batch, then the worker's end of it (or its arrays re-solved here when it stalls). */
export function finishBatch(b: Batch, stallMs: number): SolvedArrays {
  let { solved, failed } = drain(b);
  if (!joinWorker(b, stallMs)) {
    // The worker stopped beating (it died: out of memory, killed): never wait for it again, solve what it left here.
    stopWorker();
    for (let k = 0; k < b.used.length; k++)
      if (Atomics.load(b.done, k) === 0 && !failed) {
        try {
          solveOne(b, k);
          solved++;
        } catch (error) {
          failed = { index: k, error };
        }
      }
  }
  const workerFailed = Atomics.load(b.ctl, Ctl.Failed);
  if (failed) throw failed.error;
  // Re-solve the worker's failed array here: the same, deterministic error, thrown on this thread.
  if (workerFailed) solveOne(b, workerFailed - 1);
  return { out: b.out, stats: b.stats, byCaller: solved };
}

/** How long the worker may go without finishing a sweep before it counts as dead (one sweep of a 512×512 array takes about a second). */
export const WORKER_STALL_MS = 60_000;

/**
 * Close the batch if the worker has not joined it yet; otherwise wait for its
 * last array, bounded: false when its heartbeat (a count of its sweeps)
 * stood still for `stallMs`. The caller is synchronous, so it cannot hear the
 * worker's 'exit' event: the heartbeat is how it learns the worker is gone.
 */
function joinWorker(b: Batch, stallMs: number): boolean {
  if (Atomics.compareExchange(b.ctl, Ctl.Joined, 0, 2) === 0) return true;
  let beat = Atomics.load(b.ctl, Ctl.Beat);
  let since = Date.now();
  while (Atomics.load(b.ctl, Ctl.Done) === 0) {
    Atomics.wait(b.ctl, Ctl.Done, 0, Math.min(1000, stallMs));
    const now = Atomics.load(b.ctl, Ctl.Beat);
    if (now !== beat) [beat, since] = [now, Date.now()];
    else if (Date.now() - since >= stallMs && Atomics.load(b.ctl, Ctl.Done) === 0) {
      Atomics.store(b.ctl, Ctl.Next, b.used.length);
      return false;
    }
  }
  return true;
}

/** Forget (and end) the pooled worker: later batches start a new one. */
function stopWorker(): void {
  if (worker) void worker.terminate().catch(() => undefined);
  worker = undefined;
}

/** Stats of array k. */
export const statsOf = (s: SolvedArrays, k: number): IrDropStats => ({ sweeps: s.stats[2 * k], residual: s.stats[2 * k + 1] });
