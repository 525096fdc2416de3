/**
 * `trannsformer compare --seeds`: every mode trained once per seed, the
 * table over seeds printed and written to compare.json (rows carry their
 * seed, the summary its spreads), and bad seed lists refused before any
 * training. Needs dist/cli.js (`npm run build`).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readRun } from '../../src/engine/store/runFolder';
import type { CompareResult } from '../../src/engine/format/compare';
import { tmpDir } from '../helpers/files';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

const config = (extra: Record<string, unknown> = {}) => ({
  name: 'synth',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 600, testSize: 200, noise: 0.3 } },
  network: { layers: [48, 40, 5], init: { distribution: 'he' } },
  training: { epochs: 3, batchSize: 50, learningRate: 0.1 },
  transform: { crossbar: 16, clusterStart: 2 },
  hardware: { evaluate: false },
  backend: 'wasm',
  ...extra,
});

function run(dir: string, cfg: object, args: string[]) {
  const file = path.join(dir, 'exp.trannsformer.json');
  fs.writeFileSync(file, JSON.stringify(cfg));
  return spawnSync(process.execPath, [CLI, 'compare', file, '--out', 'runs', ...args], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
}

test('compare --seeds 3,4: every mode per seed, the table over seeds, compare.json with seeds and summary', () => {
  const dir = tmpDir();
  const r = run(dir, config(), ['--seeds', '3,4', '--modes', 'original,trannsformer']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /over 2 seeds \(3, 4\): mean ± sample standard deviation, and min–max/);
  assert.match(r.stderr, /^original +2\/2 +\d+\.\d\d ± \d+\.\d\d%/m);
  assert.match(r.stderr, /^trannsformer +2\/2 .*(no measurable loss|loss of|above the original)/m);
  const compareDir = path.join(dir, 'runs', fs.readdirSync(path.join(dir, 'runs'))[0]);
  const c = JSON.parse(fs.readFileSync(path.join(compareDir, 'compare.json'), 'utf8')) as CompareResult;
  assert.deepEqual(c.seeds, [3, 4]);
  assert.deepEqual(
    c.rows.map((x) => `${x.mode}-${x.seed}`).sort(),
    ['original-3', 'original-4', 'trannsformer-3', 'trannsformer-4'],
  );
  for (const row of c.rows) {
    // Each run trained with its own seed, in a folder named after mode and seed.
    assert.equal(readRun(row.runDir).config!.training.seed, row.seed);
    assert.match(path.basename(row.runDir), new RegExp(`${row.mode}-s${row.seed}$`));
  }
  const t = c.summary!.find((s) => s.mode === 'trannsformer')!;
  assert.equal(t.completed, 2);
  assert.equal(t.testAccuracy!.n, 2);
  assert.equal(t.deltaAccuracy!.n, 2);
  const acc = c.rows.filter((x) => x.mode === 'trannsformer').map((x) => x.testAccuracy!);
  assert.ok(Math.abs(t.testAccuracy!.mean - (acc[0] + acc[1]) / 2) < 1e-12);
  assert.ok(fs.existsSync(path.join(compareDir, 'report.html')));
  assert.match(fs.readFileSync(path.join(compareDir, 'report.html'), 'utf8'), /<h2>Over seeds<\/h2>/);
});

test('compare takes compare.seeds from the config; --seeds overrides it; bad lists are refused before training', () => {
  const dir = tmpDir();
  const bad = (args: string[], cfg: object, pattern: RegExp) => {
    const r = run(dir, cfg, args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(fs.existsSync(path.join(dir, 'runs')), false, 'nothing trained');
  };
  bad(['--seeds', '1,1'], config(), /--seeds.*twice/);
  bad(['--seeds', '1,x'], config(), /--seeds.*whole numbers.*"x"/);
  bad(['--seeds', '-1'], config(), /--seeds/);
  bad([], config({ compare: { seeds: [2, 2] } }), /compare\.seeds/);
  bad([], config({ compare: { seedz: [2] } }), /compare/);
  const r = run(dir, config({ compare: { seeds: [5, 6] } }), ['--modes', 'original']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /over 2 seeds \(5, 6\)/);
  const r2 = spawnSync(process.execPath, [CLI, 'run', path.join(dir, 'exp.trannsformer.json'), '--seeds', '1,2'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /--seeds.*compare only/);
});
