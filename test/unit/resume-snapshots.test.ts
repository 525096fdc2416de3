/** A resumed run's connectivity snapshots: the stopped run's end is not labelled "final" any more; only the resumed run's end is. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createRunDir, listSnapshots, packBits, readSnapshot, RunWriter } from '../../src/engine/store/runFolder';
import { validateConfig } from '../../src/engine/config/validate';
import { tmpDir } from '../helpers/files';
import type { ConnectivitySnapshot, SnapshotReason } from '../../src/engine/format/clusters';

const config = () => validateConfig({ name: 't', dataset: { name: 'synthetic' }, network: { layers: [64, 4] }, training: { epochs: 3 } }).config!;
const snap = (epoch: number, reasons: SnapshotReason[]): ConnectivitySnapshot => ({
  epoch,
  reasons,
  layers: [{ rows: 3, cols: 7, bits: packBits(Uint8Array.from({ length: 21 }, (_, k) => (k + epoch) % 2)), clusters: [] }],
});

test('stopped at epoch 2 and resumed to epoch 3: one "final" snapshot, at epoch 3; the other labels stay', () => {
  const dir = createRunDir(tmpDir(), 'snap');
  const w = new RunWriter(dir, config());
  w.snapshot(snap(1, ['first']));
  // Stopped after epoch 2: the run labels where it stopped (as executeRun does), epoch 2 also being a clustering event here.
  w.snapshot(snap(2, ['clustering']));
  w.snapshot(snap(2, ['final']));
  w.finish('interrupted');
  assert.deepEqual(listSnapshots(dir), [
    { epoch: 1, reasons: ['first'] },
    { epoch: 2, reasons: ['clustering', 'final'] },
  ]);
  const r = RunWriter.resume(dir, { epoch: 2, batchesIntoEpoch: 0 });
  // Right after the resume the folder no longer calls epoch 2 its end.
  assert.deepEqual(listSnapshots(dir), [
    { epoch: 1, reasons: ['first'] },
    { epoch: 2, reasons: ['clustering'] },
  ]);
  r.snapshot(snap(3, ['final']));
  r.finish('completed');
  const list = listSnapshots(dir);
  assert.deepEqual(list.filter((s) => s.reasons.includes('final')).map((s) => s.epoch), [3]);
  assert.deepEqual(list, [
    { epoch: 1, reasons: ['first'] },
    { epoch: 2, reasons: ['clustering'] },
    { epoch: 3, reasons: ['final'] },
  ]);
  // The kept snapshot's connectivity is the one recorded, untouched.
  assert.deepEqual(Array.from(readSnapshot(dir, 2)!.layers[0].bits), Array.from(snap(2, []).layers[0].bits));
});

test('a snapshot taken only because the run stopped there goes (a run that never stopped has none there); later epochs go too', () => {
  const dir = createRunDir(tmpDir(), 'snap');
  const w = new RunWriter(dir, config());
  w.snapshot(snap(1, ['first']));
  w.snapshot(snap(2, ['final']));
  w.finish('interrupted');
  const r = RunWriter.resume(dir, { epoch: 1, batchesIntoEpoch: 4 });
  assert.deepEqual(listSnapshots(dir), [{ epoch: 1, reasons: ['first'] }]);
  r.snapshot(snap(3, ['final']));
  assert.deepEqual(listSnapshots(dir), [
    { epoch: 1, reasons: ['first'] },
    { epoch: 3, reasons: ['final'] },
  ]);
});
