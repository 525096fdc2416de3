/// <reference lib="dom" />
/**
 * A restored panel whose first `ready` is lost (a window reload) must not sit
 * on "Loading…": each panel says `ready` again until the host answers, then
 * stops.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { haveChromium, launch, openPanel } from './harness';

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (apt-get install chromium)';
let browser: Browser;
before(async () => {
  if (!skip) browser = await launch();
});
after(async () => browser?.close());

for (const bundle of ['pareto', 'curves'] as const)
  test(`${bundle}: ready is repeated while the host does not answer`, { skip }, async () => {
    const p = await openPanel(browser, bundle);
    await p.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'ready').length >= 3, undefined, { timeout: 10_000 });
    await p.page.context().close();
  });

for (const bundle of ['mapping'] as const)
  test(`${bundle}: ready is repeated until the host answers, then no more`, { skip }, async () => {
    const p = await openPanel(browser, bundle);
    const readies = async () => (await p.posted()).filter((m) => m.type === 'ready').length;
    // Nobody answers: the webview keeps announcing itself (every 1.5 s).
    await p.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'ready').length >= 3, undefined, { timeout: 10_000 });
    // The host answers (a malformed message does not count as an answer)…
    await p.send({ type: 'nonsense' });
    await p.page.waitForTimeout(1_700);
    assert.ok((await readies()) >= 4, 'a dropped message is no answer');
    await p.send({ type: 'error', message: 'no such run' });
    const n = await readies();
    // …and then it stops.
    await p.page.waitForTimeout(3_500);
    assert.equal(await readies(), n);
    await p.page.context().close();
  });
