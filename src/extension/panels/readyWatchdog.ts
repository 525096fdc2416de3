/**
 * The watchdog of a panel's first message: a webview that shows (created,
 * restored after a reload, or made visible again) must say `ready` within a
 * few seconds. When it does not — its bundle never loaded, as when several
 * webviews restore at once and their resource requests escape VS Code web's
 * service worker — the panel loads its HTML again with fresh resource URLs,
 * waiting a little longer each time, a bounded number of times; then it
 * gives up (the panel shows a "Reload panel" button instead). Pure timing
 * logic with injected timers: no `vscode`, tested in plain Node.
 */

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface WatchdogOptions {
  /** How long the first load may take before a retry (ms); retry n waits n + 1 times this. */
  waitMs: number;
  /** Retries before giving up. */
  retries: number;
  timers: Timers;
  /** Load the webview again (retry `attempt` of `retries`, `waitedMs` after the last load). */
  retry(attempt: number, waitedMs: number): void;
  /** Every retry passed without a `ready`. */
  giveUp(waitedMs: number): void;
}

export class ReadyWatchdog {
  private handle?: unknown;
  private attempt = 0;
  private waiting = false;

  constructor(private readonly o: WatchdogOptions) {}

  /** Whether a `ready` is awaited now. */
  get armed(): boolean {
    return this.waiting;
  }

  /** The webview (re)started loading: a `ready` is due. Starts a fresh count of retries. */
  expect(): void {
    this.attempt = 0;
    this.arm();
  }

  /** The webview said `ready`: nothing is due any more. */
  ready(): void {
    this.stop();
  }

  /** The webview is gone (hidden, disposed): a hidden webview loads nothing, so nothing is due. */
  stop(): void {
    this.waiting = false;
    if (this.handle !== undefined) this.o.timers.clear(this.handle);
    this.handle = undefined;
  }

  private arm(): void {
    this.stop();
    this.waiting = true;
    const wait = this.o.waitMs * (this.attempt + 1);
    this.handle = this.o.timers.set(() => this.fire(wait), wait);
  }

  private fire(waited: number): void {
    this.handle = undefined;
    if (!this.waiting) return;
    if (this.attempt >= this.o.retries) {
      this.waiting = false;
      this.o.giveUp(waited);
      return;
    }
    this.attempt++;
    // Armed before the retry runs: a retry that loads synchronously and says ready at once is not missed.
    const attempt = this.attempt;
    this.arm();
    this.o.retry(attempt, waited);
  }
}

/** Where and whether a panel shows: what a view-state change is judged on. */
export interface PanelPlace {
  visible: boolean;
  column: number | undefined;
}

/**
 * What a panel's view-state change means for its watchdog: shown again, or
 * moved to another editor group while shown (VS Code loads the webview
 * again in its new place), a `ready` is due ('expect'); hidden, nothing is
 * due ('stop'); otherwise nothing changes.
 */
export function watchOnViewState(before: PanelPlace, after: PanelPlace): 'expect' | 'stop' | 'none' {
  if (!after.visible) return before.visible ? 'stop' : 'none';
  return !before.visible || before.column !== after.column ? 'expect' : 'none';
}
