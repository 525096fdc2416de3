/**
 * The mapping panel's views, computed off the extension host's event loop:
 * one long-lived worker thread (`mappingWorker.ts`), started on the first
 * request, unref'd while idle, started again after it dies. Requests run one
 * at a time, in order; a panel's channel answers only its newest request
 * (an older one still queued is never computed). A request that takes longer
 * than `timeoutMs` is answered with an error and its worker replaced. Without
 * a worker script everything runs synchronously (said once in the log).
 * Pure (no `vscode`): tested in plain Node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { mappingViewOf } from './mappingData';

import type { MappingView } from '../../protocol/webview';

export type MappingOptions = { scheme?: string; epoch?: number };
export type MappingRequest = { id: number; dir: string; opts: MappingOptions };
export type MappingAnswer = { id: number; view: MappingView } | { id: number; error: string };

/** How long one view may take before its worker counts as stuck (the largest runs the readers accept read in seconds). */
export const MAPPING_TIMEOUT_MS = 60_000;

interface Job extends MappingRequest {
  resolve(view: MappingView | undefined): void;
  reject(e: Error): void;
  /** A newer request of the same channel came: answer undefined. */
  dropped?: boolean;
}

/** The bundled worker beside this file (dist/), or its TypeScript source through tsx (tests); null if neither. */
export function mappingWorkerScript(dir = __dirname): string | null {
  for (const name of ['mappingWorker.js', 'mappingWorker.ts']) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  return null;
}

function startWorker(script: string): Worker {
  if (script.endsWith('.js')) return new Worker(script);
  // Worker threads do not inherit tsx's --import hook on Node 20: register it inside the worker.
  const tsx = require.resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(script)});`, { eval: true });
}

export class MappingViews {
  /** The worker now running (undefined: none yet or it died; a test terminates it to check it is replaced). */
  worker: Worker | undefined;
  private readonly queue: Job[] = [];
  private running: { job: Job; timer: NodeJS.Timeout } | undefined;
  private ids = 0;
  private readonly script: string | null;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  private saidSync = false;

  constructor(opts: { script?: string | null; timeoutMs?: number; log?: (line: string) => void } = {}) {
    this.script = opts.script === undefined ? mappingWorkerScript() : opts.script;
    this.timeoutMs = opts.timeoutMs ?? MAPPING_TIMEOUT_MS;
    this.log = opts.log ?? (() => undefined);
  }

  /** The view of one run (rejects with the Error `mappingViewOf` throws; undefined once disposed). */
  view(dir: string, opts: MappingOptions = {}): Promise<MappingView | undefined> {
    return new Promise((resolve, reject) => this.add({ id: ++this.ids, dir, opts, resolve, reject }));
  }

  /**
   * A panel's requests: each call supersedes the ones before it, which
   * resolve undefined (not computed at all if still queued). `cancel`
   * drops the pending one (the panel closed).
   */
  channel(): { request(dir: string, opts?: MappingOptions): Promise<MappingView | undefined>; cancel(): void } {
    let last: Job | undefined;
    const cancel = () => {
      if (last) this.drop(last);
      last = undefined;
    };
    return {
      request: (dir, opts = {}) => {
        cancel();
        return new Promise((resolve, reject) => this.add((last = { id: ++this.ids, dir, opts, resolve, reject })));
      },
      cancel,
    };
  }

  /** End the worker and answer nothing more (the extension deactivates). */
  dispose(): void {
    for (const job of this.queue.splice(0)) this.drop(job);
    const r = this.running;
    this.running = undefined;
    if (r) {
      clearTimeout(r.timer);
      this.drop(r.job);
    }
    this.replaceWorker();
  }

  private add(job: Job): void {
    if (this.script === null) {
      if (!this.saidSync) this.log('mapping panel: no worker script (mappingWorker.js) beside the extension; views are read on the extension host’s thread');
      this.saidSync = true;
      return this.runHere(job);
    }
    this.queue.push(job);
    this.pump();
  }

  /** The synchronous fallback, on this thread. */
  private runHere(job: Job): void {
    try {
      job.resolve(mappingViewOf(job.dir, job.opts));
    } catch (e) {
      job.reject(e as Error);
    }
  }

  private drop(job: Job): void {
    job.dropped = true;
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
    job.resolve(undefined);
  }

  /** Send the next queued request when the worker is free. */
  private pump(): void {
    if (this.running || this.queue.length === 0) {
      if (!this.running) this.worker?.unref();
      return;
    }
    const job = this.queue.shift()!;
    let w: Worker;
    try {
      w = this.worker ?? this.newWorker();
    } catch (e) {
      this.log(`mapping panel: the worker did not start (${(e as Error).message}); reading this view on the extension host’s thread`);
      this.runHere(job);
      return this.pump();
    }
    w.ref();
    const timer = setTimeout(() => this.fail(w, `took longer than ${this.timeoutMs / 1000} s; its worker was stopped (the run may be too large to draw)`), this.timeoutMs);
    this.running = { job, timer };
    w.postMessage({ id: job.id, dir: job.dir, opts: job.opts } satisfies MappingRequest);
  }

  private newWorker(): Worker {
    const w = startWorker(this.script!);
    this.worker = w;
    w.on('message', (a: MappingAnswer) => this.answer(w, a));
    w.on('error', (e) => this.fail(w, `could not be computed: its worker failed (${e.message})`));
    w.on('exit', (code) => this.fail(w, `could not be computed: its worker stopped (exit code ${code}) before answering`));
    return w;
  }

  private answer(w: Worker, a: MappingAnswer): void {
    const r = this.running;
    if (w !== this.worker || !r || r.job.id !== a.id) return;
    clearTimeout(r.timer);
    this.running = undefined;
    if (r.job.dropped) r.job.resolve(undefined);
    else if ('view' in a) r.job.resolve(a.view);
    else r.job.reject(new Error(a.error));
    this.pump();
  }

  /** The worker `w` died or is stuck: answer its request with an error, forget it (the next request starts another). */
  private fail(w: Worker, why: string): void {
    if (w !== this.worker) return;
    this.replaceWorker();
    const r = this.running;
    this.running = undefined;
    if (r) {
      clearTimeout(r.timer);
      if (r.job.dropped) r.job.resolve(undefined);
      else r.job.reject(new Error(`${r.job.dir}: the mapping view ${why}`));
    }
    this.pump();
  }

  private replaceWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate().catch(() => undefined);
  }
}
