/**
 * Sweeps stay in their folder: job records name their run folders relative
 * to the sweep folder, so a copied sweep resumes in itself and leaves the
 * original alone; a job record naming a folder outside (absolute, `..`, a
 * symbolic link out) is refused on resume; `sweep.json` is checked against
 * itself and the config's plan before anything runs.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { executeSweep, type JobRunner } from '../../src/engine/experiment/sweep';
import { readRun } from '../../src/engine/store/runFolder';
import { readForkCheckpoint, readJobRecord, readSweep, SWEEP_FILES, thisProcess, writeForkCheckpoint, writeJobRecord } from '../../src/engine/store/sweepFolder';
import type { EngineEvent } from '../../src/engine/events';
import { tmpDir } from '../helpers/files';

/** Every file under `dir` (recursively) and its bytes' hash. */
function tree(dir: string, at = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of fs.readdirSync(path.join(dir, at), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = path.join(at, d.name);
    if (d.isDirectory()) Object.assign(out, tree(dir, rel));
    else out[rel] = d.isSymbolicLink() ? `link ${fs.readlinkSync(path.join(dir, rel))}` : createHash('sha256').update(fs.readFileSync(path.join(dir, rel))).digest('hex');
  }
  return out;
}

const fakeConfig = {
  name: 'fake',
  dataset: { name: 'synthetic' },
  network: { layers: [64, 20, 4] },
  training: { epochs: 3 },
  sweep: { grid: { crossbar: [16, 32], mode: ['original', 'pruning'] } },
};

/** Completes jobs with made-up figures, stopping after `stopAfter` (nothing trains). */
function fakeRunner(stopAfter: number): JobRunner {
  let ran = 0;
  return async ({ sweepDir, jobs, ended }) => {
    for (const j of jobs) {
      if (ran++ >= stopAfter) return;
      const priced = Object.fromEntries(j.pointIds.map((id) => [id, { testAccuracy: 0.9, snnAccuracy: 0.9, mpes: 1, utilisation: 1, area_mm2: 1, energy_uJ: 1 }]));
      writeJobRecord(sweepDir, { jobId: j.id, status: 'completed', owner: thisProcess(), startedAt: '', priced });
      ended(j.id);
    }
  };
}

async function stoppedFakeSweep(root: string) {
  const loaded = loadConfigObject(fakeConfig, root);
  const out = await executeSweep({ loaded, outRoot: root, emit: () => {}, runJobs: fakeRunner(1) });
  assert.equal(out.status, 'interrupted');
  return { loaded, dir: out.dir, todo: out.record.jobs.map((j) => j.id).filter((id) => readJobRecord(out.dir, id)?.status !== 'completed') };
}

test('sweep.json damaged or edited: the resume is refused naming the file and the field, and changes nothing', async () => {
  const root = tmpDir('trn-sweep-self-');
  try {
    const { loaded, dir } = await stoppedFakeSweep(root);
    const edits: [string, (r: Record<string, unknown> & { points: Record<string, unknown>[]; jobs: Record<string, unknown>[] }) => void, RegExp][] = [
      ['no points', (r) => (r.points = []), /points is empty/],
      ['no jobs', (r) => (r.jobs = []), /jobs is empty/],
      ['a point naming no job', (r) => (r.points[0].jobId = 'j99'), /points\[0\] names the job "j99"/],
      ['a job naming no point', (r) => (r.jobs[0].pointIds = ['p99']), /jobs\[0\]\.pointIds/],
      ['an unknown objective', (r) => (r.objectives = ['area', 'beauty']), /objectives must be a non-empty list/],
      ['no objectives', (r) => (r.objectives = []), /objectives must be/],
      ['an invalid raw config', (r) => delete (r.raw as Record<string, unknown>).network, /raw is not a valid config/],
      ['a raw config with other epochs', (r) => ((r.raw as { training: { epochs: number } }).training.epochs = 5), /raw is not the config the sweep was planned from/],
      ['a point with another crossbar', (r) => (r.points[1].crossbar = 128), /points differ from the 4 points the config plans/],
      ['another accuracy-loss limit', (r) => (r.accuracyLossLimit = 0.5), /accuracyLossLimit differs/],
      ['points that are not objects', (r) => (r.points = [null, 3] as never), /points\[0\] names the job undefined/],
    ];
    for (const [name, edit, says] of edits) {
      const copy = path.join(root, `copy-${name.replace(/\W+/g, '-')}`);
      fs.cpSync(dir, copy, { recursive: true });
      const file = path.join(copy, SWEEP_FILES.sweep);
      const rec = JSON.parse(fs.readFileSync(file, 'utf8'));
      edit(rec);
      fs.writeFileSync(file, JSON.stringify(rec));
      const before = tree(copy);
      await assert.rejects(
        executeSweep({ loaded, outRoot: root, resumeDir: copy, emit: () => {}, runJobs: fakeRunner(99) }),
        (e: Error) => {
          assert.ok(e.message.startsWith(`${file}: `), `${name}: ${e.message}`);
          assert.match(e.message, says, name);
          return true;
        },
        name,
      );
      assert.deepEqual(tree(copy), before, `${name}: the folder changed`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a job record naming a run folder outside the sweep folder is refused on resume; one inside (relative or absolute) reads', async () => {
  const root = tmpDir('trn-sweep-plant-');
  try {
    const { loaded, dir, todo } = await stoppedFakeSweep(path.join(root, 'sweeps'));
    const outside = path.join(root, 'unrelated-run');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'result.json'), '{}');
    fs.mkdirSync(path.join(dir, 'inside-run'));
    fs.symlinkSync(outside, path.join(dir, 'link-out'));
    const job = todo[0];
    const file = path.join(dir, SWEEP_FILES.job(job));
    const plant = (runDir: string) => fs.writeFileSync(file, JSON.stringify({ jobId: job, status: 'interrupted', owner: { pid: 1 }, startedAt: '', runDir }));
    for (const runDir of [outside, '../../unrelated-run', 'link-out', path.join(dir, '..')]) {
      plant(runDir);
      assert.equal(readJobRecord(dir, job), undefined, `${runDir}: a reader must not follow it`);
      const before = { sweep: tree(dir), outside: tree(outside) };
      await assert.rejects(executeSweep({ loaded, outRoot: root, resumeDir: dir, emit: () => {}, runJobs: fakeRunner(99) }), (e: Error) => {
        assert.match(e.message, new RegExp(`cannot be resumed: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its run folder .* is outside the sweep folder`), runDir);
        return true;
      });
      assert.deepEqual({ sweep: tree(dir), outside: tree(outside) }, before, `${runDir}: something changed`);
    }
    // Inside: relative as written now, absolute as older records wrote it; both read as the absolute folder.
    for (const runDir of ['inside-run', path.join(dir, 'inside-run')]) {
      plant(runDir);
      assert.equal(readJobRecord(dir, job)?.runDir, path.join(dir, 'inside-run'), runDir);
    }
    writeJobRecord(dir, { jobId: job, status: 'interrupted', owner: thisProcess(), startedAt: '', runDir: path.join(dir, 'inside-run') });
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).runDir, 'inside-run', 'written relative to the sweep folder');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a copied sweep folder resumes in itself: the copy trains its own run folders, the original is left as it was', { timeout: 300_000 }, async () => {
  const root = tmpDir('trn-sweep-copy-');
  try {
    const config = {
      name: 'copy',
      dataset: { name: 'synthetic', synthetic: { inputSize: 16, classes: 3, trainSize: 600, testSize: 90 } },
      network: { layers: [16, 12, 3] },
      training: { epochs: 3, batchSize: 20, learningRate: 0.1 },
      transform: { mode: 'original', crossbar: 16 },
      hardware: { snnImages: 20, timesteps: 8 },
      backend: 'wasm',
      sweep: { grid: { 'training.learningRate': [0.1, 0.2] } },
    };
    const loaded = loadConfigObject(config, root);
    const controller = new AbortController();
    let jobsStarted = 0;
    // Stopped once the second training has its first epoch (a checkpoint in its run folder).
    const emit = (e: EngineEvent) => {
      if (e.type === 'sweep-job' && e.status === 'started') jobsStarted++;
      if (e.type === 'epoch' && jobsStarted === 2 && e.metrics.epoch === 1) controller.abort();
    };
    const first = await executeSweep({ loaded, outRoot: path.join(root, 'a'), emit, signal: controller.signal });
    assert.equal(first.status, 'interrupted');
    const original = first.dir;
    const stopped = first.record.jobs.map((j) => readJobRecord(original, j.id)).find((r) => r?.status !== 'completed');
    assert.ok(stopped?.runDir, 'the second job stopped with a run folder');
    const copy = path.join(root, 'b', path.basename(original));
    fs.cpSync(original, copy, { recursive: true });
    const before = tree(original);
    const second = await executeSweep({ loaded, outRoot: root, resumeDir: copy, emit: () => {} });
    assert.equal(second.status, 'completed');
    assert.deepEqual(tree(original), before, 'the original sweep folder changed');
    for (const j of second.record.jobs) {
      const r = readJobRecord(copy, j.id)!;
      assert.equal(r.status, 'completed', j.id);
      assert.equal(path.dirname(r.runDir!), copy, `${j.id} ran in ${r.runDir}`);
      assert.equal(readRun(r.runDir!).result?.status, 'completed');
    }
    // The stopped training continued in the copy's folder of the same name (resumed, not started again).
    const resumed = readRun(path.join(copy, path.basename(stopped.runDir!))).result!;
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.resumes?.length, 1);
    assert.equal(readSweep(copy)!.resumes, 1);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("a fork's metadata is checked before a child copies it: its epochs, metrics and parent folder", () => {
  const root = tmpDir('trn-fork-meta-');
  try {
    const dir = path.join(root, 'sweep');
    fs.mkdirSync(path.join(dir, 'parent-run'), { recursive: true });
    const m = (epoch: number) => ({ epoch, trainLoss: 0.5, trainAccuracy: 0.8, testLoss: 0.6, testAccuracy: 0.7, seconds: 1, trainSeconds: 1, samplesPerSecond: 10, keptFraction: [1, 1], mpesAt: { 16: 4 } });
    const sound = () => ({ kind: 'checkpoint', layers: [4, 3, 2], loop: { epochsCompleted: 2, batchesIntoEpoch: 0, shuffle: [1, 2, 3, 4], lossSum: 0, correct: 0, seen: 0 }, history: [m(1), m(2)], parentRunDir: path.join(dir, 'parent-run') });
    const tensors = [{ name: 'W/0', shape: [4, 3], data: new Float32Array(12) }];
    const read = (meta: Record<string, unknown>) => {
      writeForkCheckpoint(dir, 'j01', 2, { tensors, meta });
      return readForkCheckpoint(dir, 'j01', 2);
    };
    assert.ok(!('problem' in read(sound())), 'a sound fork reads');
    const bad: [string, (x: ReturnType<typeof sound>) => void, RegExp][] = [
      ['one epoch of metrics', (x) => x.history.pop(), /do not cover epochs 1 to 2/],
      ['a skipped epoch', (x) => (x.history[1].epoch = 3), /record 2 is not epoch 2's/],
      ['a figure that is text', (x) => ((x.history[0] as Record<string, unknown>).testAccuracy = '<b>1</b>'), /record 1/],
      ['keptFraction of another network', (x) => (x.history[0].keptFraction = [1, 1, 1]), /record 1/],
      ['mPEs that are not numbers', (x) => ((x.history[0].mpesAt as Record<string, unknown>)[16] = 'x'), /damaged mPE counts/],
      ['the state of another epoch', (x) => (x.loop.epochsCompleted = 1), /not the state at the end of epoch 2/],
      ['a parent outside the sweep', (x) => (x.parentRunDir = root), /parent run folder is not inside/],
      ['a parent given as ..', (x) => (x.parentRunDir = '../..'), /parent run folder is not inside/],
    ];
    for (const [name, edit, says] of bad) {
      const meta = sound();
      edit(meta);
      const r = read(meta);
      assert.ok('problem' in r, `${name}: accepted`);
      assert.match(r.problem, says, name);
      assert.ok(r.problem.includes('fork-j01-e2.tnsr'), `${name}: ${r.problem}`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
