import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { clock, etaMinutes, sessionText, sweepPercent, sweepProgressText, type SweepProgress } from '../../src/extension/progressText';
import { RunSession } from '../../src/extension/runSession';

const progress = (o: Partial<SweepProgress>): SweepProgress => ({ type: 'sweep-progress', jobsDone: 0, jobsTotal: 5, fraction: 0, etaSeconds: NaN, running: [], ...o });

test('a sweep whose last training is still running is not 100% and has an ETA above 0 (the reported "100% · 4/5 · ETA 0 min")', () => {
  const e = progress({ jobsDone: 4, fraction: 0.997, etaSeconds: 0, running: [{ jobId: 'j005', epoch: 10, epochs: 10 }] });
  const text = sweepProgressText(e);
  assert.equal(sweepPercent(e), 99);
  assert.doesNotMatch(text, /100%/);
  assert.doesNotMatch(text, /ETA 0\b/);
  assert.equal(text, '4/5 trainings · j005 epoch 10/10 · 99% · ETA <1 min');
});

test('the sweep text: trainings done of all, the running trainings\' epochs, share done, ETA in minutes', () => {
  const e = progress({ jobsDone: 1, fraction: 0.4712, etaSeconds: 330, running: [{ jobId: 'j002', epoch: 3, epochs: 10 }, { jobId: 'j003', epoch: 1, epochs: 10 }, { jobId: 'j004', epoch: 1, epochs: 4 }] });
  assert.equal(sweepProgressText(e), '1/5 trainings · j002 epoch 3/10 · j003 epoch 1/10 · +1 more · 47% · ETA 6 min');
  assert.equal(sweepProgressText(progress({})), '0/5 trainings · 0% · ETA ?');
  assert.equal(sweepPercent(progress({ jobsDone: 5, fraction: 1, etaSeconds: 0 })), 100);
  assert.equal(etaMinutes(0, false), 'done');
  assert.equal(etaMinutes(-3, true), '?');
  assert.equal(sweepPercent(progress({ fraction: NaN })), 0);
});

test('the status bar of a sweep session shows the sweep from its start, not "starting…"', () => {
  const s = new RunSession({ kind: 'sweep', configFile: '/x/a.trannsformer.json', outRoot: '/x/runs', cliPath: '/nope/cli.js', cwd: '/x' });
  const snap = () => sessionText({ cancelling: false, progress: s.lastProgress, epoch: s.lastEpoch, sweep: s.lastSweep });
  assert.equal(snap(), '');
  // Events as the CLI prints them, through the session's own line handling.
  const feed = (e: object) => (s as unknown as { handle(e: object): void }).handle(e);
  feed({ type: 'sweep-started', sweepDir: '/x/runs/s', name: 's', points: 6, jobs: 4, todo: 4, resumed: false, parallel: 2, threads: 1 });
  assert.equal(snap(), 'sweep 0/4 trainings · 0% · ETA ?');
  feed({ type: 'sweep-progress', jobsDone: 2, jobsTotal: 4, fraction: 0.6, etaSeconds: 125, running: [{ jobId: 'j003', epoch: 2, epochs: 5 }] });
  assert.equal(snap(), 'sweep 2/4 trainings · j003 epoch 2/5 · 60% · ETA 3 min');
});

test('a run: epoch, accuracy, mPEs and an m:ss ETA that never reads 0:60', () => {
  assert.equal(
    sessionText({ cancelling: true, training: 'pruning (run 2)', progress: { epoch: 3, epochs: 10, etaSeconds: 119.6 }, epoch: { testAccuracy: 0.9712, transform: { mpes: 42 } as never } }),
    'stopping… · pruning (run 2) · epoch 3/10 · test 97.12% · 42 mPEs · ETA 2:00',
  );
  assert.equal(clock(59.6), '1:00');
  assert.equal(clock(61), '1:01');
});
