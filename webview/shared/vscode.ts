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

/** Listen to the host: `check` returns the typed message or a reason to drop it. */
export function onHostMessage<T>(check: (m: unknown) => T | string, handle: (m: T) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const r = check(event.data);
    if (typeof r === 'string') {
      console.warn(`dropped a message from the host: ${r}`);
      return;
    }
    handle(r);
  });
}
