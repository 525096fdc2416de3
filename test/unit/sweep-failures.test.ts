/**
 * The sweep driver with a stand-in job runner (nothing trains): a job whose
 * process dies without a result is recorded as failed with why, the sweep
 * goes on; a stopped sweep resumes and runs only what is not done.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { executeSweep, type JobRunner } from '../../src/engine/experiment/sweep';
import { readFront, readJobRecord, readSweep, thisProcess, writeJobRecord } from '../../src/engine/store/sweepFolder';
import { tmpDir } from '../helpers/files';

const config = {
  name: 'fake',
  dataset: { name: 'synthetic' },
  network: { layers: [64, 20, 4] },
  training: { epochs: 3 },
  sweep: { grid: { crossbar: [16, 32], mode: ['original', 'pruning', 'trannsformer'] } },
};

/** Completes every job (figures made up from the point) except those in `crash`, which "die" without a record. */
function fakeRunner(crash: Set<string>, ran: string[], stopAfter = Infinity): JobRunner {
  return async ({ sweepDir, jobs, progress, ended }) => {
    const rec = readSweep(sweepDir)!;
    for (const j of jobs) {
      if (ran.length >= stopAfter) return;
      ran.push(j.id);
      progress(j.id, 1, j.epochs, 0.5);
      if (crash.has(j.id)) {
        ended(j.id, 'worker exited with SIGSEGV');
        continue;
      }
      const priced = Object.fromEntries(
        j.pointIds.map((id) => {
          const p = rec.points.find((x) => x.id === id)!;
          const acc = p.mode === 'original' ? 0.9 : 0.895;
          return [id, { testAccuracy: acc, snnAccuracy: acc, mpes: p.crossbar, utilisation: 1, area_mm2: p.crossbar / (p.mode === 'original' ? 1 : 2), energy_uJ: 1 }];
        }),
      );
      writeJobRecord(sweepDir, { jobId: j.id, status: 'completed', owner: thisProcess(), startedAt: '', priced });
      ended(j.id);
    }
  };
}

test('a job whose process dies is recorded as failed with the reason; the other points finish', async () => {
  const root = tmpDir();
  const loaded = loadConfigObject(config, root);
  const ran: string[] = [];
  const out = await executeSweep({ loaded, outRoot: root, emit: () => {}, runJobs: fakeRunner(new Set(['j01']), ran) });
  assert.equal(out.status, 'completed');
  assert.deepEqual(ran, ['j00', 'j01', 'j02', 'j03']);
  const rec = readJobRecord(out.dir, 'j01')!;
  assert.equal(rec.status, 'failed');
  assert.equal(rec.error!.message, 'worker exited with SIGSEGV');
  const front = readFront(out.dir)!;
  const failed = front.points.filter((p) => p.status === 'failed');
  assert.deepEqual(failed.map((p) => p.jobId), ['j01', 'j01']);
  assert.ok(failed.every((p) => p.error === 'worker exited with SIGSEGV'));
  assert.equal(front.points.filter((p) => p.figures).length, 4);
  assert.ok(front.recommended);
});

test('a stopped sweep resumes into its folder and runs only the trainings not done', async () => {
  const root = tmpDir();
  const loaded = loadConfigObject(config, root);
  const first: string[] = [];
  const a = await executeSweep({ loaded, outRoot: root, emit: () => {}, runJobs: fakeRunner(new Set(), first, 2) });
  assert.equal(a.status, 'interrupted');
  assert.equal(readSweep(a.dir)!.status, 'interrupted');
  const second: string[] = [];
  const b = await executeSweep({ loaded, outRoot: path.join(root, 'elsewhere'), resumeDir: a.dir, emit: () => {}, runJobs: fakeRunner(new Set(), second) });
  assert.equal(b.dir, a.dir);
  assert.equal(b.status, 'completed');
  assert.deepEqual(first, ['j00', 'j01']);
  assert.deepEqual(second, ['j02', 'j03']);
  assert.equal(readSweep(a.dir)!.resumes, 1);
  assert.equal(readFront(a.dir)!.done, 6);
  // A resume with another plan is refused, saying why.
  const other = loadConfigObject({ ...config, sweep: { grid: { crossbar: [16] } } }, root);
  await assert.rejects(executeSweep({ loaded: other, outRoot: root, resumeDir: a.dir, emit: () => {}, runJobs: fakeRunner(new Set(), []) }), /was planned from a different sweep/);
});
