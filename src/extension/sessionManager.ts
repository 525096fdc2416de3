/**
 * All background runs of the window: at most `maxConcurrent()` run at once,
 * the rest wait in order. Closing the window cancels them all. No `vscode`
 * import.
 */
import { EventEmitter } from 'node:events';
import { RunSession, type SessionOptions } from './runSession';

export class SessionManager extends EventEmitter {
  readonly sessions: RunSession[] = [];

  constructor(private readonly maxConcurrent: () => number) {
    super();
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
      this.pump();
      this.emit('changed', s);
    });
    this.emit('added', s);
    this.pump();
    return s;
  }

  private pump(): void {
    const limit = Math.max(1, this.maxConcurrent());
    for (const s of this.queued) {
      if (this.active.length >= limit) break;
      s.state = 'starting';
      s.start();
      this.emit('started', s);
    }
  }

  /** Cancel everything (queued ones never start) and wait for the processes to exit. */
  async cancelAll(): Promise<void> {
    const all = [...this.sessions];
    for (const s of all) s.cancel();
    await Promise.all(all.map((s) => s.done));
  }
}
