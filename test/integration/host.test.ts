/** Host logic of the extension (no VS Code needed): background sessions of the built engine CLI. */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunSession, type SessionOptions } from '../../src/extension/runSession';
import { SessionManager } from '../../src/extension/sessionManager';
import { readRun, readMetrics } from '../../src/engine/store/runFolder';
import type { EngineEvent } from '../../src/engine/events';
import { tmpDir } from '../helpers/files';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

function options(configFile: string, out: string, extra: Partial<SessionOptions> = {}): SessionOptions {
  return { kind: 'run', configFile, outRoot: out, cliPath: CLI, cwd: path.dirname(configFile), graceMs: 5000, ...extra };
}

function synthetic(dir: string, epochs: number, trainSize: number): string {
  const f = path.join(dir, 'long.trannsformer.json');
  fs.writeFileSync(
    f,
    JSON.stringify({
      name: 'long',
      dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize, testSize: 200, noise: 0.3 } },
      network: { layers: [48, 40, 5] },
      training: { epochs, batchSize: 50, learningRate: 0.1 },
      hardware: { evaluate: false },
      backend: 'wasm',
    }),
  );
  return f;
}

describe('a background run session', () => {
  test('launches the quick config: events arrive, the run completes, the folder says so', async () => {
    const out = tmpDir();
    const s = new RunSession(options(path.join(ROOT, 'examples', 'quick-mnist.trannsformer.json'), out, { extraArgs: ['--epochs', '1'] }));
    const events: EngineEvent[] = [];
    s.on('event', (e: EngineEvent) => events.push(e));
    assert.deepEqual(s.commandLine().slice(1, 4), [CLI, 'run', path.join(ROOT, 'examples', 'quick-mnist.trannsformer.json')]);
    const exit = await s.start().done;
    assert.equal(exit.state, 'completed', exit.error);
    assert.equal(s.state, 'completed');
    const types = new Set(events.map((e) => e.type));
    for (const t of ['started', 'progress', 'epoch', 'finished']) assert.ok(types.has(t as EngineEvent['type']), `${t} event`);
    assert.equal(s.runDirs.length, 1);
    assert.equal(s.lastEpoch?.epoch, 1);
    assert.ok(s.lastProgress && s.lastProgress.batches === 150);
    const rec = readRun(s.runDirs[0]);
    assert.equal(rec.result!.status, 'completed');
    assert.ok(rec.result!.final!.testAccuracy > 0.85);
  });

  test('cancel stops within seconds and leaves the folder interrupted with its metrics', async () => {
    const dir = tmpDir();
    const s = new RunSession(options(synthetic(dir, 500, 20000), path.join(dir, 'runs')));
    let cancelledAt = 0;
    s.on('event', (e: EngineEvent) => {
      if (e.type === 'epoch' && e.metrics.epoch === 2) {
        cancelledAt = Date.now();
        s.cancel();
      }
    });
    const exit = await s.start().done;
    assert.equal(exit.state, 'interrupted');
    assert.ok(Date.now() - cancelledAt < 5000, `stopped ${Date.now() - cancelledAt} ms after cancel`);
    const rec = readRun(s.runDirs[0]);
    assert.equal(rec.result!.status, 'interrupted');
    assert.equal(readMetrics(s.runDirs[0]).metrics.length, rec.result!.epochsCompleted);
  });

  test('a crash (the engine killed) is reported as failed and the folder is marked failed', async () => {
    const dir = tmpDir();
    const s = new RunSession(options(synthetic(dir, 500, 20000), path.join(dir, 'runs')));
    s.on('event', (e: EngineEvent) => {
      if (e.type === 'epoch' && e.metrics.epoch === 1) process.kill(s.pid!, 'SIGKILL');
    });
    const exit = await s.start().done;
    assert.equal(exit.state, 'failed');
    assert.match(exit.error!, /killed \(SIGKILL\)/);
    const rec = readRun(s.runDirs[0]);
    assert.equal(rec.result!.status, 'failed');
    assert.match(rec.result!.error!.message, /exited without closing the run/);
  });

  test('a bad config fails with the engine\'s message and no run folder', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'bad.trannsformer.json');
    fs.writeFileSync(f, JSON.stringify({ dataset: { name: 'mnist' }, network: { layers: [100, 10] }, training: { epochs: 1 } }));
    const exit = await new RunSession(options(f, path.join(dir, 'runs'))).start().done;
    assert.equal(exit.state, 'failed');
    assert.match(exit.error!, /network\.layers\[0\]: is 100, but dataset "mnist" has 784 inputs/);
    assert.equal(fs.existsSync(path.join(dir, 'runs')), false);
  });

  test('a missing node executable is a clear failure', async () => {
    const dir = tmpDir();
    const exit = await new RunSession(options(synthetic(dir, 1, 100), dir, { nodePath: path.join(dir, 'no-node') })).start().done;
    assert.equal(exit.state, 'failed');
    assert.match(exit.error!, /could not start .*no-node/);
  });
});

describe('the session manager', () => {
  test('runs at most N at once, queues the rest, and cancels all (queued ones never start)', async () => {
    const dir = tmpDir();
    const f = synthetic(dir, 500, 20000);
    const m = new SessionManager(() => 1);
    const a = m.submit(options(f, path.join(dir, 'a')));
    const b = m.submit(options(f, path.join(dir, 'b')));
    assert.equal(m.active.length, 1);
    assert.equal(b.state, 'queued');
    await new Promise<void>((resolve) => a.on('event', (e: EngineEvent) => e.type === 'epoch' && resolve()));
    await m.cancelAll();
    assert.equal(a.state, 'interrupted');
    assert.equal(b.state, 'interrupted');
    assert.equal(b.pid, undefined, 'the queued run never started');
    assert.equal(m.sessions.length, 0);
  });
});
