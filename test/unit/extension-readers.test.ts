/**
 * The extension's readers keep a damaged record to its own item (the Runs
 * view, sweep point rows, Run details), and read large files bounded and off
 * the event loop (a FIFO, a link to /dev/zero, a sparse file over the cap).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tmpDir } from '../helpers/files';
import { describeRun, readRunsFolder, runRow, sweepPointRows } from '../../src/extension/runsModel';
import { detailsOf, sweepDetailsOf } from '../../src/extension/detailsModel';
import { readBoundedTextAsync, readMetricsAsync } from '../../src/extension/folderFiles';

const FIX = path.join(__dirname, '..', 'fixtures', 'extension-readers');
const SWEEP = '20261202-102229-tiny-sweep';
const RUN = '20261202-102232-trannsformer-x16-j04';

function root(): { root: string; sweep: string; solo: string } {
  const r = tmpDir('trn-readers-');
  fs.cpSync(path.join(FIX, SWEEP), path.join(r, SWEEP), { recursive: true });
  fs.cpSync(path.join(FIX, SWEEP, RUN), path.join(r, '20261126-090000-solo'), { recursive: true });
  return { root: r, sweep: path.join(r, SWEEP), solo: path.join(r, '20261126-090000-solo') };
}

const edit = (file: string, change: (v: Record<string, unknown>) => void) => {
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(v);
  fs.writeFileSync(file, JSON.stringify(v));
};

test('a null point in pareto.json: the Runs view still lists everything, the sweep says pareto.json is damaged and still expands', () => {
  const { root: r, sweep } = root();
  edit(path.join(sweep, 'pareto.json'), (v) => ((v.points as unknown[])[0] = null));
  const entries = readRunsFolder(r);
  assert.equal(entries.length, 2);
  const s = entries.find((e) => e.kind === 'compare');
  assert.ok(s?.kind === 'compare' && s.sweep);
  assert.deepEqual(s.damaged, ['damaged: pareto.json: point 1: not an object']);
  assert.equal(s.runs.length, 6);
  const rows = sweepPointRows(sweep);
  assert.equal(rows.length, 8);
  assert.ok(rows.every((x) => x.state === 'done'), 'figures come from the job records when pareto.json lost them');
  assert.match(sweepDetailsOf(sweep)?.noRecommendation ?? '', /damaged: pareto\.json: point 1/);
});

test('a damaged figure in pareto.json or a job record: that point says which file, the others are drawn', () => {
  const { sweep } = root();
  edit(path.join(sweep, 'job-j04.json'), (v) => ((v.priced as Record<string, unknown>).p3 = { area_mm2: 'NaN' }));
  const rows = sweepPointRows(sweep);
  const bad = rows.filter((x) => x.state === 'damaged');
  assert.ok(bad.length >= 1);
  assert.ok(bad.every((x) => x.description.includes('damaged: job-j04.json: priced.p3: area_mm2 is not a number')), bad.map((x) => x.description).join('\n'));
  assert.equal(rows.filter((x) => x.state === 'done').length, 8 - bad.length);
});

test('a primitive hardware field in result.json: the run is one damaged item naming the file; describeRun does not throw', async () => {
  const { root: r, solo } = root();
  edit(path.join(solo, 'result.json'), (v) => (v.hardware = 5));
  const entries = readRunsFolder(r);
  const run = entries.find((e) => e.kind === 'run');
  assert.ok(run?.kind === 'run');
  assert.equal(run.record.state, 'corrupt');
  assert.equal(run.record.problem, 'damaged: result.json: hardware is not an object');
  assert.equal(describeRun(run.record), 'damaged: result.json: hardware is not an object');
  assert.equal(runRow(run.record, false).description, 'damaged: result.json: hardware is not an object');
  const d = await detailsOf(solo, false);
  assert.equal(d.error, 'damaged: result.json: hardware is not an object');
  assert.deepEqual(d.metrics, []);
});

test('Run details: damaged metrics lines are left out and counted, naming metrics.jsonl', async () => {
  const { solo } = root();
  const file = path.join(solo, 'metrics.jsonl');
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const second = JSON.parse(lines[1]) as Record<string, unknown>;
  second.keptFraction = null;
  fs.writeFileSync(file, [lines[0], JSON.stringify(second), 'null', ...lines.slice(2)].join('\n') + '\n');
  const d = await detailsOf(solo, false);
  assert.equal(d.metrics.length, lines.length - 1);
  assert.match(d.error ?? '', /damaged: metrics\.jsonl: 2 lines not an epoch record, left out/);
});

test('large files are read bounded and asynchronously: a FIFO, a link to /dev/zero, a sparse file over the cap', async () => {
  const dir = tmpDir('trn-bounded-');
  const fifo = path.join(dir, 'metrics.jsonl');
  execFileSync('mkfifo', [fifo]);
  const t0 = Date.now();
  await assert.rejects(readBoundedTextAsync(fifo, 'metrics'), /not a regular file/);
  assert.ok(Date.now() - t0 < 2000, 'a FIFO with no writer does not block');
  const zero = path.join(dir, 'zero.jsonl');
  fs.symlinkSync('/dev/zero', zero);
  await assert.rejects(readBoundedTextAsync(zero, 'metrics'), /not a regular file/);
  const sparse = path.join(dir, 'sparse.jsonl');
  fs.closeSync(fs.openSync(sparse, 'w'));
  fs.truncateSync(sparse, 300 * 2 ** 20);
  const before = process.memoryUsage().rss;
  await assert.rejects(readBoundedTextAsync(sparse, 'metrics'), /300 MiB is over the 256 MiB a metrics log may have/);
  assert.ok(process.memoryUsage().rss - before < 64 * 2 ** 20, 'nothing of the sparse file was read');
  const m = await readMetricsAsync(fifo);
  assert.deepEqual(m.metrics, []);
  assert.match(m.problem ?? '', /^damaged: metrics\.jsonl: .*not a regular file/);
  // While a read waits on the disk, the event loop runs.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const ok = path.join(dir, 'ok.jsonl');
  fs.writeFileSync(ok, `${'{"epoch":1}\n'.repeat(200_000)}`);
  assert.equal((await readBoundedTextAsync(ok, 'metrics')).length, 12 * 200_000);
  clearInterval(timer);
  assert.ok(ticks > 0);
});

test('the store\'s own refusals read "damaged: <file>: <reason>" in the Runs view', () => {
  const { root: r, solo } = root();
  const result = path.join(solo, 'result.json');
  const cases: [string, RegExp][] = [
    ['{"format":"trannsformer-run"', /^damaged: result\.json: .*not valid JSON/],
    ['{"format":"other","status":"completed"}', /^damaged: result\.json: not a TraNNsformer run record$/],
  ];
  for (const [text, want] of cases) {
    fs.writeFileSync(result, text);
    const run = readRunsFolder(r).find((e) => e.kind === 'run');
    assert.ok(run?.kind === 'run');
    assert.match(run.record.problem ?? '', want);
  }
  fs.rmSync(result);
  fs.symlinkSync('/dev/zero', result);
  const run = readRunsFolder(r).find((e) => e.kind === 'run');
  assert.ok(run?.kind === 'run');
  assert.match(run.record.problem ?? '', /^damaged: result\.json: .*not a regular file: refused/);
});
