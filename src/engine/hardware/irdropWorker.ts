/**
 * Worker thread of the IR-drop pool (`irdropPool.ts`): joins each batch it is
 * sent, unless the caller has already closed it, takes arrays until none is
 * left, then says so through the batch's shared control words (the caller
 * waits on them synchronously, so it cannot read messages).
 */
import { parentPort } from 'node:worker_threads';
import { Ctl, drain, type Batch } from './irdropJobs';

parentPort?.on('message', (b: Batch) => {
  if (Atomics.compareExchange(b.ctl, Ctl.Joined, 0, 1) !== 0) return;
  const { failed } = drain(b, () => Atomics.add(b.ctl, Ctl.Beat, 1));
  if (failed) Atomics.store(b.ctl, Ctl.Failed, failed.index + 1);
  Atomics.store(b.ctl, Ctl.Done, 1);
  Atomics.notify(b.ctl, Ctl.Done);
});
