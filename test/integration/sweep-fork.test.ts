/**
 * Checkpoint forking gives the same numbers as training every point from
 * epoch 1: a sweep over crossbar sizes (TraNNsformer trainings that differ
 * only from clusterStart on) against each point run alone, weights, masks
 * and per-epoch metrics compared bit for bit. `npm test` builds dist/cli.js.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readMetrics, readModel, readRun, subfolders } from '../../src/engine/store/runFolder';
import { readSweep } from '../../src/engine/store/sweepFolder';
import { tmpDir } from '../helpers/files';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

const config = {
  name: 'fork',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 2000, testSize: 300, noise: 0.9 } },
  network: { layers: [48, 64, 32, 5], init: { distribution: 'he' } },
  training: { epochs: 6, batchSize: 50, learningRate: 0.1, seed: 5 },
  transform: { mode: 'trannsformer', crossbar: 16, clusterStart: 3, clusterPruneStart: 5 },
  hardware: { snnImages: 100, timesteps: 20 },
  backend: 'wasm',
  sweep: { grid: { crossbar: [16, 24, 32] } },
};

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${args.join(' ')}\n${r.stderr}`);
  return r;
}

const sameBits = (a: ArrayBufferView, b: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const withoutTimes = (dir: string) => readMetrics(dir).metrics.map((m) => ({ ...m, seconds: 0, trainSeconds: 0, samplesPerSecond: 0 }));

test('checkpoint forking: forked points end exactly as unshared runs of the same points', { timeout: 600_000 }, () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(config));
  // One process at a time (children find their parent's checkpoint); the budget gives it both cores: training.workers 2.
  const out = cli(['sweep', 'cfg.json', '--out', 'sw', '--parallel', '1'], dir);
  assert.match(out.stderr, /checkpoint forking saves 4 training epochs/);
  const sweepDir = subfolders(path.join(dir, 'sw'))[0];
  const rec = readSweep(sweepDir)!;
  assert.equal(rec.sharing.checkpointForking, true);
  assert.ok(fs.readdirSync(sweepDir).some((n) => /^fork-j\d+-e2\.tnsr$/.test(n)), 'the parent saved its checkpoint');
  const workers = String(rec.jobs[0].threads);
  for (const x of [16, 24, 32]) {
    const shared = subfolders(sweepDir).find((d) => d.includes(`-x${x}-`))!;
    cli(['run', 'cfg.json', '--crossbar', String(x), '--workers', workers, '--out', `solo${x}`], dir);
    const alone = subfolders(path.join(dir, `solo${x}`))[0];
    const forked = readRun(shared).result!.forkedFrom;
    if (x === 16) assert.equal(forked, undefined, 'the parent trains from epoch 1');
    else assert.equal(forked?.epoch, 2, `x${x} starts after epoch 2`);
    const a = readModel(shared);
    const b = readModel(alone);
    a.weights.forEach((w, l) => assert.ok(sameBits(w, b.weights[l]), `x${x}: weights of layer ${l + 1} differ`));
    a.masks.forEach((m, l) => assert.ok(sameBits(m, b.masks[l]), `x${x}: masks of layer ${l + 1} differ`));
    assert.deepEqual(withoutTimes(shared), withoutTimes(alone), `x${x}: per-epoch metrics differ (copied epochs included)`);
    assert.deepEqual(readRun(shared).result!.mapping, readRun(alone).result!.mapping, `x${x}: mapping differs`);
  }
});
