/**
 * Claims on a runs folder, held through the file system so that they hold
 * across every VS Code window (every extension host) on one workspace:
 *
 * - run slots: `.slot-<k>.claim` for k < the concurrent-run limit; a
 *   session runs only while it holds one;
 * - exclusive keys: `.key-<hash>.claim`, one live session per key (a run
 *   folder being resumed, say), so nothing is started twice.
 *
 * A claim is created with O_EXCL (exactly one creator wins) and names its
 * owner as the store names a run's owner (pid, hostname, kernel start time)
 * plus a random token. A claim whose owner process is dead is stale and is
 * taken over under a short takeover lock, so two windows cannot both take
 * it. Claim files are dot-files directly in the runs folder (not folders:
 * the Runs view lists every subfolder). No `vscode` import.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sweepOwnerAlive, thisProcess } from '../engine/store/sweepFolder';
import { isMissingFile, readBoundedJson } from '../engine/core/boundedFile';

export interface ClaimRecord {
  kind: 'trannsformer-claim';
  owner: { pid: number; hostname?: string; startTime?: string };
  token: string;
  /** What holds it, for people reading the folder (a session's label). */
  label: string;
  createdAt: string;
}

/** A claim this process holds. */
export interface Claim {
  file: string;
  token: string;
}

/** A claim file younger than this that cannot be read is being written: it counts as held. */
const UNREADABLE_GRACE_MS = 10_000;
/** A takeover lock older than this was left by a process that died while taking over. */
const TAKEOVER_STALE_MS = 10_000;

export const slotFile = (root: string, k: number): string => path.join(root, `.slot-${k}.claim`);
export const keyFile = (root: string, key: string): string => path.join(root, `.key-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 24)}.claim`);
/** Whether a runs-folder entry is a claim file (not a run). */
export const isClaimFile = (name: string): boolean => /^\.(slot|key)-.*\.claim(\.takeover)?$/.test(name);

function readClaim(file: string): ClaimRecord | 'missing' | 'unreadable' {
  try {
    // Bounded: a runs folder from a cloned repository may hold a link to /dev/zero or a FIFO named like a claim.
    const c = readBoundedJson(file, 'claim') as ClaimRecord;
    return c && c.kind === 'trannsformer-claim' && typeof c.owner?.pid === 'number' && typeof c.token === 'string' ? c : 'unreadable';
  } catch (e) {
    return isMissingFile(e) ? 'missing' : 'unreadable';
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Create `file` holding `rec` only if it does not exist (O_EXCL); false when it does. */
function createExclusive(file: string, rec: ClaimRecord): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    fs.writeSync(fd, JSON.stringify(rec) + '\n');
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

export class RunClaims {
  constructor(
    /** The owner written into claims; tests give two "windows" their own. */
    private readonly owner: ClaimRecord['owner'] = thisProcess(),
    /** Whether a claim's owner lives; the store's check by default (pid, host, start time). */
    private readonly alive: (owner: ClaimRecord['owner']) => boolean = sweepOwnerAlive,
  ) {}

  /** Who holds `file`, when a live owner does (for messages). */
  holder(file: string): ClaimRecord | undefined {
    const c = readClaim(file);
    return typeof c === 'object' && this.alive(c.owner) ? c : undefined;
  }

  /**
   * Take `file` if it is free or stale. Returns the claim, or undefined when
   * a live owner holds it (or another process is taking it over right now).
   */
  tryClaim(file: string, label: string): Claim | undefined {
    const rec: ClaimRecord = { kind: 'trannsformer-claim', owner: this.owner, token: crypto.randomBytes(12).toString('hex'), label: label.slice(0, 200), createdAt: new Date().toISOString() };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (createExclusive(file, rec)) return { file, token: rec.token };
    const seen = readClaim(file);
    if (seen === 'missing') return createExclusive(file, rec) ? { file, token: rec.token } : undefined;
    const stale = seen === 'unreadable' ? ageMs(file) > UNREADABLE_GRACE_MS : !this.alive(seen.owner);
    if (!stale) return undefined;
    // Take over under a lock, checking again that the claim is the stale one seen (another window may have taken it).
    const lock = `${file}.takeover`;
    if (!createExclusive(lock, rec)) {
      if (ageMs(lock) > TAKEOVER_STALE_MS) fs.rmSync(lock, { force: true });
      return undefined;
    }
    try {
      const again = readClaim(file);
      const same = again === 'missing' || (seen === 'unreadable' ? again === 'unreadable' : typeof again === 'object' && again.token === seen.token);
      if (!same) return undefined;
      fs.rmSync(file, { force: true });
      return createExclusive(file, rec) ? { file, token: rec.token } : undefined;
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }

  /** The first free (or stale) slot below `limit` in `root`, or undefined when all are held by live owners. */
  trySlot(root: string, limit: number, label: string): Claim | undefined {
    for (let k = 0; k < limit; k++) {
      const c = this.tryClaim(slotFile(root, k), label);
      if (c) return c;
    }
    return undefined;
  }

  /** Give a claim back: the file is removed only while it is still this claim (never one taken over since). */
  release(claim: Claim): void {
    const c = readClaim(claim.file);
    if (typeof c === 'object' && c.token === claim.token) fs.rmSync(claim.file, { force: true });
  }
}
