/**
 * The concurrent-run limit and "nothing started twice" across two windows:
 * two SessionManager instances (two extension hosts) on one runs folder,
 * each with its own claims, running a stand-in engine (a script that
 * behaves like the CLI's process: runs until done or SIGTERM).
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionManager } from '../../src/extension/sessionManager';
import { isClaimFile, keyFile, RunClaims, slotFile } from '../../src/extension/runClaims';
import type { RunSession, SessionOptions } from '../../src/extension/runSession';
import { tmpDir } from '../helpers/files';
import { deadPid } from '../helpers/processes';

/** A stand-in engine: says one log event, then runs `ms` (or until SIGTERM: exit 130, as the CLI does). */
function fakeEngine(dir: string, ms: number): string {
  const f = path.join(dir, `engine-${ms}.js`);
  fs.writeFileSync(f, `process.stdout.write(JSON.stringify({ type: 'log', level: 'info', message: 'fake engine' }) + '\\n');
process.on('SIGTERM', () => process.exit(130));
setTimeout(() => process.exit(0), ${ms});\n`);
  return f;
}

function options(dir: string, outRoot: string, ms: number, extra: Partial<SessionOptions> = {}): SessionOptions {
  return { kind: 'run', configFile: path.join(dir, 'x.trannsformer.json'), outRoot, cliPath: fakeEngine(dir, ms), cwd: dir, graceMs: 2000, ...extra };
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}


/** Two "windows": each its own claims (own token, same liveness check). */
const windows = (limit: number) => [new SessionManager(() => limit, { pollMs: 50 }), new SessionManager(() => limit, { pollMs: 50 })];

describe('run claims across windows', () => {
  test('window B waits while window A holds the only slot, and starts when A’s run ends', async () => {
    const dir = tmpDir();
    const root = path.join(dir, 'runs');
    const [A, B] = windows(1);
    const a = A.submit(options(dir, root, 30_000));
    assert.equal(a.state, 'starting');
    const b = B.submit(options(dir, root, 30_000));
    assert.equal(b.state, 'queued', 'the slot is held by the other window');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(b.state, 'queued', 'still waiting after several polls');
    assert.equal(b.pid, undefined);
    a.cancel();
    assert.equal((await a.done).state, 'interrupted');
    await until('B to start', () => b.pid !== undefined);
    await Promise.all([A.cancelAll(), B.cancelAll()]);
    assert.deepEqual(fs.readdirSync(root).filter(isClaimFile), [], 'every claim is given back');
  });

  test('with a limit of 2, six runs over two windows: never more than 2 at once, each started exactly once', async () => {
    const dir = tmpDir();
    const root = path.join(dir, 'runs');
    const [A, B] = windows(2);
    let running = 0;
    let most = 0;
    const starts = new Map<RunSession, number>();
    for (const m of [A, B])
      m.on('started', (s: RunSession) => {
        starts.set(s, (starts.get(s) ?? 0) + 1);
        running++;
        most = Math.max(most, running);
        s.once('exit', () => running--); // the process has exited (the manager frees its slot after this)
      });
    const all = [A, B, A, B, A, B].map((m) => m.submit(options(dir, root, 300)));
    const exits = await Promise.race([Promise.all(all.map((s) => s.done)), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('runs did not finish')), 20_000))]);
    assert.equal(exits.length, 6);
    assert.equal(most, 2, 'at most two at once across both windows');
    assert.deepEqual([...starts.values()], [1, 1, 1, 1, 1, 1], 'each run started once');
    assert.equal(starts.size, 6);
    for (const s of all) assert.equal(s.start(), s, 'start() on an ended session does nothing');
  });

  test('a claim left by a dead window is taken over; an unreadable fresh one is respected', async () => {
    const dir = tmpDir();
    const root = path.join(dir, 'runs');
    const dead = new RunClaims({ pid: deadPid(), hostname: os.hostname() });
    const stale = dead.trySlot(root, 1, 'window that crashed');
    assert.ok(stale);
    const [A] = windows(1);
    const a = A.submit(options(dir, root, 30_000));
    assert.equal(a.state, 'starting', 'the stale slot was taken over');
    const now = JSON.parse(fs.readFileSync(slotFile(root, 0), 'utf8')) as { token: string; owner: { pid: number } };
    assert.notEqual(now.token, stale.token);
    assert.equal(now.owner.pid, process.pid);
    dead.release(stale); // the dead window's token no longer matches: A's claim stays
    assert.ok(fs.existsSync(slotFile(root, 0)));
    await A.cancelAll();
    // A claim being written (empty, fresh) counts as held.
    fs.writeFileSync(slotFile(root, 0), '');
    assert.equal(new RunClaims().trySlot(root, 1, 'x'), undefined);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(slotFile(root, 0), old, old);
    assert.ok(new RunClaims().trySlot(root, 1, 'x'), 'an unreadable claim a minute old is stale');
  });

  test('an exclusive key (a run folder being resumed) is refused in the other window while held, free after', async () => {
    const dir = tmpDir();
    const root = path.join(dir, 'runs');
    const [A, B] = windows(2);
    const key = path.join(root, '20261127-000000-x');
    const a = A.submit(options(dir, root, 30_000, { exclusiveKey: key }));
    assert.equal(a.state, 'starting');
    const b = B.submit(options(dir, root, 30_000, { exclusiveKey: key }));
    const exit = await b.done;
    assert.equal(exit.state, 'failed');
    assert.match(exit.error ?? '', /20261127-000000-x is already running or queued \(run x\.trannsformer\.json, process \d+/);
    assert.equal(b.pid, undefined, 'never started');
    assert.ok(fs.existsSync(keyFile(root, key)));
    await A.cancelAll();
    assert.equal(fs.existsSync(keyFile(root, key)), false, 'released when the session ends');
    const c = B.submit(options(dir, root, 30_000, { exclusiveKey: key }));
    assert.equal(c.state, 'starting');
    await B.cancelAll();
  });

  test('a runs folder that cannot hold claims: the window’s own limit still applies', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'not-a-folder');
    fs.writeFileSync(file, '');
    const [A] = windows(1);
    const a = A.submit(options(dir, path.join(file, 'runs'), 30_000));
    const b = A.submit(options(dir, path.join(file, 'runs'), 30_000));
    assert.equal(a.state, 'starting');
    assert.equal(b.state, 'queued');
    await A.cancelAll();
  });
});

describe('claim files from a cloned repository', () => {
  test('a FIFO or a link to /dev/zero named like a claim is unreadable, never read: no hang, no memory growth, taken over once old', () => {
    const root = tmpDir('claims-hostile-');
    const fifo = slotFile(root, 0);
    const zero = slotFile(root, 1);
    execFileSync('mkfifo', [fifo]);
    fs.symlinkSync('/dev/zero', zero);
    const claims = new RunClaims();
    const t0 = Date.now();
    const before = process.memoryUsage().rss;
    // Young and unreadable: counted as being written, so held.
    assert.equal(claims.holder(fifo), undefined);
    assert.equal(claims.tryClaim(fifo, 'x'), undefined);
    // Old and unreadable: stale, taken over.
    const old = new Date(Date.now() - 60_000);
    fs.lutimesSync(fifo, old, old);
    assert.ok(claims.tryClaim(fifo, 'x'), 'an old FIFO claim is taken over');
    // The link's age is its target's (/dev/zero: old): taken over without a byte read.
    assert.ok(claims.tryClaim(zero, 'x'), 'a link to /dev/zero is taken over');
    assert.ok(Date.now() - t0 < 5000, 'bounded in time');
    assert.ok(process.memoryUsage().rss - before < 256 * 2 ** 20, 'bounded in memory');
    assert.ok(fs.statSync(fifo).isFile() && !fs.lstatSync(zero).isSymbolicLink(), 'the claims are regular files now');
  });
});
