/**
 * The run folders a comparison (or sweep) record names, resolved without
 * leaving the comparison folder: `compare.json` is a file anyone can edit or
 * hand over, so a row's `runDir` that points elsewhere (an absolute path, a
 * `..`, a symbolic link out of the folder) is refused, never read or written.
 * A comparison folder that was moved or copied keeps working: a row whose
 * recorded path is gone is looked up by its folder name inside the
 * comparison folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../core/errors';

/** True when `child` is strictly inside `parent` (both already resolved). */
function strictlyInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function real(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/** A short, printable form of a value from a record (never the whole of a long or multi-line string). */
function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  const one = s.replace(/[^\u0020-\u007e\u0080-\uffff]/g, '?');
  return JSON.stringify(one.length > 120 ? `${one.slice(0, 117)}…` : one);
}

/**
 * The run folder of row `index` of the record at `recordFile` in `dir`:
 * inside `dir` after every symbolic link is resolved. Throws a UserError
 * naming the record, the row and the path otherwise.
 */
export function memberRunDir(dir: string, recordFile: string, index: number, runDir: unknown): string {
  const where = `${recordFile}: rows[${index}].runDir`;
  if (typeof runDir !== 'string' || runDir.length === 0 || runDir.length > 4096 || runDir.includes('\0')) throw new UserError(where, `must be the path of a run folder (got ${shown(runDir)})`);
  const root = real(dir);
  if (root === undefined) throw new UserError(dir, 'comparison folder not found');
  const recorded = path.resolve(dir, runDir);
  // Where the folder was written, or (moved or copied comparison) the folder of that name here.
  const candidates = [recorded];
  const byName = path.join(dir, path.basename(recorded));
  if (byName !== recorded) candidates.push(byName);
  for (const c of candidates) {
    const r = real(c);
    if (r === undefined) continue;
    if (!strictlyInside(root, r)) continue;
    if (!fs.statSync(r).isDirectory()) throw new UserError(where, `${shown(runDir)} is not a folder`);
    return r;
  }
  const r = real(recorded);
  if (r !== undefined && !strictlyInside(root, r))
    throw new UserError(where, `${shown(runDir)} is outside the comparison folder ${dir}${r !== recorded ? ` (it leads to ${shown(r)})` : ''}; refusing to follow it`);
  throw new UserError(where, `${shown(runDir)} is not a run folder inside ${dir}`);
}
