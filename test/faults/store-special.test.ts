/**
 * Readers of run folders, sweep folders and config files against what a
 * cloned or tampered folder can hold instead of a record: a symbolic link
 * to /dev/zero, a FIFO, a folder, a sparse 3 GiB file, a symbolic link
 * loop. Each reader refuses it at once — an error naming the file, or (the
 * readers that never throw) nothing read — in bounded time and memory: the
 * child process is killed past 1 GiB resident or 10 s of silence, and each
 * case must take under 1 s.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runIsolated } from './isolated';
import { HAZARDS, READER_COUNT, type StoreLine } from './store-special.worker';
import { tmpDir } from '../helpers/files';

const MAX_RSS = 2 ** 30;
const CASE_MS = 1000;

test('store and config readers refuse devices, FIFOs, folders, sparse giants and link loops at once, naming the file', { timeout: 120_000 }, async () => {
  const r = await runIsolated<StoreLine>(path.join(__dirname, 'store-special.worker.ts'), [], { silenceMs: 10_000, totalMs: 90_000, maxRssBytes: MAX_RSS });
  const last = r.lines.at(-1);
  assert.equal(r.killed, undefined, `a reader hung or ran away after ${last ? `${last.reader} / ${last.hazard}` : 'the start'}: ${r.killed}`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.lines.length, READER_COUNT * HAZARDS.length);
  const failures: string[] = [];
  for (const l of r.lines) {
    const where = `${l.reader} / ${l.hazard}`;
    if (l.outcome === 'read') failures.push(`${where}: read something: ${l.message}`);
    if (l.outcome === 'threw' && !l.message?.includes(l.file)) failures.push(`${where}: the error does not name ${l.file}: ${l.message}`);
    if (l.hazard === 'sparse 3 GiB' && l.outcome === 'threw' && !/is over the \d+ [MG]iB .* may have/.test(l.message ?? '')) failures.push(`${where}: the error does not give the cap: ${l.message}`);
    if (l.ms > CASE_MS) failures.push(`${where}: took ${l.ms.toFixed(0)} ms`);
  }
  const maxMs = Math.max(...r.lines.map((l) => l.ms));
  console.log(`# ${r.lines.length} cases (${READER_COUNT} readers × ${HAZARDS.length} hazards): slowest ${maxMs.toFixed(1)} ms, max RSS ${(r.maxRss / 2 ** 20).toFixed(0)} MiB`);
  assert.deepEqual(failures, []);
});

test('validate refuses a config that is /dev/zero, a FIFO or a sparse 3 GiB file, naming it, within seconds', { timeout: 60_000 }, () => {
  const dir = tmpDir('trn-validate-special-');
  try {
    const fifo = path.join(dir, 'fifo.json');
    spawnSync('mkfifo', [fifo]);
    const sparse = path.join(dir, 'big.json');
    fs.writeFileSync(sparse, '');
    fs.truncateSync(sparse, 3 * 2 ** 30);
    for (const file of ['/dev/zero', fifo, sparse]) {
      const t0 = Date.now();
      const p = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'validate', file], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
      const ms = Date.now() - t0;
      assert.equal(p.signal, null, `${file}: validate was killed after ${ms} ms (hung or ran away)`);
      assert.equal(p.status, 2, `${file}: ${p.stdout}${p.stderr}`);
      assert.match(p.stdout, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: error file.unreadable: cannot read the config \\((is a|.* is over)`), p.stdout);
      assert.doesNotMatch(p.stderr, /\n\s+at /, `${file}: a stack trace`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
