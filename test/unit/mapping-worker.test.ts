/** The mapping panel's views computed on a worker thread: the same answers as the synchronous reader, newest request wins, a dead or stuck worker replaced, the event loop left free. */
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { tmpDir } from '../helpers/files';
import { mappingViewOf } from '../../src/extension/panels/mappingData';
import { MappingViews, mappingWorkerScript } from '../../src/extension/panels/mappingViews';
import { RunWriter, listSnapshots } from '../../src/engine/store/runFolder';
import { validateConfig } from '../../src/engine/config/validate';

const FIX = path.join(__dirname, '..', 'fixtures', 'extension-readers', '20261202-102229-tiny-sweep', '20261202-102232-trannsformer-x16-j04');
const root = tmpDir('trn-mapping-worker-');
const views = new MappingViews();
after(() => {
  views.dispose();
  // The planted network is tens of MB.
  fs.rmSync(root, { recursive: true, force: true });
});

/** A copy of a small trained run (model, clusters, mapping, snapshots). */
function smallRun(name = 'small'): string {
  const dir = path.join(root, name);
  fs.cpSync(FIX, dir, { recursive: true });
  return dir;
}

let big: string | undefined;
/** A run of `layers` (default 3000-3000-10) with a half-dense random mask and no mapping or clusters records: its view takes a while to compute. */
function bigRun(layers = [3000, 3000, 10]): string {
  if (big) return big;
  const dir = path.join(root, 'big');
  fs.mkdirSync(dir);
  const config = validateConfig({ name: 'big', dataset: { name: 'synthetic', synthetic: { inputSize: layers[0], classes: layers[layers.length - 1] } }, network: { layers }, training: { epochs: 1 }, transform: { mode: 'trannsformer', crossbar: 64 } }).config!;
  const w = new RunWriter(dir, config);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  w.writeModel(
    layers.slice(1).flatMap((rows, l) => {
      const n = rows * layers[l];
      return [
        { name: `weights/${l}`, shape: [rows, layers[l]], data: Float32Array.from({ length: n }, () => rand() - 0.5) },
        { name: `masks/${l}`, shape: [rows, layers[l]], data: Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0)) },
      ];
    }),
  );
  w.finish('completed');
  return (big = dir);
}

const editJson = (file: string, change: (v: Record<string, unknown>) => void) => {
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(v);
  fs.writeFileSync(file, JSON.stringify(v));
};

test('the worker script is found beside the wrapper (here the TypeScript source, run through tsx)', () => {
  assert.equal(mappingWorkerScript(), path.join(__dirname, '..', '..', 'src', 'extension', 'panels', 'mappingWorker.ts'));
  assert.equal(mappingWorkerScript(root), null);
});

test("the worker's answer equals mappingViewOf's, for the final network and for a snapshot", async () => {
  const run = smallRun();
  assert.deepEqual(await views.view(run), mappingViewOf(run));
  const epoch = listSnapshots(run)[0]?.epoch;
  assert.ok(epoch !== undefined, 'the fixture has a connectivity snapshot');
  assert.deepEqual(await views.view(run, { epoch }), mappingViewOf(run, { epoch }));
  assert.deepEqual(await views.view(run, { scheme: 'nonsense' }), mappingViewOf(run, { scheme: 'nonsense' }));
});

test('a channel answers only its newest request; older ones resolve undefined', async () => {
  const run = smallRun('newest');
  const panel = views.channel();
  const first = panel.request(bigRun());
  const second = panel.request(run, { scheme: 'dense' });
  assert.equal(await first, undefined);
  assert.deepEqual(await second, mappingViewOf(run, { scheme: 'dense' }));
  // A cancelled request (the panel closed) answers nothing either.
  const third = panel.request(run);
  panel.cancel();
  assert.equal(await third, undefined);
});

test('a damaged mapping.json gives the same note, a damaged result.json the same error, as the synchronous path', async () => {
  const run = smallRun('damaged');
  editJson(path.join(run, 'mapping.json'), (v) => (v.schemes = 'no'));
  const view = await views.view(run);
  assert.deepEqual(view, mappingViewOf(run));
  assert.ok(view!.notes.some((n) => n.startsWith('damaged: mapping.json: ')), view!.notes.join('\n'));
  editJson(path.join(run, 'result.json'), (v) => (v.epochsCompleted = 'many'));
  const sync = (() => {
    try {
      mappingViewOf(run);
    } catch (e) {
      return (e as Error).message;
    }
  })();
  assert.match(sync ?? '', /damaged: result\.json/);
  await assert.rejects(views.view(run), (e: Error) => e.message === sync);
  assert.deepEqual(await views.view(path.join(root, 'nothing')).catch((e: Error) => e.message), `${path.join(root, 'nothing')}: not a readable run folder (result.json is missing)`);
});

test('a worker killed mid-request: that request says so, the worker is replaced and the next request answered', async () => {
  const run = smallRun('killed');
  const pending = views.view(bigRun());
  const killed = views.worker;
  assert.ok(killed, 'a worker runs the request');
  await killed.terminate();
  await assert.rejects(pending, (e: Error) => e.message === `${bigRun()}: the mapping view could not be computed: its worker stopped (exit code 1) before answering`);
  assert.deepEqual(await views.view(run), mappingViewOf(run));
  assert.ok(views.worker && views.worker !== killed, 'a new worker answered');
});

test('a request longer than the bound is answered with an error and its worker stopped', async () => {
  const slow = new MappingViews({ timeoutMs: 20 });
  try {
    const pending = slow.view(bigRun());
    const stuck = slow.worker;
    await assert.rejects(pending, (e: Error) => e.message === `${bigRun()}: the mapping view took longer than 0.02 s; its worker was stopped (the run may be too large to draw)`);
    assert.ok(stuck && slow.worker === undefined, 'the stuck worker is gone');
  } finally {
    slow.dispose();
  }
});

test('without a worker script the view is read synchronously, said once in the log', async () => {
  const run = smallRun('sync');
  const lines: string[] = [];
  const sync = new MappingViews({ script: null, log: (l) => lines.push(l) });
  assert.deepEqual(await sync.view(run), mappingViewOf(run));
  await assert.rejects(sync.view(path.join(root, 'nothing')), /not a readable run folder/);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /no worker script \(mappingWorker\.js\)/);
});

// Big enough that the synchronous read stands well above the timer gaps a loaded machine gives anyway (tens of ms).
test('the event loop stays responsive while a large view (3000-3000-10) is computed', async () => {
  const run = bigRun();
  // Warm: the worker started and its modules loaded, the file in the page cache.
  await views.view(smallRun('warm'));
  let t = performance.now();
  const expected = mappingViewOf(run);
  const syncMs = performance.now() - t;
  let worst = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  t = performance.now();
  let view;
  try {
    view = await views.view(run);
  } finally {
    clearInterval(timer);
  }
  const workerMs = performance.now() - t;
  console.log(`mapping view of 3000-3000-10: synchronous ${syncMs.toFixed(0)} ms on the event loop; on the worker ${workerMs.toFixed(0)} ms, worst timer gap ${worst.toFixed(1)} ms (interval 5 ms)`);
  assert.deepEqual(view, expected);
  assert.ok(worst < syncMs / 3, `worst timer gap ${worst.toFixed(1)} ms, synchronous read ${syncMs.toFixed(0)} ms`);
});
