/**
 * Fuzzing the config validator: 1,500 configs mutated from
 * examples/*.trannsformer.json (type swaps, extreme numbers, NaN-like
 * strings, deep nesting, removed and unknown fields, odd keys, long arrays,
 * devices, FIFOs and pseudo-files as paths; the text damaged too) go
 * through validation as `run` does it, with the disk checks. Each must give
 * a list of well-formed problems or a valid config — never a throw — in
 * bounded time and memory (a child process under a watchdog: a hang, say a
 * preset read from a FIFO, fails the test instead of hanging it).
 *
 * Seeded: FUZZ_SEED=<n> reproduces a run; a failure prints the seed and
 * the case index.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runIsolated } from './isolated';
import type { ConfigCaseLine } from './config-fuzz.worker';
import { validateConfig } from '../../src/engine/config/validate';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const CASES = 1500;
const PER_CASE_MS = 3000;

test(`config validator: ${CASES} mutated example configs give problems or a valid config, never a throw (seed ${SEED})`, { timeout: 300_000 }, async () => {
  const t0 = Date.now();
  const replay = `node --import tsx test/faults/config-fuzz.worker.ts ${SEED} 0 ${CASES}`;
  const r = await runIsolated<ConfigCaseLine>(path.join(__dirname, 'config-fuzz.worker.ts'), [String(SEED), '0', String(CASES)], {
    silenceMs: 10_000,
    totalMs: 180_000,
    maxRssBytes: 1.5 * 2 ** 30,
  });
  const last = r.lines.at(-1);
  assert.equal(r.killed, undefined, `child killed after case ${last?.i ?? 'none'} (case ${last ? last.i + 1 : 0} is the culprit), seed ${SEED}: ${r.killed}; replay: ${replay}`);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  assert.equal(r.lines.length, CASES);
  const failures = r.lines
    .filter((c) => c.outcome === 'throw' || c.outcome === 'inconsistent' || c.ms > PER_CASE_MS)
    .map((c) => `case ${c.i} (seed ${SEED}, ${c.example}: ${c.mutations.join('; ')}): ${c.outcome}${c.ms > PER_CASE_MS ? ` in ${c.ms.toFixed(0)} ms` : ''}${c.message ? `: ${c.message}` : ''}`);
  const counts = r.lines.reduce<Record<string, number>>((a, c) => ((a[c.outcome] = (a[c.outcome] ?? 0) + 1), a), {});
  console.log(`# ${CASES} configs ${JSON.stringify(counts)} in ${((Date.now() - t0) / 1000).toFixed(1)} s, max ${Math.max(...r.lines.map((c) => c.ms)).toFixed(0)} ms/case, max RSS ${(r.maxRss / 2 ** 20).toFixed(0)} MiB, seed ${SEED}`);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
  // The mutations are not all fatal: some configs stay valid, most do not.
  assert.ok((counts.valid ?? 0) > 0 && (counts.problems ?? 0) > CASES / 2, JSON.stringify(counts));
});

test('sweep axes named like Object.prototype members are unknown axes, not a TypeError (found by the fuzzer)', () => {
  for (const axis of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const grid = JSON.parse(`{${JSON.stringify(axis)}: [1, 2]}`) as Record<string, unknown>;
    const cfg = { dataset: { name: 'mnist' }, network: { layers: [784, 10] }, training: { epochs: 1 }, sweep: { grid } };
    const r = validateConfig(cfg);
    const p = r.problems.find((q) => q.code === 'sweep.unknown-axis');
    assert.ok(p, `${axis}: ${JSON.stringify(r.problems)}`);
    assert.equal(p.severity, 'error');
  }
});
