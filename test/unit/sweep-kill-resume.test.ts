/**
 * The sweep driver with a stand-in job runner (nothing trains): a job whose
 * worker a signal killed is interrupted (its run folder too) and resumed,
 * one that exited on its own without a result is failed; a run folder its
 * worker closed says how the job ended; a run folder no job record names
 * (a worker killed before naming it) is adopted by its job on resume, any
 * other left with a warning; the Runs view judges an owner on another
 * machine by its records' last update.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { executeSweep, type JobRunner } from '../../src/engine/experiment/sweep';
import { createRunDir, FILES, HEARTBEAT_MS, OTHER_HOST_GRACE_MS, readRun, RunWriter, startRunFolder } from '../../src/engine/store/runFolder';
import { readJobRecord, readSweep, SWEEP_FILES, thisProcess, writeJobRecord, writeSweep } from '../../src/engine/store/sweepFolder';
import { liveWork, sweepPointRows } from '../../src/extension/runsModel';
import type { EngineEvent } from '../../src/engine/events';
import type { SweepRecord } from '../../src/engine/format/sweep';
import type { RunStatus } from '../../src/engine/format/run';
import { deadPid } from '../helpers/processes';
import { tmpDir } from '../helpers/files';

const config = {
  name: 'fake',
  dataset: { name: 'synthetic' },
  network: { layers: [64, 20, 4] },
  training: { epochs: 3 },
  sweep: { grid: { crossbar: [16], mode: ['original', 'pruning', 'trannsformer'] } },
};
const ELSEWHERE = `${os.hostname()}-elsewhere`;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** Completes each job (made-up figures) unless `die` says how its worker dies: then `ended` gets that reason and signal. */
function fakeRunner(ran: string[], die: Record<string, { failure: string; signal?: string; before?: (sweepDir: string) => void }> = {}): JobRunner {
  return async ({ sweepDir, jobs, progress, ended }) => {
    const rec = readSweep(sweepDir)!;
    for (const j of jobs) {
      ran.push(j.id);
      progress(j.id, 1, j.epochs, 0.5);
      const d = die[j.id];
      if (d) {
        d.before?.(sweepDir);
        ended(j.id, d.failure, d.signal);
        continue;
      }
      const priced = Object.fromEntries(
        j.pointIds.map((id) => {
          const p = rec.points.find((x) => x.id === id)!;
          return [id, { testAccuracy: 0.9, snnAccuracy: 0.9, mpes: p.crossbar, utilisation: 1, area_mm2: p.mode === 'original' ? 2 : 1, energy_uJ: 1 }];
        }),
      );
      const prev = readJobRecord(sweepDir, j.id);
      writeJobRecord(sweepDir, { jobId: j.id, status: 'completed', owner: thisProcess(), startedAt: '', runDir: prev?.runDir, priced });
      ended(j.id);
    }
  };
}

/** A run folder of `jobId`'s config in the sweep folder, its result.json saying `status`, owned by a dead process here. */
function plantRun(sweepDir: string, jobId: string, status: RunStatus, error?: string): string {
  const rec = readSweep(sweepDir)!;
  const job = rec.jobs.find((j) => j.id === jobId)!;
  const loaded = loadConfigObject(rec.raw, rec.baseDir, job.overrides);
  const w = startRunFolder(sweepDir, job.name, loaded.config);
  const pid = deadPid();
  fs.writeFileSync(path.join(w.dir, FILES.result), JSON.stringify({ ...w.result, status, pid, owner: { pid, hostname: os.hostname() }, ...(error ? { error: { message: error } } : {}) }));
  return w.dir;
}

/** A job record still "running" (its worker died without closing it), naming `runDir`. */
function runningJob(sweepDir: string, jobId: string, runDir?: string): void {
  writeJobRecord(sweepDir, { jobId, status: 'running', owner: { pid: deadPid(), hostname: os.hostname() }, startedAt: new Date().toISOString(), runDir });
}

test('a worker killed by a signal leaves its job and run folder interrupted ("killed by SIGKILL"); one that exits without a result is failed', async () => {
  const root = tmpDir();
  const loaded = loadConfigObject(config, root);
  let killedRun = '';
  let crashedRun = '';
  const out = await executeSweep({
    loaded,
    outRoot: root,
    emit: () => undefined,
    runJobs: fakeRunner([], {
      j01: { failure: 'worker exited with SIGKILL', signal: 'SIGKILL', before: (sd) => runningJob(sd, 'j01', (killedRun = plantRun(sd, 'j01', 'running'))) },
      j02: { failure: 'worker exited with code 1', before: (sd) => runningJob(sd, 'j02', (crashedRun = plantRun(sd, 'j02', 'running'))) },
    }),
  });
  const killed = readJobRecord(out.dir, 'j01')!;
  assert.equal(killed.status, 'interrupted');
  assert.equal(killed.error?.message, 'killed by SIGKILL');
  assert.equal(readRun(killedRun).result!.status, 'interrupted');
  assert.match(readRun(killedRun).result!.error!.message, /^killed by SIGKILL/);
  const crashed = readJobRecord(out.dir, 'j02')!;
  assert.equal(crashed.status, 'failed');
  assert.equal(crashed.error?.message, 'worker exited with code 1');
  assert.equal(readRun(crashedRun).result!.status, 'failed');
  // A killed training is work to resume: the sweep is interrupted, not completed with a failed point.
  assert.equal(out.status, 'interrupted');
  const again: string[] = [];
  const resumed = await executeSweep({ loaded, outRoot: root, resumeDir: out.dir, emit: () => undefined, runJobs: fakeRunner(again) });
  assert.deepEqual(again, ['j01', 'j02']);
  assert.equal(readJobRecord(out.dir, 'j01')!.runDir, killedRun, 'the killed job keeps its run folder');
  assert.equal(resumed.status, 'completed');
});

test('a job whose worker died after closing its run folder takes the run\'s status and reason', async () => {
  const root = tmpDir();
  const loaded = loadConfigObject(config, root);
  const full = 'disk full: metrics.jsonl: could not be written: no space left on device (ENOSPC)';
  const out = await executeSweep({
    loaded,
    outRoot: root,
    emit: () => undefined,
    runJobs: fakeRunner([], { j00: { failure: 'worker exited with code 1', before: (sd) => runningJob(sd, 'j00', plantRun(sd, 'j00', 'interrupted', full)) } }),
  });
  const j = readJobRecord(out.dir, 'j00')!;
  assert.equal(j.status, 'interrupted');
  assert.equal(j.error?.message, full);
});

test('on resume, a run folder no job record names is adopted by its job (not completed, no folder of its own); others are left with a warning; dead staging folders go', async () => {
  const root = tmpDir();
  const loaded = loadConfigObject(config, root);
  // The first sweep: j00 completes with its folder, then the sweep is killed while j01's and j02's workers start.
  const first = await executeSweep({
    loaded,
    outRoot: root,
    emit: () => undefined,
    runJobs: async (ctx) => fakeRunner([])({ ...ctx, jobs: ctx.jobs.slice(0, 1) }),
  });
  const sd = first.dir;
  const j00Run = plantRun(sd, 'j00', 'completed');
  writeJobRecord(sd, { ...readJobRecord(sd, 'j00')!, runDir: j00Run });
  const rec: SweepRecord = { ...readSweep(sd)!, status: 'running', owner: { pid: deadPid(), hostname: os.hostname() } };
  writeSweep(sd, rec);
  // j01's worker made its folder and was killed before naming it (no job record at all); j02's record is running, unnamed.
  const orphan1 = plantRun(sd, 'j01', 'running');
  const orphan2 = plantRun(sd, 'j02', 'running');
  runningJob(sd, 'j02');
  // A copy of j00's training (j00 completed in its own folder), a folder of no job of this sweep, and one still owned by a live process: left as they are.
  const copy = plantRun(sd, 'j00', 'interrupted');
  const { sweep: _sweep, ...single } = config;
  const live = startRunFolder(sd, 'someone-else', loadConfigObject({ ...single, name: 'someone-else' }, root).config).dir;
  const strangerWriter = startRunFolder(sd, 'stranger', loadConfigObject({ ...single, name: 'stranger' }, root).config);
  const stranger = strangerWriter.dir;
  fs.writeFileSync(path.join(stranger, FILES.result), JSON.stringify({ ...strangerWriter.result, status: 'interrupted' }));
  const staging = path.join(sd, `.staging-${deadPid()}-abc`);
  fs.mkdirSync(staging);
  const events: EngineEvent[] = [];
  const seen = new Map<string, string | undefined>();
  const runner: JobRunner = async (ctx) => {
    for (const j of ctx.jobs) seen.set(j.id, readJobRecord(ctx.sweepDir, j.id)?.runDir);
    return fakeRunner([])(ctx);
  };
  const out = await executeSweep({ loaded, outRoot: root, resumeDir: sd, emit: (e) => events.push(e), runJobs: runner });
  assert.equal(out.status, 'completed');
  assert.deepEqual([...seen.entries()], [['j01', orphan1], ['j02', orphan2]], 'each job continues in the folder its killed worker made');
  for (const [id, dir] of [['j01', orphan1], ['j02', orphan2]] as const) {
    assert.equal(readJobRecord(sd, id)!.runDir, dir);
    assert.equal(readRun(dir).result!.status, 'interrupted', `${id}'s adopted folder is closed as interrupted until it runs`);
  }
  assert.equal(readJobRecord(sd, 'j00')!.runDir, j00Run);
  assert.ok(fs.existsSync(copy) && fs.existsSync(stranger) && fs.existsSync(live), 'folders that may hold work are never deleted');
  const warnings = events.filter((e): e is Extract<EngineEvent, { type: 'log' }> => e.type === 'log' && e.level === 'warning').map((e) => e.message);
  assert.deepEqual(warnings.sort(), [
    `${path.basename(copy)}: a run folder no job record names (a copy of j00's training); left as it is`,
    `${path.basename(live)}: a run folder no job record names (still running in process ${process.pid}); left as it is`,
    `${path.basename(stranger)}: a run folder no job record names (no training of this sweep); left as it is`,
  ].sort());
  assert.ok(!fs.existsSync(staging), 'the dead worker\'s staging folder is removed');
});

test('Runs view: a job or sweep owned on another machine counts as running only while its records were updated within OTHER_HOST_GRACE_MS', async () => {
  const root = tmpDir();
  const loaded = loadConfigObject(config, root);
  const out = await executeSweep({ loaded, outRoot: root, emit: () => undefined, runJobs: async () => undefined });
  const sd = out.dir;
  const owner = { pid: 4242, hostname: ELSEWHERE };
  const run = plantRun(sd, 'j00', 'running');
  const plant = (startedAt: string, runUpdatedAt: string, sweepUpdatedAt: string) => {
    writeJobRecord(sd, { jobId: 'j00', status: 'running', owner, startedAt, runDir: run });
    fs.writeFileSync(path.join(run, FILES.result), JSON.stringify({ ...readRun(run).result!, owner, pid: owner.pid, updatedAt: runUpdatedAt }));
    // Written as it is (writeSweep stamps the time of writing).
    fs.writeFileSync(path.join(sd, SWEEP_FILES.sweep), JSON.stringify({ ...readSweep(sd)!, status: 'running', owner, updatedAt: sweepUpdatedAt }));
  };
  const state = () => sweepPointRows(sd).find((p) => p.id === 'p0')!.state;
  const old = ago(OTHER_HOST_GRACE_MS + 60_000);
  // A dead Slurm node: nothing updated for longer than the grace.
  plant(old, old, old);
  assert.equal(state(), 'interrupted');
  assert.equal(liveWork(sd), undefined);
  // Its run wrote result.json a minute ago (an epoch ended): alive, and so is the sweep it belongs to.
  plant(old, ago(60_000), old);
  assert.equal(state(), 'running');
  assert.match(String(liveWork(sd)), /the sweep is still running \(process 4242\)/);
  // Just started (no run folder update yet): alive by its start time.
  plant(ago(60_000), old, old);
  assert.equal(state(), 'running');
  // The sweep record itself updated recently, its job long dead: the sweep still counts as running.
  plant(old, old, ago(60_000));
  assert.equal(state(), 'interrupted');
  assert.match(String(liveWork(sd)), /the sweep is still running/);
});

test('a training run rewrites result.json within an epoch every HEARTBEAT_MS, far below the grace: a long epoch elsewhere stays alive', async () => {
  assert.ok(HEARTBEAT_MS * 10 <= OTHER_HOST_GRACE_MS);
  const { sweep: _sweep, ...single } = config;
  const dir = createRunDir(tmpDir(), 'beat');
  const w = new RunWriter(dir, loadConfigObject(single).config);
  const first = readRun(dir).result!.updatedAt;
  await new Promise((r) => setTimeout(r, 5));
  w.heartbeat();
  assert.equal(readRun(dir).result!.updatedAt, first, 'just written: no write');
  w.heartbeat(Date.now() + HEARTBEAT_MS);
  assert.ok(Date.parse(readRun(dir).result!.updatedAt) > Date.parse(first), 'rewritten after HEARTBEAT_MS');
});
