import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ReadyWatchdog, watchOnViewState, type Timers } from '../../src/extension/panels/readyWatchdog';
import { reloadHtml } from '../../src/extension/panels/html';

/** Timers on a clock the test moves by hand. */
function fakeClock() {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    set: (fn, ms) => {
      const id = next++;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clear: (h) => void due.delete(h as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (let guard = 0; guard < 100; guard++) {
      const first = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!first) break;
      due.delete(first[0]);
      now = first[1].at;
      first[1].fn();
    }
    now = end;
  };
  return { timers, advance, pending: () => due.size, now: () => now };
}

function watchdog(clock: ReturnType<typeof fakeClock>, onRetry?: (n: number) => void) {
  const events: string[] = [];
  const w = new ReadyWatchdog({
    waitMs: 1000,
    retries: 3,
    timers: clock.timers,
    retry: (n, waited) => {
      events.push(`retry ${n} after ${waited} at ${clock.now()}`);
      onRetry?.(n);
    },
    giveUp: (waited) => events.push(`give up after ${waited} at ${clock.now()}`),
  });
  return { w, events };
}

test('a webview that says ready in time is never reloaded', () => {
  const clock = fakeClock();
  const { w, events } = watchdog(clock);
  w.expect();
  clock.advance(900);
  w.ready();
  clock.advance(60_000);
  assert.deepEqual(events, []);
  assert.equal(clock.pending(), 0, 'no timer left behind');
  assert.equal(w.armed, false);
});

test('no ready: reloaded with longer waits each time, then gives up once (bounded)', () => {
  const clock = fakeClock();
  const { w, events } = watchdog(clock);
  w.expect();
  clock.advance(600_000);
  assert.deepEqual(events, ['retry 1 after 1000 at 1000', 'retry 2 after 2000 at 3000', 'retry 3 after 3000 at 6000', 'give up after 4000 at 10000']);
  assert.equal(clock.pending(), 0);
  assert.equal(w.armed, false);
});

test('a ready after a retry stops the watchdog; the next show starts a fresh count', () => {
  const clock = fakeClock();
  const { w, events } = watchdog(clock);
  w.expect();
  clock.advance(1000);
  clock.advance(500);
  w.ready();
  clock.advance(60_000);
  assert.deepEqual(events, ['retry 1 after 1000 at 1000']);
  w.expect();
  clock.advance(1000);
  assert.deepEqual(events.at(-1), 'retry 1 after 1000 at 62500', 'retries count from 1 again');
});

test('a retry whose load answers at once is not missed (armed before the retry runs)', () => {
  const clock = fakeClock();
  const box: { w?: ReadyWatchdog } = {};
  const made = watchdog(clock, () => box.w!.ready());
  box.w = made.w;
  made.w.expect();
  clock.advance(60_000);
  assert.deepEqual(made.events, ['retry 1 after 1000 at 1000']);
  assert.equal(clock.pending(), 0);
});

test('hidden: nothing is due (a hidden webview loads nothing)', () => {
  const clock = fakeClock();
  const { w, events } = watchdog(clock);
  w.expect();
  clock.advance(500);
  w.stop();
  clock.advance(60_000);
  assert.deepEqual(events, []);
});

test('the fallback page: a Reload panel button posting reload, an inline script allowed only by its nonce', () => {
  const html = reloadHtml({ title: 'Pareto <x>', tries: 4, nonce: 'abc123' });
  assert.match(html, /script-src 'nonce-abc123'/);
  assert.match(html, /<script nonce="abc123">/);
  assert.match(html, /Reload panel/);
  assert.match(html, /postMessage\(\{ type: 'reload' \}\)/);
  assert.match(html, /4 tries/);
  assert.ok(!/<script[^>]*src=/.test(html), 'no resource to load');
  assert.match(html, /Pareto &lt;x&gt;/);
});

test('a view-state change arms the watchdog when the panel shows again or moves to another group while shown', () => {
  const at = (visible: boolean, column?: number) => ({ visible, column });
  assert.equal(watchOnViewState(at(false, 1), at(true, 1)), 'expect', 'shown again');
  assert.equal(watchOnViewState(at(true, 2), at(true, 3)), 'expect', 'moved into another group: loaded again there');
  assert.equal(watchOnViewState(at(true, 2), at(true, 2)), 'none', 'focus or activity only');
  assert.equal(watchOnViewState(at(true, 2), at(false, 2)), 'stop', 'hidden');
  assert.equal(watchOnViewState(at(false, 2), at(false, 3)), 'none', 'hidden and moved');
});
