/**
 * The CLI refuses what cannot work before it creates anything: a network
 * that cannot fit in memory (validated with its estimate; it used to pass
 * validation, create its run folder and crash), and an output folder that
 * is empty, a file or under /proc (where the run used to spin at 100% CPU).
 * The CLI runs from source (tsx) under a timeout, so a hang fails the test.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpDir } from '../helpers/files';
import { ROOT } from './isolated';

const CLI = path.join(ROOT, 'src', 'cli.ts');

function cli(args: string[], timeout = 30_000) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout, killSignal: 'SIGKILL' });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

function config(dir: string, layers: number[]): string {
  const file = path.join(dir, 'exp.trannsformer.json');
  const cfg = { name: 'limits', dataset: { name: 'synthetic', synthetic: { inputSize: layers[0], classes: layers[layers.length - 1], trainSize: 40, testSize: 10 } }, network: { layers }, training: { epochs: 1, batchSize: 10 }, hardware: { evaluate: false } };
  fs.writeFileSync(file, JSON.stringify(cfg));
  return file;
}

test('a network that cannot fit in memory: exit 2 at validation, the estimate said, no run folder created', { timeout: 120_000 }, () => {
  const dir = tmpDir();
  const file = config(dir, [16, 100000, 100000, 100000, 4]);
  const out = path.join(dir, 'runs');
  const v = cli(['validate', file]);
  assert.equal(v.status, 2, v.stdout + v.stderr);
  assert.match(v.stdout, /error network\.memory: network\.layers: training needs about 2\.0 TB of memory/);
  for (const cmd of ['run', 'compare']) {
    const r = cli([cmd, file, '--out', out]);
    assert.equal(r.status, 2, `${cmd}: ${r.stderr}`);
    assert.match(r.stderr, /network\.memory/);
    assert.equal(fs.existsSync(out), false, `${cmd} created ${out}`);
  }
  const j = cli(['run', file, '--out', out, '--json']);
  assert.equal(j.status, 2);
  const events = j.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; message?: string });
  assert.ok(events.some((e) => e.type === 'error' && /network\.memory|needs about 2\.0 TB/.test(e.message ?? '')), j.stdout);
  assert.equal(fs.existsSync(out), false);
});

test('--out under /proc or /sys, empty, or a file: exit 2 at once, naming the path (not a 100% CPU spin)', { timeout: 180_000 }, () => {
  const dir = tmpDir();
  const file = config(dir, [16, 8, 4]);
  const plain = path.join(dir, 'plain-file');
  fs.writeFileSync(plain, '');
  const cases: [string[], RegExp][] = [
    [['run', file, '--out', '/proc/trannsformer-out'], /--out: \/proc\/trannsformer-out is under \/proc/],
    [['compare', file, '--out', '/proc/trannsformer-out/deeper'], /under \/proc/],
    [['run', file, '--out', '/sys/trannsformer'], /under \/sys/],
    [['run', file, '--out', ''], /--out: is empty/],
    [['run', file, '--out', plain], new RegExp(`${plain} is a file, not a folder`)],
    [['run', file, '--out', path.join(plain, 'runs')], /cannot be created: .* is a file, not a folder/],
    [['evaluate', '/proc/self'], /under \/proc/],
    [['report', plain], /is a file, not a folder/],
  ];
  for (const [args, what] of cases) {
    const r = cli(args, 20_000);
    assert.equal(r.signal, null, `${args.join(' ')}: killed after ${r.ms} ms (hung)`);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, what, args.join(' '));
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, 'no stack trace');
  }
});
