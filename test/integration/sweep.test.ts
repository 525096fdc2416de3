/** `trannsformer sweep` as a user runs it: worker processes, a front, stops, kills and resumes. `npm test` builds dist/cli.js first. */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { EngineEvent } from '../../src/engine/events';
import { readMetrics, readRun } from '../../src/engine/store/runFolder';
import { readFront, readJobRecord, readSweep } from '../../src/engine/store/sweepFolder';
import { startSweep, sweepFolder, untimed, writeSweepConfig } from '../helpers/sweep';
import { RunSession } from '../../src/extension/runSession';
import { readRunsFolder } from '../../src/extension/runsModel';
import type { SweepFront } from '../../src/engine/format/sweep';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

const config = {
  name: 'synth',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 1500, testSize: 300, noise: 0.3 } },
  network: { layers: [48, 40, 5], init: { distribution: 'he' } },
  training: { epochs: 5, batchSize: 50, learningRate: 0.1, seed: 3 },
  transform: { clusterStart: 2 },
  hardware: { snnImages: 150, timesteps: 40 },
  backend: 'wasm',
  sweep: { grid: { crossbar: [16, 32], mode: ['original', 'pruning', 'trannsformer'], preset: ['resparc-45nm', 'puma-32nm'] }, accuracyLossLimit: 0.02 },
};

const setup = () => writeSweepConfig(config);

/** What must not depend on how the sweep got there: per point its status, figures, rank; the front; the recommendation. */
function essence(f: SweepFront) {
  return {
    points: f.points.map((p) => ({ id: p.id, status: p.status, figures: untimed(p.figures), rank: p.rank, accuracyLoss: p.accuracyLoss })),
    front: f.front,
    recommended: f.recommended,
  };
}


before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run "npm run build" (npm test does)'));

test('a sweep SIGKILLed at random points and resumed ends with the front of an uninterrupted one', async () => {
  const { dir, cfg } = setup();
  const whole = spawnSync(process.execPath, [CLI, 'sweep', cfg, '--out', 'whole', '--parallel', '2'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  assert.equal(whole.status, 0, whole.stderr);
  assert.match(whole.stderr, /recommended: p\d+ — /);
  assert.match(whole.stderr, /shared: 4 trainings for 12 points \(8 saved\)/);
  const wholeDir = sweepFolder(path.join(dir, 'whole'));
  const expected = readFront(wholeDir)!;
  assert.equal(expected.done, 12);
  assert.ok(fs.readFileSync(path.join(wholeDir, 'points.csv'), 'utf8').split('\n').length >= 13);
  // Each point's training time is its network's epochs, not the run's pricing after them.
  for (const p of expected.points) {
    const epochs = readMetrics(p.runDir!).metrics;
    const sum = epochs.reduce((a, m) => a + m.seconds, 0);
    assert.ok(Math.abs(p.figures!.trainSeconds! - sum) < 1e-9, `${p.id}: train ${p.figures!.trainSeconds} s, epochs ${sum} s`);
    // A run trained from epoch 1 took longer than its epochs (it priced itself after them); a forked one counts its parent's epochs too.
    const run = readRun(p.runDir!).result!;
    if (!run.forkedFrom) assert.ok(p.figures!.trainSeconds! < run.seconds, `${p.id}: training ${p.figures!.trainSeconds} s, run ${run.seconds} s`);
  }

  // Kill twice, each time after a random number of finished trainings and a random delay, then resume to the end.
  const seed = Date.now();
  let rnd = seed;
  const random = () => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let killedDir: string | undefined;
  let kills = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    const waitFor = Math.floor(random() * 2);
    const delay = Math.floor(random() * 800);
    let finished = 0;
    let armed = false;
    const args = killedDir ? [cfg, '--resume', killedDir, '--parallel', '2'] : [cfg, '--out', 'killed', '--parallel', '2'];
    const r = await startSweep(args, dir, (e, kill) => {
      if (e.type === 'sweep-job' && e.status !== 'started') finished++;
      if (!armed && attempt < 2 && finished >= waitFor && (e.type === 'sweep-job' || e.type === 'sweep-started')) {
        armed = true;
        setTimeout(() => kill('SIGKILL'), delay);
      }
    });
    killedDir ??= sweepFolder(path.join(dir, 'killed'));
    if (r.signal === 'SIGKILL') {
      kills++;
      continue;
    }
    assert.equal(r.code, 0, `seed ${seed}: ${r.stderr}`);
    break;
  }
  assert.ok(kills >= 1, `seed ${seed}: the sweep finished before it could be killed`);
  const resumed = readSweep(killedDir!)!;
  assert.equal(resumed.status, 'completed');
  assert.ok(resumed.resumes >= kills, `seed ${seed}: resumed ${resumed.resumes} times after ${kills} kills`);
  assert.deepEqual(essence(readFront(killedDir!)!), essence(expected), `seed ${seed}: resumed front differs (${kills} kills)`);
  // No run folder is left "running": the killed workers' folders were closed as interrupted.
  for (const n of fs.readdirSync(killedDir!)) {
    const p = path.join(killedDir!, n);
    if (!fs.statSync(p).isDirectory()) continue;
    const rec = readRun(p);
    assert.equal(rec.state, 'ok', n);
    assert.notEqual(rec.result!.status, 'running', `seed ${seed}: ${n} still says running`);
  }
});

test('SIGTERM stops every worker: folders end interrupted, exit 130; resuming another plan is refused', async () => {
  const { dir, cfg } = setup();
  let started = 0;
  const r = await startSweep([cfg, '--out', 'out', '--parallel', '2'], dir, (e, kill) => {
    if (e.type === 'sweep-job' && e.status === 'started' && ++started === 2) kill('SIGTERM');
  });
  assert.equal(r.code, 130, r.stderr);
  const sd = sweepFolder(path.join(dir, 'out'));
  const rec = readSweep(sd)!;
  assert.equal(rec.status, 'interrupted');
  const stopped = rec.jobs.map((j) => readJobRecord(sd, j.id)).filter((j) => j && j.status !== 'completed');
  assert.ok(stopped.length >= 1);
  for (const j of stopped) {
    assert.equal(j!.status, 'interrupted');
    if (j!.runDir) assert.equal(readRun(j!.runDir).result!.status, 'interrupted');
  }
  const swept = r.events.find((e) => e.type === 'swept') as Extract<EngineEvent, { type: 'swept' }>;
  assert.equal(swept.status, 'interrupted');
  // Resuming with another config is refused, clearly.
  const other = path.join(dir, 'other.trannsformer.json');
  fs.writeFileSync(other, JSON.stringify({ ...config, sweep: { grid: { crossbar: [16] } } }));
  const bad = spawnSync(process.execPath, [CLI, 'sweep', other, '--resume', sd], { cwd: dir, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /was planned from a different sweep/);
  // Re-running into the same folder resumes it: the trainings that finished are skipped.
  const again = spawnSync(process.execPath, [CLI, 'sweep', cfg, '--out', sd], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /resumed: \d+ to run/);
  const done = readSweep(sd)!;
  assert.equal(done.status, 'completed');
  assert.equal(done.resumes, 1);
  assert.equal(readFront(sd)!.done, 12);
});

test('the extension\'s session runs a sweep to completion and sees its events (Run Sweep)', async () => {
  const { dir, cfg } = setup();
  const s = new RunSession({ kind: 'sweep', configFile: cfg, outRoot: path.join(dir, 'runs'), cliPath: CLI, cwd: dir, graceMs: 5000 });
  const types = new Set<string>();
  s.on('event', (e: EngineEvent) => types.add(e.type));
  const exit = await s.start().done;
  assert.equal(exit.state, 'completed', exit.error);
  for (const t of ['sweep-started', 'sweep-job', 'sweep-progress', 'swept']) assert.ok(types.has(t), t);
  // The Runs view lists it as one sweep node with its four trainings.
  const entries = readRunsFolder(path.join(dir, 'runs'));
  assert.equal(entries.length, 1);
  const e = entries[0];
  assert.ok(e.kind === 'compare' && e.sweep && e.sweep.done === 12 && e.runs.length === 4 && e.sweep.recommended);
});

test('bad sweep input: a config without a sweep section, a bad axis, a folder that is not a sweep', () => {
  const { dir, cfg } = setup();
  const plain = path.join(dir, 'plain.trannsformer.json');
  fs.writeFileSync(plain, JSON.stringify({ ...config, sweep: undefined }));
  const r1 = spawnSync(process.execPath, [CLI, 'sweep', plain], { cwd: dir, encoding: 'utf8' });
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /has no "sweep" section/);
  const axis = path.join(dir, 'axis.trannsformer.json');
  fs.writeFileSync(axis, JSON.stringify({ ...config, sweep: { grid: { 'training.learnRate': [0.1] } } }));
  const r2 = spawnSync(process.execPath, [CLI, 'sweep', axis], { cwd: dir, encoding: 'utf8' });
  assert.equal(r2.status, 2);
  // Refused when the config is read, as the editor shows it: code, path and line:column.
  assert.match(r2.stderr, /sweep\.grid\["training\.learnRate"\]: "training\.learnRate" is not a config field .*\[sweep\.unknown-axis, line 1:\d+\]/);
  const r3 = spawnSync(process.execPath, [CLI, 'sweep', cfg, '--resume', dir], { cwd: dir, encoding: 'utf8' });
  assert.equal(r3.status, 2);
  assert.match(r3.stderr, /--resume: .* is not a sweep folder/);
});
