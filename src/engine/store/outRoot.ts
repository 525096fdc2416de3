/**
 * Where results may be written, checked before any work starts: the parent
 * of run folders (`--out`, default `.trannsformer/runs`) and folders written
 * into (`evaluate`, `report`). An empty name, a file, a folder inside a file,
 * a pseudo-filesystem (/proc, /sys: Node's recursive mkdir spins at 100% CPU
 * under /proc) or a folder this process cannot write fails at once with a
 * message naming the path — not after a training, and never as a hang.
 *
 * Nothing is created here: `createRunDir` makes the folders. The check
 * writes (and removes) one empty probe folder in the nearest existing
 * ancestor, the only test of writability that holds for root, read-only
 * mounts and ACLs alike.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../core/errors';
import { kindOf } from '../core/boundedFile';

/** Kernel pseudo-filesystems: nothing there is a place for results. */
const PSEUDO_ROOTS = ['/proc', '/sys'];

function under(p: string, root: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return undefined; // an ancestor is a file: found while walking up
    throw e;
  }
}

/** The real path of `p`'s nearest existing ancestor (itself if it exists), symbolic links resolved. */
function nearestExisting(p: string, where: string, shown: string): { dir: string; st: fs.Stats; missing: string[] } {
  const missing: string[] = [];
  let cur = p;
  // Bounded: each step removes one path component, and the root always exists.
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = statOrUndefined(cur);
    } catch (e) {
      throw new UserError(where, `${shown}: cannot look at ${cur} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    if (st) return { dir: cur, st, missing };
    const parent = path.dirname(cur);
    if (parent === cur) throw new UserError(where, `${shown}: no part of the path exists`);
    missing.unshift(path.basename(cur));
    cur = parent;
  }
}

/**
 * Check that results can be written under `out` (a folder that may not
 * exist yet); returns its absolute path. `where` names the flag or command
 * in the error ("--out").
 */
export function checkOutRoot(out: string, where = '--out'): string {
  if (out.length === 0 || out.trim().length === 0) throw new UserError(where, 'is empty: give the folder where run folders are created');
  if (out.includes('\0')) throw new UserError(where, 'contains a NUL character, which no path may hold');
  const abs = path.resolve(out);
  const shown = out === abs ? abs : `${out} (${abs})`;
  const { dir, st, missing } = nearestExisting(abs, where, shown);
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    real = dir;
  }
  for (const root of PSEUDO_ROOTS)
    if (under(abs, root) || under(real, root))
      throw new UserError(where, `${shown} is under ${root}, a kernel pseudo-filesystem: results cannot be written there`);
  if (!st.isDirectory()) {
    if (missing.length === 0) throw new UserError(where, `${shown} is ${kindOf(st)}, not a folder`);
    throw new UserError(where, `${shown} cannot be created: ${dir} is ${kindOf(st)}, not a folder`);
  }
  probeWritable(dir, where, missing.length === 0 ? `${shown} is not writable` : `${shown} cannot be created: ${dir} is not writable`);
  return abs;
}

/**
 * Check `out` as above, then create it one component at a time — never with
 * Node's recursive mkdir, which retries forever on a filesystem that answers
 * ENOENT for a parent that exists (procfs). For `createRunDir` in place of
 * `fs.mkdirSync(root, { recursive: true })`.
 */
export function ensureOutRoot(out: string, where = '--out'): string {
  const abs = checkOutRoot(out, where);
  const missing: string[] = [];
  for (let cur = abs; !fs.existsSync(cur); cur = path.dirname(cur)) {
    missing.unshift(cur);
    if (path.dirname(cur) === cur) break;
  }
  for (const dir of missing) {
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new UserError(where, `${abs} cannot be created: mkdir ${dir} failed (${code ?? String(e)})`);
    }
  }
  return abs;
}

/** Check that an existing folder (a run or comparison) can be written into, as `evaluate` and `report` do. */
export function checkWritableFolder(dir: string, where: string): string {
  if (dir.length === 0) throw new UserError(where, 'needs a folder; the name is empty');
  const abs = path.resolve(dir);
  let real = abs;
  try {
    real = fs.realpathSync(abs);
  } catch {
    /* missing: said below */
  }
  for (const root of PSEUDO_ROOTS)
    if (under(abs, root) || under(real, root)) throw new UserError(where, `is under ${root}, a kernel pseudo-filesystem, not a run folder`);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(where, code === 'ENOENT' || code === 'ENOTDIR' ? 'folder not found' : `cannot look at the folder (${code ?? String(e)})`);
  }
  if (!st.isDirectory()) throw new UserError(where, `is ${kindOf(st)}, not a folder`);
  probeWritable(abs, where, 'is not writable: results are written into it');
  return abs;
}

function probeWritable(dir: string, where: string, message: string): void {
  let probe: string;
  try {
    probe = fs.mkdtempSync(path.join(dir, '.trannsformer-write-test-'));
  } catch (e) {
    throw new UserError(where, `${message} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    fs.rmdirSync(probe);
  } catch {
    /* an empty folder left behind is harmless; the write itself succeeded */
  }
}
