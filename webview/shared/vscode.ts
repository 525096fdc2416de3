/**
 * The webview side of the host link: `acquireVsCodeApi` typed per panel,
 * incoming messages checked before they are handled (a malformed one is
 * logged to the console and dropped), and the saved state (a key and view
 * choices, never the data).
 */
export interface VsCodeApi<ToHost, State> {
  postMessage(m: ToHost): void;
  getState(): State | undefined;
  setState(s: State): void;
}
declare function acquireVsCodeApi(): VsCodeApi<unknown, unknown>;

export function vscodeApi<ToHost, State>(): VsCodeApi<ToHost, State> {
  return acquireVsCodeApi() as VsCodeApi<ToHost, State>;
}

let hostAnswered = false;

/** Listen to the host: `check` returns the typed message or a reason to drop it. */
export function onHostMessage<T>(check: (m: unknown) => T | string, handle: (m: T) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const r = check(event.data);
    if (typeof r === 'string') {
      console.warn(`dropped a message from the host: ${r}`);
      return;
    }
    hostAnswered = true;
    handle(r);
  });
}

/**
 * Tell the host the webview is ready, and say it again until the host
 * answers: a message can be lost while a window reloads and a restored panel
 * reattaches to a new extension host (seen as a restored panel stuck on
 * "Loading…"). The host's answer to `ready` is idempotent. Bounded: every
 * `everyMs`, at most `tries` times.
 */
export function announceReady(post: () => void, everyMs = 1500, tries = 20): void {
  post();
  let sent = 1;
  const timer = setInterval(() => {
    if (hostAnswered || sent >= tries) {
      clearInterval(timer);
      return;
    }
    sent++;
    post();
  }, everyMs);
}
