/**
 * A batch of IR-drop solves laid out in shared memory, so that the calling
 * thread and a worker thread (`irdropWorker.ts`) can both take arrays from it:
 * each takes the next unsolved array from a shared counter and writes its
 * effective matrix and stats into the batch's own slots. Who solves which
 * array does not matter: every array is solved by the same function on the
 * same numbers, so the result is bit-identical to solving them in order.
 */
import { effectiveMatrix, type IrDropOptions, type IrDropStats, type Wires } from './irdrop';

/** Control words (Int32) of a batch. */
export const Ctl = {
  /** Next array to take. */
  Next: 0,
  /** 0 open; 1 the worker joined; 2 closed by the caller before the worker joined. */
  Joined: 1,
  /** 1 once the worker has finished its share (set only if it joined). */
  Done: 2,
  /** 1 + the index of an array the worker failed on (0: none); the caller re-solves it to raise the error. */
  Failed: 3,
  /** Sweeps done by the worker so far: its heartbeat, which the caller watches while it waits. */
  Beat: 4,
  Words: 5,
} as const;

export interface Batch {
  /** n, m, used per array. */
  n: number;
  m: number;
  used: Int32Array;
  wires: Wires;
  opts: IrDropOptions;
  /** count·n·m conductances. */
  G: Float64Array;
  /** count·n·m effective conductances (array k's [used × m] at k·n·m). */
  out: Float64Array;
  /** count × (sweeps, residual). */
  stats: Float64Array;
  ctl: Int32Array;
  /** 1 once array k's slots are written. */
  done: Int32Array;
}

/** Shared buffers when another thread may join, plain ones otherwise. */
export function newBatch(n: number, m: number, used: readonly number[], wires: Wires, opts: IrDropOptions, shared: boolean): Batch {
  const count = used.length;
  const f64 = (len: number) => new Float64Array(shared ? new SharedArrayBuffer(8 * len) : new ArrayBuffer(8 * len));
  const ctl = new Int32Array(shared ? new SharedArrayBuffer(4 * Ctl.Words) : new ArrayBuffer(4 * Ctl.Words));
  const done = new Int32Array(shared ? new SharedArrayBuffer(4 * count) : new ArrayBuffer(4 * count));
  return { n, m, used: Int32Array.from(used), wires, opts, G: f64(count * n * m), out: f64(count * n * m), stats: f64(2 * count), ctl, done };
}

/** Solve array k of a batch into its slots. */
export function solveOne(b: Batch, k: number, onSweep?: () => void): void {
  const nm = b.n * b.m;
  const st: IrDropStats = { sweeps: 0, residual: 0 };
  const M = effectiveMatrix(b.G.subarray(k * nm, (k + 1) * nm), b.n, b.m, b.used[k], b.wires, onSweep ? { ...b.opts, onSweep } : b.opts, st);
  b.out.set(M, k * nm);
  b.stats[2 * k] = st.sweeps;
  b.stats[2 * k + 1] = st.residual;
  Atomics.store(b.done, k, 1);
}

/** Take and solve arrays until none is left: how many this thread solved, and the index that threw (with its error), if any. */
export function drain(b: Batch, onSweep?: () => void): { solved: number; failed?: { index: number; error: unknown } } {
  const count = b.used.length;
  let solved = 0;
  for (let k = Atomics.add(b.ctl, Ctl.Next, 1); k < count; k = Atomics.add(b.ctl, Ctl.Next, 1)) {
    try {
      solveOne(b, k, onSweep);
      solved++;
    } catch (error) {
      // Stop the other thread too: the batch has failed.
      Atomics.store(b.ctl, Ctl.Next, count);
      return { solved, failed: { index: k, error } };
    }
  }
  return { solved };
}
