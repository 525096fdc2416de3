/** The Runs view lists a sweep folder as one node with its training runs (not as a damaged run), and a comparison as before. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRunsFolder, configName } from '../../src/extension/runsModel';
import { RunWriter, createRunDir } from '../../src/engine/store/runFolder';
import { createSweepDir, writeFront, writeSweep } from '../../src/engine/store/sweepFolder';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { planSweep } from '../../src/engine/experiment/sweepPlan';
import { computeFront } from '../../src/engine/experiment/sweep';
import { tmpDir } from '../helpers/files';
import type { SweepRecord } from '../../src/engine/format/sweep';

test('a sweep folder is one entry holding its runs, with points done and the recommendation', () => {
  const root = tmpDir();
  const loaded = loadConfigObject({
    name: 'synth',
    dataset: { name: 'synthetic' },
    network: { layers: [64, 20, 4] },
    training: { epochs: 2 },
    sweep: { grid: { crossbar: [16, 32], mode: ['original', 'pruning'] } },
  });
  const plan = planSweep(loaded);
  const dir = createSweepDir(root, 'synth', 'sweep');
  const rec = { format: 'trannsformer-sweep', formatVersion: 1, name: 'synth', kind: 'sweep', points: plan.points, jobs: plan.jobs, objectives: plan.objectives, accuracyLossLimit: 0.01, sharing: plan.sharing, status: 'running' } as unknown as SweepRecord;
  writeSweep(dir, rec);
  const run = createRunDir(dir, 'original-x16-j00');
  new RunWriter(run, loaded.config).finish('completed');
  writeFront(dir, computeFront(rec, new Map()));
  const entries = readRunsFolder(root);
  assert.equal(entries.length, 1);
  const e = entries[0];
  assert.equal(e.kind, 'compare');
  if (e.kind !== 'compare') return;
  assert.deepEqual(e.sweep, { done: 0, planned: 4, recommended: undefined });
  assert.equal(e.runs.length, 1);
  assert.equal(e.runs[0].state, 'ok');
  assert.equal(configName(e), 'synth');
  assert.ok(fs.existsSync(path.join(dir, 'points.csv')));
});
