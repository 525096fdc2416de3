/**
 * Shared work gives the numbers of unshared work: every point of a sweep
 * (original and pruning trained once and re-priced at other sizes and
 * presets; TraNNsformer once per size) equals the same point run on its
 * own from scratch. Trains small synthetic networks in this process (wasm).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfigObject, withOverrides } from '../../src/engine/config/resolve';
import { executeSweep } from '../../src/engine/experiment/sweep';
import { executeRun } from '../../src/engine/experiment/run';
import { readFront, readSweep } from '../../src/engine/store/sweepFolder';
import { tmpDir } from '../helpers/files';
import type { RunHardwareSummary } from '../../src/engine/format/run';

const config = {
  name: 'share',
  dataset: { name: 'synthetic', synthetic: { inputSize: 40, classes: 4, trainSize: 600, testSize: 200, noise: 0.3 } },
  network: { layers: [40, 30, 4], init: { distribution: 'he' } },
  training: { epochs: 4, batchSize: 50, learningRate: 0.1 },
  transform: { clusterStart: 2 },
  hardware: { snnImages: 100, timesteps: 30 },
  backend: 'wasm',
  sweep: { grid: { crossbar: [16, 32], mode: ['original', 'pruning', 'trannsformer'], preset: ['resparc-45nm', 'puma-32nm'] } },
};

test('every shared point has exactly the figures of the same point run alone', async () => {
  const dir = tmpDir();
  const loaded = loadConfigObject(config, dir);
  const quiet = () => {};
  const sweep = await executeSweep({ loaded, outRoot: path.join(dir, 'sweeps'), emit: quiet });
  assert.equal(sweep.status, 'completed');
  const front = readFront(sweep.dir)!;
  const rec = readSweep(sweep.dir)!;
  assert.equal(rec.jobs.length, 4, 'original 1, pruning 1, trannsformer 2');
  assert.equal(front.points.filter((p) => p.repriced).length, 12 - 4);
  // Every training is a normal run folder inside the sweep folder.
  assert.equal(fs.readdirSync(sweep.dir).filter((n) => fs.statSync(path.join(sweep.dir, n)).isDirectory()).length, 4);
  const plain = { ...loaded, raw: { ...(loaded.raw as object), sweep: undefined } };
  delete (plain.raw as Record<string, unknown>).sweep;
  for (const p of rec.points) {
    const fp = front.points.find((x) => x.id === p.id)!;
    assert.equal(fp.status, 'completed', `${p.id}: ${fp.error}`);
    const alone = withOverrides(plain, [...p.axes.map((a) => ({ path: a.path, value: a.value, source: 'test' })), { path: ['name'], value: `alone-${p.id}`, source: 'test' }]);
    const { result } = await executeRun({ loaded: alone, outRoot: path.join(dir, 'alone'), emit: quiet });
    const hw = result.hardware as RunHardwareSummary;
    const f = fp.figures!;
    const what = `${p.id} (${p.mode}, ${p.crossbar}, ${p.preset}${fp.repriced ? ', re-priced' : ''})`;
    assert.equal(f.testAccuracy, result.final!.testAccuracy, `${what}: accuracy`);
    assert.equal(f.mpes, result.mapping!.mpes, `${what}: mPEs`);
    assert.equal(f.snnAccuracy, hw.snnAccuracy, `${what}: SNN accuracy`);
    assert.equal(f.area_mm2, hw.area_mm2, `${what}: area`);
    assert.equal(f.energy_uJ, hw.energy_uJ, `${what}: energy`);
  }
});
