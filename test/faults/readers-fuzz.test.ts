/**
 * Fuzzing the dataset readers (IDX raw and gzip, CIFAR-10 binary, SVHN .mat
 * v5 plain, compressed and as Octave writes it, and files shaped like the
 * real ones): every mutated file either reads or fails with a UserError
 * naming the file; no case hangs (a watchdog kills a child process silent
 * for 10 s), none takes long, and the process never holds more than 1.5 GiB.
 *
 * Seeded: FUZZ_SEED=<n> reproduces a run; a failure prints the seed, the
 * format, the case index and the command that replays the case range.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runIsolated } from './isolated';
import type { CaseLine, Format } from './readers-fuzz.worker';
import type { SpecialLine } from './readers-special.worker';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const MAX_RSS = 1.5 * 2 ** 30;
const WORKER = path.join(__dirname, 'readers-fuzz.worker.ts');

/** Cases per format: ≥ 1,000 each for IDX (raw + gzip), CIFAR-10 and SVHN .mat; a few real-sized files. */
const PLAN: { format: Format; cases: number; perCaseMs: number }[] = [
  { format: 'idx', cases: 1000, perCaseMs: 1000 },
  { format: 'idx-gz', cases: 1000, perCaseMs: 1000 },
  { format: 'cifar', cases: 1000, perCaseMs: 1000 },
  { format: 'mat', cases: 500, perCaseMs: 1000 },
  { format: 'mat-z', cases: 500, perCaseMs: 1000 },
  { format: 'mat-octave', cases: 300, perCaseMs: 1000 },
  // 10,000 × 3073-byte records (30.7 MB), as data_batch_N.bin
  { format: 'cifar-real', cases: 12, perCaseMs: 5000 },
  // MATLAB 5.0, X uint8 32×32×3×26032 and y double 26032×1, compressed (test_32x32.mat's shape)
  { format: 'svhn-real', cases: 6, perCaseMs: 5000 },
];

test(`dataset readers: mutated files read or fail with a UserError naming the file, bounded in time and memory (seed ${SEED})`, { timeout: 300_000 }, async () => {
  const t0 = Date.now();
  const failures: string[] = [];
  let total = 0;
  for (const { format, cases, perCaseMs } of PLAN) {
    const replay = `node --import tsx test/faults/readers-fuzz.worker.ts ${format} ${SEED} 0 ${cases}`;
    const r = await runIsolated<CaseLine>(WORKER, [format, String(SEED), '0', String(cases)], { silenceMs: 10_000 + perCaseMs, totalMs: 120_000, maxRssBytes: MAX_RSS });
    const last = r.lines.at(-1);
    if (r.killed || r.code !== 0)
      failures.push(`${format}: child ${r.killed ? `killed: ${r.killed}` : `exited ${r.code ?? r.signal}`} after case ${last?.i ?? 'none'} (the next case, ${last ? last.i + 1 : 0}, is the culprit): seed ${SEED}; replay: ${replay}\n${r.stderr.slice(-2000)}`);
    for (const c of r.lines) {
      const where = `${format} case ${c.i} (seed ${SEED}, ${c.mutation})`;
      if (c.mutation === 'none' && c.outcome !== 'ok') failures.push(`${where}: the unmutated real-shaped file does not read: ${c.message}`);
      if (c.outcome === 'other-error') failures.push(`${where}: not a UserError: ${c.message}`);
      else if (c.outcome === 'user-error' && !c.message!.includes(c.file) && !c.message!.includes(path.dirname(c.file)))
        failures.push(`${where}: the message does not name the file ${c.file}: ${c.message}`);
      if (c.ms > perCaseMs) failures.push(`${where}: took ${c.ms.toFixed(0)} ms (limit ${perCaseMs})`);
      if (c.rss > MAX_RSS) failures.push(`${where}: resident memory ${(c.rss / 2 ** 20).toFixed(0)} MiB`);
    }
    total += r.lines.length;
    const counts = r.lines.reduce<Record<string, number>>((a, c) => ((a[c.outcome] = (a[c.outcome] ?? 0) + 1), a), {});
    console.log(`# ${format}: ${r.lines.length}/${cases} cases ${JSON.stringify(counts)}, max ${Math.max(0, ...r.lines.map((c) => c.ms)).toFixed(1)} ms/case, max RSS ${(r.maxRss / 2 ** 20).toFixed(0)} MiB`);
    if (!r.killed) assert.equal(r.lines.length, cases, `${format}: every case reported`);
  }
  console.log(`# ${total} mutated files in ${((Date.now() - t0) / 1000).toFixed(1)} s, seed ${SEED}`);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
});

test('dataset readers refuse devices, FIFOs and folders at once (never read forever or block)', { timeout: 60_000 }, async () => {
  const r = await runIsolated<SpecialLine>(path.join(__dirname, 'readers-special.worker.ts'), [], { silenceMs: 10_000, totalMs: 30_000, maxRssBytes: MAX_RSS });
  assert.equal(r.killed, undefined, `a reader hung or ran away after "${r.lines.at(-1)?.name ?? 'the start'}": ${r.killed}`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.lines.length, 10);
  for (const l of r.lines) {
    assert.equal(l.outcome, 'user-error', `${l.name}: ${l.message}`);
    assert.ok(l.message!.includes(l.names), `${l.name}: "${l.message}" should name ${l.names}`);
    assert.match(l.message!, /not a regular file|not a folder/, l.name);
    assert.ok(l.ms < 1000, `${l.name}: ${l.ms} ms`);
  }
});
