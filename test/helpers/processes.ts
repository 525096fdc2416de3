/** Process ids for tests of owner checks. */

/** A pid that is not running (the highest pids are free on any test machine; checked). */
export function deadPid(): number {
  for (let p = 4_000_000; p > 3_000_000; p -= 7919) {
    try {
      process.kill(p, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return p;
    }
  }
  throw new Error('no free pid found');
}
