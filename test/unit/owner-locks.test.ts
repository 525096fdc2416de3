/** Owners of run folders, sweeps and resume locks: pid, host and process start time; another machine's owner has a grace, then counts as gone; --force. */
import { test, mock } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
// The module object itself (the namespace import's properties cannot be replaced): what the store calls.
import fsModule from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRunDir, FILES, OTHER_HOST_GRACE_MS, ownerAlive, ownerState, readRun, RunWriter, writeFileAtomic } from '../../src/engine/store/runFolder';
import { readJobRecord, readSweep, sweepOwnerAlive, thisProcess, writeJobRecord } from '../../src/engine/store/sweepFolder';
import { executeSweep, type JobRunner } from '../../src/engine/experiment/sweep';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { resumableConfig, resumeRun } from '../../src/engine/experiment/resume';
import { validateConfig } from '../../src/engine/config/validate';
import { main, parseArgs } from '../../src/cli';
import { tmpDir } from '../helpers/files';

const config = () => validateConfig({ name: 't', dataset: { name: 'synthetic' }, network: { layers: [64, 4] }, training: { epochs: 2 } }).config!;
const ELSEWHERE = `${os.hostname()}-elsewhere`;
const NO_PID = 0x7ffffff0;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const hasProc = fs.existsSync(`/proc/${process.pid}/stat`);

/** A run folder whose result.json says `status`, owned by `owner`, last updated at `updatedAt`. */
function runFolder(status: 'running' | 'completed', owner: { pid: number; hostname?: string; startTime?: string }, updatedAt = new Date().toISOString()): string {
  const dir = createRunDir(tmpDir(), 'owned');
  const w = new RunWriter(dir, config());
  fs.writeFileSync(path.join(dir, FILES.result), JSON.stringify({ ...w.result, status, pid: owner.pid, owner, updatedAt }));
  return dir;
}

const lock = (dir: string, v: object) => fs.writeFileSync(path.join(dir, '.resume.lock'), JSON.stringify(v));
const resume = (dir: string, force = false) => resumeRun({ dir, emit: () => undefined, force });

test('an owner on another machine is unknown within the grace, gone after it or with force; here, a reused pid is gone', () => {
  const remote = (updatedAt?: string) => ({ pid: NO_PID, owner: { pid: NO_PID, hostname: ELSEWHERE }, updatedAt });
  assert.equal(ownerState(remote(ago(60_000))), 'unknown');
  assert.equal(ownerAlive(remote(ago(60_000))), true);
  assert.equal(ownerAlive(remote(ago(60_000)), { force: true }), false);
  assert.equal(ownerState(remote(ago(OTHER_HOST_GRACE_MS + 60_000))), 'gone');
  assert.equal(ownerState(remote(undefined)), 'gone');
  assert.equal(ownerState(remote('not a date')), 'gone');
  // Here: alive, dead, or a pid now held by another process (its start time differs); force never overrides what can be checked.
  assert.equal(ownerState({ pid: process.pid, owner: { pid: process.pid, hostname: os.hostname() } }), 'alive');
  assert.equal(ownerAlive({ pid: process.pid, owner: { pid: process.pid, hostname: os.hostname() } }, { force: true }), true);
  assert.equal(ownerState({ pid: NO_PID, owner: { pid: NO_PID, hostname: os.hostname() } }), 'gone');
  if (hasProc) assert.equal(ownerState({ pid: process.ppid, owner: { pid: process.ppid, hostname: os.hostname(), startTime: '1' } }), 'gone');
  // A sweep's or job's owner: judged by the last sign of life it is given.
  const owner = { pid: NO_PID, hostname: ELSEWHERE };
  assert.equal(sweepOwnerAlive(owner, { updatedAt: ago(OTHER_HOST_GRACE_MS + 1000) }), false);
  assert.equal(sweepOwnerAlive(owner, { updatedAt: ago(1000) }), true);
  assert.equal(sweepOwnerAlive(owner, { updatedAt: ago(1000), force: true }), false);
});

test('resuming a run owned on another machine: refused within the grace naming host and --force; taken over after it or with --force', () => {
  const fresh = runFolder('running', { pid: NO_PID, hostname: ELSEWHERE });
  assert.throws(
    () => resumableConfig(fresh),
    (e: Error) => new RegExp(`still running \\(process ${NO_PID} on host ${ELSEWHERE} \\(last update .*\\)\\).*add --force`).test(e.message),
  );
  assert.equal(readRun(fresh).result!.status, 'running');
  assert.equal(resumableConfig(fresh, [], { force: true }).config.name, 't');
  assert.equal(readRun(fresh).result!.status, 'interrupted');
  const old = runFolder('running', { pid: NO_PID, hostname: ELSEWHERE }, ago(OTHER_HOST_GRACE_MS + 60_000));
  assert.equal(resumableConfig(old).config.name, 't');
  assert.equal(readRun(old).result!.status, 'interrupted');
});

test('the resume lock holds pid, host and start time: a reused pid or a silent other machine does not block; a live one is refused', async () => {
  // A completed run: a resume that gets past the lock stops at "already completed", leaving the folder as it was.
  const taken = /already completed/;
  const dir = runFolder('completed', { pid: NO_PID, hostname: os.hostname() });
  await assert.rejects(resume(dir), taken);
  assert.equal(fs.existsSync(path.join(dir, '.resume.lock')), false, 'the lock is released');
  const mine = JSON.parse(JSON.stringify({ pid: process.pid, hostname: os.hostname() }));
  // The lock a resume writes names this process as readers check it.
  const seen: unknown[] = [];
  const writeFileSync = fsModule.writeFileSync;
  const spy = mock.method(fsModule, 'writeFileSync', function (this: unknown, file: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, o?: fs.WriteFileOptions) {
    if (String(file).endsWith('.resume.lock')) seen.push(JSON.parse(String(data)));
    return writeFileSync.call(this, file, data, o);
  });
  try {
    await assert.rejects(resume(dir), taken);
  } finally {
    spy.mock.restore();
  }
  assert.equal(seen.length, 1);
  assert.deepEqual({ pid: (seen[0] as { pid: number }).pid, hostname: (seen[0] as { hostname: string }).hostname }, mine);
  assert.ok(Number.isFinite(Date.parse((seen[0] as { at: string }).at)));
  if (hasProc) {
    assert.equal(typeof (seen[0] as { startTime?: unknown }).startTime, 'string');
    // The parent process is alive, but the lock's start time is not its: the pid was reused, the lock is stale.
    lock(dir, { pid: process.ppid, hostname: os.hostname(), startTime: '1', at: new Date().toISOString() });
    await assert.rejects(resume(dir), taken);
    // The parent with its own start time holds the lock for real.
    const stat = fs.readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    lock(dir, { pid: process.ppid, hostname: os.hostname(), startTime: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19], at: new Date().toISOString() });
    await assert.rejects(resume(dir), new RegExp(`is being resumed by process ${process.ppid}$`));
  }
  // Another machine's lock: refused while it (or result.json) shows life, with the way out; taken with --force.
  lock(dir, { pid: NO_PID, hostname: ELSEWHERE, at: new Date().toISOString() });
  await assert.rejects(resume(dir), new RegExp(`is being resumed by process ${NO_PID} on host ${ELSEWHERE} .*add --force`));
  await assert.rejects(resume(dir, true), taken);
  // …and taken after the grace, when neither the lock nor result.json was touched since.
  const silent = runFolder('completed', { pid: NO_PID, hostname: ELSEWHERE }, ago(OTHER_HOST_GRACE_MS + 60_000));
  lock(silent, { pid: NO_PID, hostname: ELSEWHERE, at: ago(OTHER_HOST_GRACE_MS + 60_000) });
  await assert.rejects(resume(silent), taken);
  // A damaged lock is taken over.
  lock(silent, { pid: 'x' });
  await assert.rejects(resume(silent), taken);
});

test('the CLI: --force for resume and sweep --resume only', async () => {
  assert.equal(parseArgs(['resume', 'some-run', '--force']).flags.get('force'), true);
  const dir = tmpDir();
  const cfg = path.join(dir, 's.trannsformer.json');
  fs.writeFileSync(cfg, JSON.stringify({ name: 's', dataset: { name: 'synthetic' }, network: { layers: [64, 4] }, training: { epochs: 1 }, sweep: { grid: { crossbar: [16, 32] } } }));
  await assert.rejects(main(['sweep', cfg, '--out', dir, '--force']), (e: Error & { where?: string }) => e.where === '--force' && /--resume DIR --force/.test(e.message));
});

test('the atomic writer flushes the folder after the rename; a file system that refuses (EINVAL) still gets the file', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'x.json');
  const opened = new Map<number, string>();
  const openSync = fsModule.openSync;
  const fsyncSync = fsModule.fsyncSync;
  const open = mock.method(fsModule, 'openSync', function (this: unknown, p: fs.PathLike, ...rest: unknown[]) {
    const fd = (openSync as (...a: unknown[]) => number).call(this, p, ...rest);
    opened.set(fd, String(p));
    return fd;
  });
  const synced: string[] = [];
  let refuse = false;
  const fsync = mock.method(fsModule, 'fsyncSync', function (this: unknown, fd: number) {
    const what = opened.get(fd) ?? '?';
    synced.push(what);
    if (refuse && what === dir) throw Object.assign(new Error('EINVAL: invalid argument, fsync'), { code: 'EINVAL' });
    return fsyncSync.call(this, fd);
  });
  try {
    writeFileAtomic(file, 'one');
    assert.equal(synced.length, 2, synced.join(', '));
    assert.match(synced[0], /x\.json\.tmp-/);
    assert.equal(synced[1], dir);
    refuse = true;
    writeFileAtomic(file, 'two');
  } finally {
    open.mock.restore();
    fsync.mock.restore();
  }
  assert.equal(fs.readFileSync(file, 'utf8'), 'two');
  assert.deepEqual(fs.readdirSync(dir), ['x.json']);
});

/** Completes every job with made-up figures (nothing trains); stops after `stopAfter` jobs. */
function fakeJobs(ran: string[], stopAfter = Infinity): JobRunner {
  return async ({ sweepDir, jobs, ended }) => {
    const rec = readSweep(sweepDir)!;
    for (const j of jobs) {
      if (ran.length >= stopAfter) return;
      ran.push(j.id);
      const fig = { testAccuracy: 0.9, snnAccuracy: 0.9, mpes: 1, utilisation: 1, area_mm2: 1, energy_uJ: 1 };
      writeJobRecord(sweepDir, { jobId: j.id, status: 'completed', owner: thisProcess(), startedAt: '', priced: Object.fromEntries(j.pointIds.filter((id) => rec.points.some((p) => p.id === id)).map((id) => [id, fig])) });
      ended(j.id);
    }
  };
}

test('resuming a sweep driven from another machine: refused while it shows life, naming --force; taken over with --force or after the grace', async () => {
  const sweepConfig = { name: 'fake', dataset: { name: 'synthetic' }, network: { layers: [64, 20, 4] }, training: { epochs: 3 }, sweep: { grid: { crossbar: [16, 32], mode: ['original', 'pruning'] } } };
  const root = tmpDir();
  const loaded = loadConfigObject(sweepConfig, root);
  const stopped = await executeSweep({ loaded, outRoot: root, emit: () => undefined, runJobs: fakeJobs([], 1) });
  const dir = stopped.dir;
  const remote = { pid: NO_PID, hostname: ELSEWHERE };
  // As a driver on a dead node leaves it: the sweep and one training "running" there.
  const leave = (at: string) => {
    const rec = readSweep(dir)!;
    fs.writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ ...rec, status: 'running', owner: remote, updatedAt: at }));
    writeJobRecord(dir, { jobId: 'j01', status: 'running', owner: remote, startedAt: at });
  };
  const again = (force?: boolean) => executeSweep({ loaded, outRoot: root, resumeDir: dir, force, emit: () => undefined, runJobs: fakeJobs([]) });
  leave(new Date().toISOString());
  await assert.rejects(again(), new RegExp(`is being run by process ${NO_PID} on host ${ELSEWHERE} .*add --force`));
  assert.equal(readJobRecord(dir, 'j01')!.status, 'running', 'a refused resume changes nothing');
  assert.equal((await again(true)).status, 'completed');
  leave(ago(OTHER_HOST_GRACE_MS + 60_000));
  assert.equal((await again()).status, 'completed');
  // Only a training left "running" on a node silent for longer than the grace: closed as interrupted and run again, no wait.
  const rec = readSweep(dir)!;
  fs.writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ ...rec, status: 'interrupted', owner: thisProcess() }));
  writeJobRecord(dir, { jobId: 'j01', status: 'running', owner: remote, startedAt: ago(OTHER_HOST_GRACE_MS + 60_000) });
  const t0 = Date.now();
  assert.equal((await again()).status, 'completed');
  assert.ok(Date.now() - t0 < 10_000, 'not waited for');
  assert.equal(readJobRecord(dir, 'j01')!.status, 'completed');
});
