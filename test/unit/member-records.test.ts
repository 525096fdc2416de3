/**
 * refreshMemberRecords: which sweep a run folder belongs to, and when its
 * records may be written again — never for a run still training, nor over a
 * job the sweep's own process is running; the front waits for a sweep whose
 * process still runs (it writes the front itself as its jobs end).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunWriter, readRun } from '../../src/engine/store/runFolder';
import { readFront, readJobRecord, readSweep, SWEEP_FILES, writeJobRecord, writeSweep } from '../../src/engine/store/sweepFolder';
import { refreshMemberRecords } from '../../src/engine/experiment/memberRecords';
import { validateConfig } from '../../src/engine/config/validate';
import { tmpDir } from '../helpers/files';
import { deadPid } from '../helpers/processes';
import type { SweepRecord } from '../../src/engine/format/sweep';

const config = () => validateConfig({ name: 't', dataset: { name: 'synthetic' }, network: { layers: [64, 4] }, training: { epochs: 2 } }).config!;

/** A sweep folder of one job (one point) whose run folder stopped after epoch 1; `sweepOwner` drives the sweep. */
function stoppedSweep(sweepOwner: number, jobOwner: number, jobStatus: 'running' | 'interrupted') {
  const dir = path.join(tmpDir(), 's-sweep');
  fs.mkdirSync(dir);
  const rec: SweepRecord = {
    format: 'trannsformer-sweep',
    formatVersion: 1,
    name: 's',
    kind: 'sweep',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    status: 'running',
    owner: { pid: sweepOwner },
    configFile: path.join(dir, 'c.json'),
    baseDir: dir,
    raw: {},
    fingerprint: 'x',
    objectives: ['area', 'energy', 'accuracy'],
    accuracyLossLimit: 0.01,
    points: [{ id: 'p0', axes: [{ axis: 'mode', path: ['transform', 'mode'], value: 'original' }], mode: 'original', crossbar: 64, preset: 'resparc-45nm', epochs: 2, seed: 1, jobId: 'j00' }],
    jobs: [{ id: 'j00', name: 'original-j00', overrides: [], threads: 1, pointIds: ['p0'], crossbars: [64], presets: ['resparc-45nm'], epochs: 2 }],
    sharing: { points: 1, trainings: 1, trainingsSaved: 0, notes: [], checkpointForking: false },
    resumes: 0,
  };
  writeSweep(dir, rec);
  const run = path.join(dir, '20260101-000000-original-j00');
  fs.mkdirSync(run);
  const w = new RunWriter(run, config());
  w.epoch({ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5, seconds: 1, trainSeconds: 1, samplesPerSecond: 1, keptFraction: [1] });
  w.finish('interrupted');
  writeJobRecord(dir, { jobId: 'j00', status: jobStatus, owner: { pid: jobOwner }, startedAt: '2026-01-01T00:00:00Z', runDir: run });
  return { dir, run };
}

test('a run folder outside any sweep belongs to none', async () => {
  const run = path.join(tmpDir(), 'r');
  fs.mkdirSync(run);
  new RunWriter(run, config()).finish('interrupted');
  assert.equal((await refreshMemberRecords(run)), undefined);
});

test('a job the sweep\'s own (live) process is running is left alone', async () => {
  const { dir, run } = stoppedSweep(process.ppid, process.ppid, 'running');
  assert.equal((await refreshMemberRecords(run)), undefined);
  assert.equal(readJobRecord(dir, 'j00')!.status, 'running');
  assert.equal(fs.existsSync(path.join(dir, SWEEP_FILES.pareto)), false);
});

test('a job left "running" by a dead process follows its run; the front waits while the sweep\'s process lives', async () => {
  const { dir, run } = stoppedSweep(process.ppid, deadPid(), 'running');
  const m = (await refreshMemberRecords(run))!;
  assert.deepEqual({ sweepDir: m.sweepDir, jobId: m.jobId, jobUpdated: m.jobUpdated, front: m.front }, { sweepDir: dir, jobId: 'j00', jobUpdated: true, front: undefined });
  assert.equal(readJobRecord(dir, 'j00')!.status, 'interrupted');
  assert.equal(fs.existsSync(path.join(dir, SWEEP_FILES.pareto)), false);
  assert.equal(readSweep(dir)!.status, 'running');
});

test('a stopped sweep: its front and status are written again from the job records', async () => {
  const { dir, run } = stoppedSweep(deadPid(), deadPid(), 'interrupted');
  const m = (await refreshMemberRecords(run))!;
  assert.equal(m.jobUpdated, false, 'the job record already said how the run ended');
  assert.equal(readFront(dir)!.points[0].status, 'interrupted');
  assert.equal(readSweep(dir)!.status, 'interrupted');
  assert.equal(readRun(run).result!.status, 'interrupted');
});
