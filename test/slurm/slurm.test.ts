/**
 * `trannsformer sweep --executor slurm` on a real Slurm cluster
 * (`scripts/slurm-cluster.sh start`: one node on loopback, 2 CPUs). Skipped
 * where `sbatch` is missing or no cluster answers; `.ci/run` starts one.
 * `npm run test:slurm` builds dist/cli.js first.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import type { EngineEvent } from '../../src/engine/events';
import { readRun } from '../../src/engine/store/runFolder';
import { readFront, readJobRecord, readSweep } from '../../src/engine/store/sweepFolder';
import { describeSlurmFailure, liveSubmissions, runSlurmArray, slurmDir, type SlurmExit } from '../../src/runner/slurm';
import { sweepPointRows } from '../../src/extension/runsModel';
import { tmpDir } from '../helpers/files';
import { startSweep, sweepFolder, untimed, writeSweepConfig } from '../helpers/sweep';
import type { SweepFront } from '../../src/engine/format/sweep';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const QUICK = path.join(ROOT, 'examples', 'sweep-quick.trannsformer.json');

// The cluster of scripts/slurm-cluster.sh, unless SLURM_CONF names another.
if (!process.env.SLURM_CONF && fs.existsSync('/tmp/trannsformer-slurm/slurm.conf')) process.env.SLURM_CONF = '/tmp/trannsformer-slurm/slurm.conf';

function clusterProblem(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' });
  if (which.status !== 0) return 'sbatch is not installed';
  const s = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 20_000 });
  if (s.status !== 0) return `no Slurm cluster answers (sinfo: ${(s.stderr || s.error?.message || '').trim().split('\n')[0]})`;
  if (!/idle|mix|alloc/.test(s.stdout)) return `no node is up (sinfo: ${s.stdout.trim()})`;
  return undefined;
}
const skip = clusterProblem();
const slurmTest = (name: string, fn: () => Promise<void>, timeout = 600_000) => test(name, { skip, timeout }, fn);

const synth = {
  name: 'synth',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 3000, testSize: 300, noise: 0.3 } },
  network: { layers: [48, 40, 5], init: { distribution: 'he' } },
  training: { epochs: 6, batchSize: 50, learningRate: 0.1, seed: 3 },
  transform: { clusterStart: 2 },
  hardware: { snnImages: 150, timesteps: 40 },
  backend: 'wasm',
  sweep: { grid: { crossbar: [16, 32], mode: ['original', 'pruning', 'trannsformer'], preset: ['resparc-45nm', 'puma-32nm'] }, accuracyLossLimit: 0.02 },
};

const setup = (config: object = synth) => writeSweepConfig(config, undefined, 'trn-slurm-');

/** A run folder's name without its time stamp ("original-x16-j00"). */
const unstamped = (p: string) => path.basename(p).replace(/^\d{8}-\d{6}(-\d+)?-/, '');

/** What must not depend on the executor: per point status, figures, rank, loss, training; the front; the recommendation. */
function essence(f: SweepFront) {
  return {
    points: f.points.map((p) => ({ id: p.id, jobId: p.jobId, status: p.status, figures: untimed(p.figures), rank: p.rank, accuracyLoss: p.accuracyLoss, repriced: p.repriced, run: p.runDir && unstamped(p.runDir) })),
    front: f.front,
    recommended: f.recommended,
    done: f.done,
  };
}

/** points.csv with the run folders' paths reduced to their unstamped names. */
function csv(dir: string): string {
  const lines = fs.readFileSync(path.join(dir, 'points.csv'), 'utf8').split('\n');
  // The training time is wall-clock: blank its column (train_s; no axis or figure holds a comma here).
  const at = lines[0].split(',').indexOf('train_s');
  return lines
    .map((line, i) => (i > 0 && at >= 0 && line ? line.split(',').map((c, k) => (k === at ? '' : c)).join(',') : line))
    .map((line) => line.replace(/[^,]*\/\d{8}-\d{6}(-\d+)?-([^,/]+)(?=,)/, '$2'))
    .join('\n');
}

/** Every file of a sweep folder (run folders unstamped), but the Slurm executor's own slurm/ folder. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n);
      const r = rel ? `${rel}/${unstamped(n)}` : /^\d{8}-\d{6}/.test(n) ? unstamped(n) : n;
      if (!rel && n === 'slurm') continue;
      if (fs.statSync(p).isDirectory()) walk(p, r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}


const logs = (events: EngineEvent[]) => events.filter((e): e is Extract<EngineEvent, { type: 'log' }> => e.type === 'log').map((e) => e.message);

function queued(ids: string[]): string[] {
  const q = spawnSync('squeue', ['-h', '-r', '-j', ids.join(','), '-o', '%i %T'], { encoding: 'utf8', timeout: 30_000 });
  return q.stdout.split('\n').filter((l) => l.trim());
}

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(() => {
  if (!skip) assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run "npm run build" (npm run test:slurm does)');
});

slurmTest('the executor: arrays, afterok dependencies, a failed task with its Slurm state and log, a dependent that never runs', async () => {
  const dir = tmpDir('trn-slurm-');
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  // Each task writes when it starts and ends; "bad" fails with exit 3.
  const script = `echo "start $(date +%s%N)" > ${out}/$1; case "$1" in bad) echo "boom from $1" >&2; exit 3;; a) sleep 2;; esac; echo "end $(date +%s%N)" >> ${out}/$1`;
  const exits = new Map<string, SlurmExit>();
  const started: string[] = [];
  const t0 = Date.now();
  await runSlurmArray(
    [{ id: 'a' }, { id: 'bad' }, { id: 'b', after: ['a'] }, { id: 'c', after: ['bad'] }],
    {
      dir,
      jobName: 'trn-test-deps',
      command: '/bin/sh',
      argsBefore: ['-c', script, 'sh'],
      argsAfter: [],
      cwd: dir,
      resources: { cpus: 1, maxConcurrent: 2 },
      poll: { firstMs: 300, factor: 1.5, maxMs: 2000 },
      onStart: (id) => started.push(id),
      onExit: (id, x) => exits.set(id, x),
    },
  );
  const seconds = (Date.now() - t0) / 1000;
  assert.deepEqual([...exits.keys()].sort(), ['a', 'b', 'bad', 'c']);
  assert.equal(exits.get('a')!.state, 'COMPLETED');
  assert.equal(exits.get('b')!.state, 'COMPLETED');
  const bad = exits.get('bad')!;
  assert.equal(bad.state, 'FAILED');
  assert.equal(bad.exitCode, '3:0');
  assert.ok(fs.existsSync(bad.log) && bad.log.startsWith(path.join(slurmDir(dir), 'logs')), bad.log);
  assert.match(bad.tail, /boom from bad/);
  // b waited for a (afterok), c never ran: its dependency failed.
  const stamp = (id: string, k: string) => Number(new RegExp(`${k} (\\d+)`).exec(fs.readFileSync(path.join(out, id), 'utf8'))![1]);
  assert.ok(stamp('b', 'start') >= stamp('a', 'end'), 'b started after a ended');
  const c = exits.get('c')!;
  assert.equal(c.started, false);
  assert.ok(!fs.existsSync(path.join(out, 'c')), 'c never ran');
  assert.equal(c.state, 'CANCELLED', `${c.state} ${c.reason ?? ''}`);
  // Three arrays (no dependency; after a; after bad), recorded; the script is in the folder.
  const subs = JSON.parse(fs.readFileSync(path.join(slurmDir(dir), 'submissions.json'), 'utf8')).submissions;
  assert.equal(subs.length, 3);
  assert.match(subs[1].dependency, /^afterok:\d+_0$/);
  assert.match(fs.readFileSync(path.join(slurmDir(dir), 'sweep.sbatch'), 'utf8'), /#SBATCH --cpus-per-task=1/);
  console.log(`# executor test: 4 tasks in 3 arrays, ${seconds.toFixed(1)} s; c ended ${c.state}${c.reason ? ` (${c.reason})` : ''}`);
});

slurmTest('odd sweep folders (%, a backslash, #, quotes, blanks): each task logs to its own file and runs in the working folder', async () => {
  for (const odd of ['trn-slurm 100%a %j #x "q" ', 'trn-slurm 100%a back\\slash %A ']) {
    const root = tmpDir(odd);
    const dir = path.join(root, 'sweep %A');
    const cwd = path.join(root, "cwd it's %a");
    fs.mkdirSync(dir);
    fs.mkdirSync(cwd);
    const exits = new Map<string, SlurmExit>();
    await runSlurmArray([{ id: 'j00' }, { id: 'j01' }], {
      dir,
      jobName: 'trn-test-odd #1',
      command: '/bin/sh',
      // Each task says where it ran: a file in its working folder.
      argsBefore: ['-c', 'pwd > "$0.where"'],
      argsAfter: [],
      cwd,
      resources: { cpus: 1, maxConcurrent: 2 },
      poll: { firstMs: 300, factor: 1.5, maxMs: 2000 },
      onExit: (id, x) => exits.set(id, x),
    });
    for (const id of ['j00', 'j01']) {
      const x = exits.get(id)!;
      assert.equal(x.state, 'COMPLETED', `${odd}: ${describeSlurmFailure(id, x)}`);
      assert.equal(path.dirname(x.log), path.join(slurmDir(dir), 'logs'));
      assert.ok(fs.existsSync(x.log), x.log);
      assert.equal(fs.readFileSync(path.join(cwd, `${id}.where`), 'utf8').trim(), cwd);
    }
    // Nothing written beside the folder under a name Slurm expanded or unescaped.
    assert.deepEqual(fs.readdirSync(root).sort(), ["cwd it's %a", 'sweep %A']);
  }
});

slurmTest('a stop cancels the arrays (scancel); a resubmission is refused while an earlier one is still queued', async () => {
  const dir = tmpDir('trn-slurm-');
  const ac = new AbortController();
  const opts = {
    dir,
    jobName: 'trn-test-cancel',
    command: '/bin/sh',
    argsBefore: ['-c', 'sleep 120', 'sh'],
    argsAfter: [],
    cwd: dir,
    resources: { cpus: 1, maxConcurrent: 1 },
    poll: { firstMs: 300, factor: 1.5, maxMs: 2000 },
  };
  const exits = new Map<string, SlurmExit>();
  let running = false;
  const first = runSlurmArray([{ id: 'x' }, { id: 'y' }], { ...opts, signal: ac.signal, onStart: () => (running = true), onExit: (id, x) => exits.set(id, x) });
  await until('the first task running', () => running, 60_000);
  const live = await liveSubmissions(dir);
  assert.equal(live.length, 1);
  await assert.rejects(runSlurmArray([{ id: 'x' }], opts), /still queued or running .*scancel \d+/);
  const t0 = Date.now();
  ac.abort();
  await first;
  const arrayId = live[0].arrayId;
  assert.deepEqual(queued([arrayId]), [], 'nothing of the array is left in the queue');
  assert.equal(exits.get('x')!.state, 'CANCELLED');
  assert.equal(exits.get('x')!.started, true);
  console.log(`# cancel: the array left the queue ${((Date.now() - t0) / 1000).toFixed(1)} s after the stop`);
});

slurmTest('the quick sweep through Slurm has the local executor\'s front, points.csv and files', async () => {
  const dir = tmpDir('trn-slurm-');
  const epochs = process.env.TRN_SLURM_QUICK_EPOCHS ?? '1';
  const common = [QUICK, '--epochs', epochs, '--backend', 'wasm'];
  let t0 = Date.now();
  // Local: worker processes with one training thread each, as the Slurm tasks (--cpus 1).
  const local = spawnSync(process.execPath, [CLI, 'sweep', ...common, '--out', 'local', '--parallel', '64'], { cwd: dir, encoding: 'utf8', timeout: 1_800_000 });
  const localSeconds = (Date.now() - t0) / 1000;
  assert.equal(local.status, 0, local.stderr);
  t0 = Date.now();
  const slurm = spawnSync(process.execPath, [CLI, 'sweep', ...common, '--out', 'slurm', '--executor', 'slurm', '--cpus', '1', '--parallel', '2'], { cwd: dir, encoding: 'utf8', timeout: 1_800_000 });
  const slurmSeconds = (Date.now() - t0) / 1000;
  assert.equal(slurm.status, 0, slurm.stderr);
  assert.match(slurm.stderr, /submitted Slurm job array \d+: 5 tasks/);
  const l = sweepFolder(path.join(dir, 'local'));
  const s = sweepFolder(path.join(dir, 'slurm'));
  const lf = readFront(l)!;
  const sf = readFront(s)!;
  assert.equal(lf.done, 18);
  assert.deepEqual(essence(sf), essence(lf));
  assert.equal(csv(s), csv(l));
  assert.deepEqual(files(s), files(l));
  // The Slurm executor's own folder: the script and one log per task.
  assert.ok(fs.existsSync(path.join(s, 'slurm', 'sweep.sbatch')));
  assert.equal(fs.readdirSync(path.join(s, 'slurm', 'logs')).length, 5);
  assert.ok(!fs.existsSync(path.join(l, 'slurm')));
  console.log(`# quick sweep, --epochs ${epochs}, wasm, 1 thread per training: local (2 processes) ${localSeconds.toFixed(0)} s, Slurm (2 tasks at once) ${slurmSeconds.toFixed(0)} s`);
});

slurmTest('a sweep cancelled with scancel mid-way and resubmitted completes without repeating finished points', async () => {
  // Long enough trainings (a few seconds each here) that the scancel lands while one trains.
  const { dir, cfg } = setup({ ...synth, training: { ...synth.training, epochs: 30 } });
  const t0 = Date.now();
  const whole = spawnSync(process.execPath, [CLI, 'sweep', cfg, '--out', 'whole', '--parallel', '64'], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
  assert.equal(whole.status, 0, whole.stderr);
  const localSeconds = (Date.now() - t0) / 1000;
  const expected = readFront(sweepFolder(path.join(dir, 'whole')))!;

  // One task at a time: the first training finishes, the second is cancelled while it trains, the rest never start.
  let completed = 0;
  let cancelledAt = 0;
  let arrayId: string | undefined;
  const t1 = Date.now();
  const first = await startSweep([cfg, '--out', 'out', '--executor', 'slurm', '--cpus', '1', '--parallel', '1'], dir, (e) => {
    if (e.type === 'log') arrayId ??= /submitted Slurm job array (\d+)/.exec(e.message)?.[1];
    if (e.type === 'sweep-job' && e.status === 'completed') completed++;
    // Mid-way as the folder says (events read from the logs may lag): a training finished, another has trained 1–20 of its 30 epochs.
    const trainingNow = () => {
      const name = fs.existsSync(path.join(dir, 'out')) ? fs.readdirSync(path.join(dir, 'out')).find((n) => n.endsWith('-sweep')) : undefined;
      const rec = name && readSweep(path.join(dir, 'out', name));
      if (!rec) return false;
      return rec.jobs.some((j) => {
        const r = readJobRecord(path.join(dir, 'out', name), j.id);
        const epochs = r?.status === 'running' && r.runDir ? readRun(r.runDir).result?.epochsCompleted : undefined;
        return epochs !== undefined && epochs >= 1 && epochs <= 20;
      });
    };
    if (!cancelledAt && completed >= 1 && e.type === 'sweep-progress' && trainingNow()) {
      cancelledAt = Date.now();
      const c = spawnSync('scancel', [arrayId!], { encoding: 'utf8' });
      assert.equal(c.status, 0, c.stderr);
    }
  });
  assert.ok(cancelledAt, `the sweep was cancelled mid-way (${first.stderr.slice(-500)})`);
  assert.equal(first.code, 130, first.stderr);
  const sd = sweepFolder(path.join(dir, 'out'));
  assert.equal(readSweep(sd)!.status, 'interrupted');
  assert.ok(logs(first.events).some((m) => /ended CANCELLED.*log: .*slurm\/logs\/\d+_\d+\.out.*cancelled in Slurm, stopping the sweep/.test(m)), logs(first.events).join('\n'));
  assert.deepEqual(queued([arrayId!]), []);
  const rec = readSweep(sd)!;
  const done = rec.jobs.filter((j) => readJobRecord(sd, j.id)?.status === 'completed').map((j) => j.id);
  assert.ok(done.length >= 1 && done.length < rec.jobs.length, `some but not all trainings finished (${done.join(', ')})`);
  const interrupted = rec.jobs.filter((j) => readJobRecord(sd, j.id)?.status === 'interrupted').map((j) => j.id);
  const statuses = rec.jobs.map((j) => `${j.id} ${readJobRecord(sd, j.id)?.status ?? 'none'} ${readJobRecord(sd, j.id)?.error?.message ?? ''}`).join('; ');
  assert.ok(interrupted.length >= 1, `the training running at the scancel was closed as interrupted (${statuses}; ${logs(first.events).join(' | ')})`);
  for (const id of interrupted) assert.equal(readRun(readJobRecord(sd, id)!.runDir!).result!.status, 'interrupted');
  // The Runs view's point states at this moment.
  const states = new Set(sweepPointRows(sd).map((r) => r.state));
  assert.ok(states.has('done') && states.has('interrupted') && states.has('pending'), [...states].join(', '));
  const before = new Map(done.map((id) => [id, fs.readFileSync(path.join(sd, `job-${id}.json`), 'utf8')]));
  const runDirsBefore = new Set(fs.readdirSync(sd).filter((n) => /^\d{8}-/.test(n)));
  const mtimes = new Map(done.map((id) => [id, fs.statSync(path.join(readJobRecord(sd, id)!.runDir!, 'result.json')).mtimeMs]));
  const firstSeconds = (Date.now() - t1) / 1000;
  const subsBefore = (JSON.parse(fs.readFileSync(path.join(sd, 'slurm', 'submissions.json'), 'utf8')).submissions as unknown[]).length;
  const interruptedDirs = new Map(interrupted.map((id) => [id, readJobRecord(sd, id)!.runDir!]));

  // Resubmitted: only the unfinished trainings go to Slurm; the finished ones are untouched.
  const t2 = Date.now();
  const again = await startSweep([cfg, '--resume', sd, '--executor', 'slurm', '--cpus', '1', '--parallel', '2'], dir);
  const againSeconds = (Date.now() - t2) / 1000;
  assert.equal(again.code, 0, again.stderr);
  assert.ok(logs(again.events).some((m) => new RegExp(`resuming: ${done.length} of ${rec.jobs.length} trainings already done, skipped`).test(m)));
  const subs = JSON.parse(fs.readFileSync(path.join(sd, 'slurm', 'submissions.json'), 'utf8')).submissions as { jobIds: string[] }[];
  // Forked trainings wait for their parent in an array of their own: one or two arrays per submission.
  assert.deepEqual(
    subs.slice(subsBefore).flatMap((x) => x.jobIds).sort(),
    rec.jobs.map((j) => j.id).filter((id) => !done.includes(id)).sort(),
  );
  for (const id of done) {
    assert.equal(fs.readFileSync(path.join(sd, `job-${id}.json`), 'utf8'), before.get(id), `job ${id}'s record is untouched`);
    assert.equal(fs.statSync(path.join(readJobRecord(sd, id)!.runDir!, 'result.json')).mtimeMs, mtimes.get(id), `job ${id}'s run folder is untouched`);
  }
  const newRunDirs = fs.readdirSync(sd).filter((n) => /^\d{8}-/.test(n) && !runDirsBefore.has(n));
  for (const n of newRunDirs) assert.ok(!done.some((id) => n.endsWith(`-${id}`)), `no new run folder for a finished training (${n})`);
  // A training stopped by the scancel continues from its checkpoint in its own folder; the others start new ones.
  for (const [id, runDir] of interruptedDirs) assert.equal(readJobRecord(sd, id)!.runDir, runDir, `job ${id} resumed in its own folder`);
  assert.equal(newRunDirs.length, rec.jobs.length - done.length - interruptedDirs.size);
  const resumed = readSweep(sd)!;
  assert.equal(resumed.status, 'completed');
  assert.equal(resumed.resumes, 1);
  assert.deepEqual(essence(readFront(sd)!).points.map(({ run: _run, ...p }) => p), essence(expected).points.map(({ run: _run, ...p }) => p));
  assert.deepEqual(readFront(sd)!.front, expected.front);
  assert.deepEqual(readFront(sd)!.recommended, expected.recommended);
  assert.ok(sweepPointRows(sd).every((r) => r.state === 'done'));
  console.log(`# scancel + resubmit: local uninterrupted ${localSeconds.toFixed(0)} s; Slurm until the scancel and out ${firstSeconds.toFixed(0)} s (${done.length} of ${rec.jobs.length} done); resubmission ${againSeconds.toFixed(0)} s`);
});

slurmTest('stopping the CLI cancels its Slurm tasks; a task that dies is reported with its Slurm state and log', async () => {
  const { dir, cfg } = setup();
  // SIGINT to the CLI while a task trains: scancel, exit 130, nothing left queued.
  let arrayId: string | undefined;
  let stoppedAt = 0;
  let localResume: SpawnSyncReturns<string> | undefined;
  const r = await startSweep([cfg, '--out', 'stop', '--executor', 'slurm', '--cpus', '1', '--parallel', '2'], dir, (e, kill) => {
    if (e.type === 'log') arrayId ??= /submitted Slurm job array (\d+)/.exec(e.message)?.[1];
    if (!stoppedAt && e.type === 'sweep-progress' && e.running.some((x) => x.epoch >= 1)) {
      // Meanwhile, resuming it with the local executor is refused: its trainings would run twice.
      const sd = sweepFolder(path.join(dir, 'stop'));
      localResume = spawnSync(process.execPath, [CLI, 'sweep', cfg, '--resume', sd], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      stoppedAt = Date.now();
      kill('SIGINT');
    }
  });
  assert.equal(localResume?.status, 2, localResume?.stderr);
  // Tasks are listed with Slurm's state (COMPLETING too, for a task ending just then); one at least is running or pending.
  assert.match(localResume!.stderr, /has Slurm tasks still queued or running \((?=[^)]*\b(RUNNING|PENDING)\b)\d+_\d+ [A-Z_]+.*scancel \d+( \d+)*, then resume/);
  assert.ok(stoppedAt, 'the CLI was stopped while training');
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(queued([arrayId!]), [], 'the CLI cancelled its array');
  const sd = sweepFolder(path.join(dir, 'stop'));
  assert.equal(readSweep(sd)!.status, 'interrupted');
  for (const j of readSweep(sd)!.jobs) assert.notEqual(readJobRecord(sd, j.id)?.status, 'running', `job ${j.id} is closed`);
  console.log(`# SIGINT → CLI exit and array gone in ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s`);

  // A task whose process is killed (SIGKILL: no chance to close its record): the point fails with the Slurm state and the log.
  // Polled, not only on events: a training resumed from its checkpoint may end within one progress interval.
  let killed = '';
  const poll = setInterval(() => {
    if (killed) return;
    const running = readSweep(sd)!.jobs.map((j) => readJobRecord(sd, j.id)).find((j) => j?.status === 'running');
    if (!running) return;
    try {
      process.kill(running.owner.pid, 'SIGKILL');
      killed = running.jobId;
    } catch {
      // It ended between the read and the kill: the next one.
    }
  }, 20);
  const k = await startSweep([cfg, '--resume', sd, '--executor', 'slurm', '--cpus', '1', '--parallel', '1'], dir).finally(() => clearInterval(poll));
  assert.ok(killed, 'a task was killed');
  assert.equal(k.code, 1, `${k.stderr}\n${logs(k.events).join("\n")}`);
  const rec = readJobRecord(sd, killed)!;
  assert.equal(rec.status, 'failed');
  assert.match(rec.error!.message, /Slurm task \d+_\d+ \(job j\d+\) ended FAILED.*log: \S+\/slurm\/logs\/\d+_\d+\.out/);
  assert.ok(logs(k.events).some((m) => m.includes(`(job ${killed}) ended FAILED`)));
  const f = readFront(sd)!;
  assert.ok(f.points.filter((p) => p.jobId === killed).every((p) => p.status === 'failed' && /ended FAILED/.test(p.error ?? '')));
  // The trainings that start from the killed one's checkpoint (forking) cannot run: Slurm cancels them, and they fail saying why; the others go on.
  const orphans = new Set(readSweep(sd)!.jobs.filter((j) => j.fork?.role === 'child' && j.fork.parent === killed).map((j) => j.id));
  for (const p of f.points.filter((q) => orphans.has(q.jobId))) assert.ok(p.status === 'completed' || /the training it starts from failed/.test(p.error ?? ''), `${p.id}: ${p.status} ${p.error}`);
  assert.ok(f.points.filter((p) => p.jobId !== killed && !orphans.has(p.jobId)).every((p) => p.status === 'completed'), 'the other points went on');
  assert.ok(sweepPointRows(sd).some((p) => p.state === 'failed'));
});
