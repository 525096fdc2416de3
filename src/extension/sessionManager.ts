/**
 * All background runs of the window: at most `maxConcurrent()` run at once,
 * the rest wait in order. Closing the window cancels them all. No `vscode`
 * import.
 *
 * The limit and "nothing started twice" hold across every window on the
 * workspace, through claim files in the runs folder (see runClaims.ts): a
 * session starts only when it holds one of the folder's run slots, and a
 * session with an `exclusiveKey` (a run folder being resumed) is refused
 * while any live session anywhere holds that key. Slots another window
 * frees are noticed by looking again every `pollMs` while sessions wait.
 */
import { EventEmitter } from 'node:events';
import { RunSession, type SessionOptions } from './runSession';
import { keyFile, RunClaims, type Claim } from './runClaims';

export interface SessionManagerOptions {
  /** The claims (owner, liveness check); one per process by default. */
  claims?: RunClaims;
  /** How often waiting sessions look for a slot another window freed (ms). */
  pollMs?: number;
}

export class SessionManager extends EventEmitter {
  readonly sessions: RunSession[] = [];
  private readonly claims: RunClaims;
  private readonly pollMs: number;
  /** Claim files each session holds (its run slot, its exclusive key). */
  private readonly held = new Map<RunSession, Claim[]>();
  private poll?: NodeJS.Timeout;

  constructor(
    private readonly maxConcurrent: () => number,
    options: SessionManagerOptions = {},
  ) {
    super();
    this.claims = options.claims ?? new RunClaims();
    this.pollMs = options.pollMs ?? 2_000;
  }

  get active(): RunSession[] {
    return this.sessions.filter((s) => s.state === 'starting' || s.state === 'running' || s.state === 'cancelling');
  }

  get queued(): RunSession[] {
    return this.sessions.filter((s) => s.state === 'queued');
  }

  submit(options: SessionOptions): RunSession {
    const s = new RunSession(options);
    s.state = 'queued';
    this.sessions.push(s);
    s.on('changed', () => this.emit('changed', s));
    s.done.then(() => {
      this.sessions.splice(this.sessions.indexOf(s), 1);
      for (const c of this.held.get(s) ?? []) this.releaseQuietly(c);
      this.held.delete(s);
      this.pump();
      this.emit('changed', s);
    });
    this.emit('added', s);
    if (options.exclusiveKey !== undefined) {
      // Held from submission (queued counts): a second session on the same key, in any window, is refused.
      const file = keyFile(options.outRoot, options.exclusiveKey);
      let key: Claim | undefined;
      try {
        key = this.claims.tryClaim(file, s.label);
      } catch (e) {
        s.refuse(`cannot claim ${options.exclusiveKey} in ${options.outRoot}: ${(e as Error).message}`);
        return s;
      }
      if (!key) {
        const h = this.claims.holder(file);
        s.refuse(`${options.exclusiveKey} is already running or queued${h ? ` (${h.label}, process ${h.owner.pid}${h.owner.pid === process.pid ? ', this window' : ', another window'})` : ''}`);
        return s;
      }
      this.held.set(s, [key]);
    }
    this.pump();
    return s;
  }

  private pump(): void {
    clearTimeout(this.poll);
    this.poll = undefined;
    const limit = Math.max(1, this.maxConcurrent());
    for (const s of this.queued) {
      if (this.active.length >= limit) break;
      let slot: Claim | undefined;
      try {
        slot = this.claims.trySlot(s.options.outRoot, limit, s.label);
        if (!slot) continue; // every slot of its runs folder is held by a live session (here or in another window)
      } catch (e) {
        // The runs folder cannot hold a claim (read-only, say): this window's own limit still applies; the run will say what is wrong.
        const why = (e as Error).message;
        queueMicrotask(() => s.emit('log', `could not claim a run slot in ${s.options.outRoot} (${why}); only this window's limit applies`));
      }
      if (slot) this.held.set(s, [...(this.held.get(s) ?? []), slot]);
      s.state = 'starting';
      s.start();
      this.emit('started', s);
    }
    if (this.queued.length > 0) this.poll = setTimeout(() => this.pump(), this.pollMs);
  }

  private releaseQuietly(c: Claim): void {
    try {
      this.claims.release(c);
    } catch {
      // The runs folder is gone or read-only: nothing left to release (a dead owner's claim is taken over anyway).
    }
  }

  /** Cancel everything (queued ones never start) and wait for the processes to exit. */
  async cancelAll(): Promise<void> {
    clearTimeout(this.poll);
    this.poll = undefined;
    const all = [...this.sessions];
    for (const s of all) s.cancel();
    await Promise.all(all.map((s) => s.done));
    clearTimeout(this.poll);
    this.poll = undefined;
  }
}
