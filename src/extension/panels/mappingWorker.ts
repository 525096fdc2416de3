/**
 * The mapping panel's worker thread (bundled as dist/mappingWorker.js; see
 * mappingViews.ts): reads a run's records and computes its view off the
 * extension host's event loop. One request at a time: `{ id, dir, opts }` in,
 * `{ id, view }` or `{ id, error }` (the message the synchronous call throws) out.
 */
import { parentPort } from 'node:worker_threads';
import { mappingViewOf } from './mappingData';

import type { MappingRequest, MappingAnswer } from './mappingViews';

parentPort?.on('message', (m: MappingRequest) => {
  let answer: MappingAnswer;
  try {
    answer = { id: m.id, view: mappingViewOf(m.dir, m.opts) };
  } catch (e) {
    // The whole message, as the synchronous call's panel shows it.
    answer = { id: m.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort?.postMessage(answer);
});
