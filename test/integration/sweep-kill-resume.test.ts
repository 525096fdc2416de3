/**
 * A sweep worker killed the OOM killer's way (SIGKILL) or stopped by a full
 * disk (a real ENOSPC: its metrics.jsonl made a symlink to /dev/full) leaves
 * its run folder interrupted with the reason; `sweep --resume` continues that
 * run in its folder from its checkpoint and the sweep ends exactly as an
 * uninterrupted one: the same front, figures and final weights.
 * `npm test` builds dist/cli.js first.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readRun } from '../../src/engine/store/runFolder';
import { readFront, readJobRecord } from '../../src/engine/store/sweepFolder';
import type { SweepFront, SweepJobRecord } from '../../src/engine/format/sweep';
import { CLI, startSweep, sweepFolder, untimed, writeSweepConfig } from '../helpers/sweep';

const config = {
  name: 'kr',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 4000, testSize: 300, noise: 1.0 } },
  network: { layers: [48, 64, 5], init: { distribution: 'he' } },
  training: { epochs: 5, batchSize: 50, learningRate: 0.1, seed: 3 },
  transform: { clusterStart: 2 },
  hardware: { snnImages: 100, timesteps: 30 },
  backend: 'wasm',
  sweep: { grid: { crossbar: [16], mode: ['original', 'trannsformer'] }, accuracyLossLimit: 0.05 },
};
/** The TraNNsformer training: the one hit while it trains (the second job, so the sweep has work on both sides of it). */
const TARGET = 'j01';

const setup = () => writeSweepConfig(config, 'kr.trannsformer.json');

function essence(f: SweepFront) {
  return { points: f.points.map((p) => ({ id: p.id, status: p.status, figures: untimed(p.figures), rank: p.rank, accuracyLoss: p.accuracyLoss })), front: f.front, recommended: f.recommended };
}

/** The uninterrupted sweep, run once: its folder. */
let whole: string | undefined;
function uninterrupted(): string {
  if (whole) return whole;
  const { dir, cfg } = setup();
  const r = spawnSync(process.execPath, [CLI, 'sweep', cfg, '--out', 'whole', '--parallel', '1'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  return (whole = sweepFolder(path.join(dir, 'whole')));
}

/**
 * Run the sweep and, once the target job's run has a checkpoint after epoch
 * 1–3 (polled every 10 ms from its job and run records), call `hit` once
 * with its job record; returns the sweep's exit.
 */
async function sweepHitMidTraining(dir: string, cfg: string, hit: (job: SweepJobRecord & { runDir: string }) => void) {
  let sd: string | undefined;
  let done = false;
  const poll = setInterval(() => {
    if (done || !sd) return;
    const job = readJobRecord(sd, TARGET);
    if (job?.status !== 'running' || !job.runDir) return;
    const at = readRun(job.runDir).result?.checkpoint?.epoch ?? 0;
    if (at < 1 || at > 3) return;
    done = true;
    hit(job as SweepJobRecord & { runDir: string });
  }, 10);
  try {
    const r = await startSweep([cfg, '--out', 'hit', '--parallel', '1'], dir, (e) => {
      if (e.type === 'sweep-started') sd = e.sweepDir;
    });
    assert.ok(done, `the ${TARGET} training ended before it could be hit: ${r.stderr}`);
    return { ...r, sd: sd! };
  } finally {
    clearInterval(poll);
  }
}

/** Resume to the end; the hit job continued in its own folder from its checkpoint; everything as uninterrupted. */
function resumeAndCompare(dir: string, cfg: string, sd: string, runDir: string, fromEpoch: number): void {
  const r = spawnSync(process.execPath, [CLI, 'sweep', cfg, '--resume', sd], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const job = readJobRecord(sd, TARGET)!;
  assert.equal(job.status, 'completed');
  assert.equal(job.runDir, runDir, 'continued in its own run folder');
  const run = readRun(runDir).result!;
  assert.equal(run.status, 'completed');
  assert.equal(run.resumes?.length, 1);
  assert.equal(run.resumes![0].fromEpoch, fromEpoch, 'resumed from its checkpoint, not from epoch 1');
  const expected = uninterrupted();
  assert.deepEqual(essence(readFront(sd)!), essence(readFront(expected)!));
  const theirs = readJobRecord(expected, TARGET)!.runDir!;
  assert.deepEqual(run.final, readRun(theirs).result!.final);
  assert.ok(fs.readFileSync(path.join(runDir, 'model.tnsr')).equals(fs.readFileSync(path.join(theirs, 'model.tnsr'))), 'final weights and masks bit for bit');
  // Every run folder of the sweep is named by its job record.
  const named = new Set(['j00', TARGET].map((id) => path.basename(readJobRecord(sd, id)!.runDir!)));
  assert.deepEqual(fs.readdirSync(sd).filter((n) => fs.statSync(path.join(sd, n)).isDirectory()).sort(), [...named].sort());
}

before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run "npm run build" (npm test does)'));

test('a worker SIGKILLed mid-training is interrupted ("killed by SIGKILL") and resumed from its checkpoint to the uninterrupted result', async () => {
  const { dir, cfg } = setup();
  let victim = 0;
  const r = await sweepHitMidTraining(dir, cfg, (job) => {
    victim = job.owner.pid;
    process.kill(victim, 'SIGKILL');
  });
  assert.ok(victim > 0);
  // The other training finished; the killed one is for a resume: the sweep ends interrupted (130).
  assert.equal(r.code, 130, r.stderr);
  const job = readJobRecord(r.sd, TARGET)!;
  assert.equal(job.status, 'interrupted');
  assert.equal(job.error?.message, 'killed by SIGKILL');
  assert.equal(readJobRecord(r.sd, 'j00')!.status, 'completed');
  const run = readRun(job.runDir!).result!;
  assert.equal(run.status, 'interrupted');
  assert.match(String(run.error?.message), /^killed by SIGKILL/);
  assert.ok(fs.existsSync(path.join(job.runDir!, 'checkpoint.tnsr')), 'its checkpoint is kept');
  resumeAndCompare(dir, cfg, r.sd, job.runDir!, run.checkpoint!.epoch);
});

test('a worker whose disk fills (ENOSPC from /dev/full) is interrupted ("disk full: …") and resumed from its checkpoint to the uninterrupted result', async () => {
  const { dir, cfg } = setup();
  const saved = path.join(dir, 'metrics.saved');
  let metrics = '';
  const r = await sweepHitMidTraining(dir, cfg, (job) => {
    // Every line the run appends from here on fails with ENOSPC; the lines so far stay in `saved` (a hard link: the same file).
    metrics = path.join(job.runDir, 'metrics.jsonl');
    fs.linkSync(metrics, saved);
    fs.symlinkSync('/dev/full', `${metrics}.full`);
    fs.renameSync(`${metrics}.full`, metrics);
  });
  assert.equal(r.code, 130, r.stderr);
  const job = readJobRecord(r.sd, TARGET)!;
  assert.equal(job.status, 'interrupted');
  assert.match(String(job.error?.message), /^disk full: .*metrics\.jsonl: could not be written: no space left on device \(ENOSPC\)$/);
  const run = readRun(job.runDir!).result!;
  assert.equal(run.status, 'interrupted');
  assert.equal(run.error?.message, job.error?.message);
  assert.ok(fs.existsSync(path.join(job.runDir!, 'checkpoint.tnsr')), 'its checkpoint is kept');
  // Space freed: the file is a file again, then the sweep is resumed.
  fs.renameSync(saved, metrics);
  resumeAndCompare(dir, cfg, r.sd, job.runDir!, run.checkpoint!.epoch);
});
