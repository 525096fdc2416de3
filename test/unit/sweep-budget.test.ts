/** The sweep's core budget: processes × training threads never exceed the cores. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { sweepBudget } from '../../src/cli';

test('processes × threads ≤ cores, for every backend, worker count and --parallel', () => {
  for (const cores of [1, 2, 3, 8])
    for (const backend of ['auto', 'onnx', 'wasm', 'node', 'cpu'])
      for (const workers of [1, 2, 4])
        for (const parallel of [undefined, 1, 2, 3, 16]) {
          const b = sweepBudget(cores, backend, workers, parallel);
          const what = JSON.stringify({ cores, backend, workers, parallel, b });
          assert.ok(b.parallel >= 1 && b.threads >= 1, what);
          assert.ok(b.parallel * b.threads <= cores, what);
        }
  // ONNX Runtime takes every core: one point at a time, said when more were asked for.
  assert.deepEqual(sweepBudget(2, 'auto', 1, undefined), { parallel: 1, threads: 2, note: undefined });
  assert.match(sweepBudget(2, 'onnx', 1, 2).note!, /uses every core/);
  // tfjs backends: the config's workers per process, as many processes as fit; or threads = cores ÷ --parallel.
  assert.deepEqual(sweepBudget(8, 'wasm', 2, undefined), { parallel: 4, threads: 2 });
  assert.deepEqual(sweepBudget(8, 'wasm', 1, 3), { parallel: 3, threads: 2, note: undefined });
  assert.match(sweepBudget(2, 'wasm', 1, 16).note!, /more than the 2 cores/);
});
