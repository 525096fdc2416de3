import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { StartAborted, WorkerHandle, type WorkerLike } from '../../src/engine/train/parallel/stepper';
import type { FromWorker, ToWorker } from '../../src/engine/train/parallel/messages';

/** A worker thread stand-in whose replies the test sends when it likes. */
class FakeWorker extends EventEmitter implements WorkerLike {
  posted: ToWorker[] = [];
  terminated = false;
  postMessage(m: ToWorker): void {
    this.posted.push(m);
  }
  async terminate(): Promise<number> {
    this.terminated = true;
    return 0;
  }
  reply(m: FromWorker): void {
    this.emit('message', m);
  }
}

test('a reply that arrives before anyone waits is queued, not dropped (workers ≥ 3 used to hang at start-up)', async () => {
  const w = new FakeWorker();
  const h = new WorkerHandle(w);
  w.reply({ type: 'ready' });
  w.reply({ type: 'grads', lossSum: 2, correct: 1 });
  const first = await Promise.race([h.next(), new Promise<'hung'>((r) => setTimeout(() => r('hung'), 500))]);
  assert.deepEqual(first, { type: 'ready' });
  assert.deepEqual(await h.next(), { type: 'grads', lossSum: 2, correct: 1 });
});

test('several workers ready in any order before they are awaited: all are seen', async () => {
  const ws = [new FakeWorker(), new FakeWorker(), new FakeWorker(), new FakeWorker()];
  const hs = ws.map((w) => new WorkerHandle(w));
  for (const w of [...ws].reverse()) w.reply({ type: 'ready' });
  const all = Promise.all(hs.map(async (h) => h.next()));
  const r = await Promise.race([all, new Promise<'hung'>((res) => setTimeout(() => res('hung'), 500))]);
  assert.notEqual(r, 'hung');
});

test('a worker failure rejects the wait with its message; abort rejects a pending wait', async () => {
  const w = new FakeWorker();
  const h = new WorkerHandle(w);
  const p = h.next();
  w.reply({ type: 'error', message: 'boom' });
  await assert.rejects(p, /training worker failed: boom/);
  const h2 = new WorkerHandle(new FakeWorker());
  const p2 = h2.next();
  h2.abort(new StartAborted());
  await assert.rejects(p2, StartAborted);
});
