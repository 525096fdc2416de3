/**
 * A sweep SIGKILLed in its first second — while its workers start, write
 * their job records and make their run folders — then resumed: every run
 * folder in the sweep folder is named by a job record (no orphans, no
 * staging folders left) and the front is the uninterrupted sweep's.
 * `npm test` builds dist/cli.js first.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readRun } from '../../src/engine/store/runFolder';
import { readFront, readJobRecord, readSweep } from '../../src/engine/store/sweepFolder';
import type { SweepFront } from '../../src/engine/format/sweep';
import { tmpDir } from '../helpers/files';
import { CLI, startSweep, untimed } from '../helpers/sweep';

const config = {
  name: 'orph',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 600, testSize: 200, noise: 1.0 } },
  network: { layers: [48, 32, 5], init: { distribution: 'he' } },
  training: { epochs: 3, batchSize: 50, learningRate: 0.1, seed: 3 },
  transform: { clusterStart: 2 },
  hardware: { snnImages: 50, timesteps: 20 },
  backend: 'wasm',
  sweep: { grid: { crossbar: [16], mode: ['original', 'pruning', 'trannsformer'] }, accuracyLossLimit: 0.05 },
};
const TRIALS = 15;

function essence(f: SweepFront) {
  return { points: f.points.map((p) => ({ id: p.id, status: p.status, figures: untimed(p.figures), rank: p.rank, accuracyLoss: p.accuracyLoss })), front: f.front, recommended: f.recommended };
}

/** Folders in the sweep folder no job record names (hidden staging folders included). */
function unnamed(sd: string): string[] {
  const rec = readSweep(sd)!;
  const named = new Set(rec.jobs.map((j) => readJobRecord(sd, j.id)?.runDir).filter((d): d is string => !!d).map((d) => path.basename(d)));
  return fs.readdirSync(sd).filter((n) => fs.statSync(path.join(sd, n)).isDirectory() && !named.has(n));
}

before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run "npm run build" (npm test does)'));

test(`a sweep SIGKILLed ${TRIALS} times 0–1000 ms after its folder exists, each resumed: no folder unnamed by a job record, the uninterrupted front`, async () => {
  const dir = tmpDir();
  const cfg = path.join(dir, 'orph.trannsformer.json');
  fs.writeFileSync(cfg, JSON.stringify(config, null, 2));
  const whole = spawnSync(process.execPath, [CLI, 'sweep', cfg, '--out', 'whole', '--parallel', '2'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(whole.status, 0, whole.stderr);
  const expected = essence(readFront(path.join(dir, 'whole', fs.readdirSync(path.join(dir, 'whole')).find((n) => n.endsWith('-sweep'))!))!);
  const failures: string[] = [];
  let runFoldersAtKill = 0;
  for (let t = 0; t < TRIALS; t++) {
    const delay = Math.round((t * 1000) / (TRIALS - 1));
    let sd: string | undefined;
    const killed = await startSweep([cfg, '--out', `k${t}`, '--parallel', '2'], dir, (e, kill) => {
      if (e.type !== 'sweep-started') return;
      sd = e.sweepDir;
      setTimeout(() => kill('SIGKILL'), delay);
    });
    assert.ok(sd, `trial ${t}: no sweep-started event: ${killed.stderr}`);
    assert.equal(killed.signal, 'SIGKILL', `trial ${t} (${delay} ms): the sweep ended before the kill`);
    runFoldersAtKill += fs.readdirSync(sd).filter((n) => fs.statSync(path.join(sd!, n)).isDirectory()).length;
    const r = spawnSync(process.execPath, [CLI, 'sweep', cfg, '--resume', sd, '--parallel', '2'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `trial ${t} (${delay} ms): ${r.stderr}`);
    const left = unnamed(sd);
    if (left.length) failures.push(`trial ${t} (${delay} ms): ${left.join(', ')}`);
    assert.deepEqual(essence(readFront(sd)!), expected, `trial ${t} (${delay} ms): the front differs`);
    for (const j of readSweep(sd)!.jobs) assert.equal(readRun(readJobRecord(sd, j.id)!.runDir!).result?.status, 'completed', `trial ${t}: ${j.id}`);
  }
  assert.deepEqual(failures, [], `folders no job record names after resuming`);
  // The kills fell where run folders are made: some trials had them already.
  assert.ok(runFoldersAtKill > 0, 'no trial was killed after a run folder existed');
});
