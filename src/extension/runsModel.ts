/**
 * What the Runs view lists, read from the runs folder through the engine's
 * store: run folders, comparison folders (their runs nested), and damaged
 * folders listed as such. Pure functions, no `vscode` import.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCompareDir, listRuns, readRun, subfolders } from '../engine/store/runFolder';
import { SWEEP_FILES, jobLastSign, readJobRecord, sweepLastSign, sweepOwnerAlive } from '../engine/store/sweepFolder';

import { isClaimFile } from './runClaims';
import { readRecord } from './folderFiles';
import { checkFront, checkJobRecord, checkRun, checkSweepRecord, isNum, messageOf, usableFigures } from './records';

import type { RunRecord } from '../engine/format/run';
import type { SweepFront, SweepJobRecord, SweepRecord } from '../engine/format/sweep';
export interface CompareEntry {
  kind: 'compare';
  dir: string;
  name: string;
  runs: RunRecord[];
  /** A sweep folder (listed like a comparison: its training runs nested): points done and planned, the recommended design. */
  sweep?: { done: number; planned: number; recommended?: string };
  /** "damaged: pareto.json: <reason>" (one line per damaged file or record) when the folder's own records are; its runs are still listed. */
  damaged?: string[];
}

export interface RunEntry {
  kind: 'run';
  record: RunRecord;
}

export type Entry = CompareEntry | RunEntry;

export interface ConfigGroup {
  /** The config's name (or the folder name of a damaged run). */
  name: string;
  entries: Entry[];
}

/** Everything under a runs folder, newest first; a folder that cannot be read is one damaged item, the others are listed as usual. */
export function readRunsFolder(root: string): Entry[] {
  return subfolders(root).map((dir) => contained(dir, () => entryOf(dir)));
}

/** A folder's entry, or (when reading it throws: a damage no check foresaw) the folder as one damaged item. */
function contained(dir: string, read: () => Entry): Entry {
  try {
    return read();
  } catch (e) {
    return { kind: 'run', record: { dir, state: 'corrupt', problem: `damaged: ${path.basename(dir)}: ${messageOf(e)}` } };
  }
}

/** The runs of a comparison or sweep folder, each checked (a damaged one is listed as such). */
const runsOf = (dir: string): RunRecord[] => listRuns(dir).map(checkRun);

function entryOf(dir: string): Entry {
  const n = path.basename(dir);
  const sw = sweepFiles(dir);
  if (isCompareDir(dir) || n.endsWith('-compare')) return { kind: 'compare', dir, name: n, runs: runsOf(dir), ...(sw.damaged.length ? { damaged: sw.damaged } : {}) };
  if (n.endsWith('-sweep') || sw.sweep?.kind === 'sweep') {
    const f = sw.front;
    const rec = f?.points.find((p) => p.id === f.recommended);
    const recommended = rec ? `${rec.id} ${rec.mode} ${rec.crossbar}×${rec.crossbar} ${rec.preset}` : undefined;
    const sweep = { done: f?.done ?? 0, planned: f?.planned ?? sw.sweep?.points.length ?? 0, recommended };
    return { kind: 'compare', dir, name: n, runs: runsOf(dir), sweep, ...(sw.damaged.length ? { damaged: sw.damaged } : {}) };
  }
  return { kind: 'run', record: checkRun(readRun(dir)) };
}

/**
 * A sweep folder's sweep.json and pareto.json, each checked; what is damaged
 * (a whole file, or single points of pareto.json) is named in `damaged` and
 * left out, the rest used.
 */
export function sweepFiles(dir: string): { sweep?: SweepRecord; front?: SweepFront; damaged: string[] } {
  const damaged: string[] = [];
  const read = <T>(name: string, kind: 'sweep' | 'pareto', check: (v: unknown) => T | string): T | undefined => {
    const r = readRecord(path.join(dir, name), kind);
    if ('missing' in r) return undefined;
    const v = 'problem' in r ? r.problem : check(r.value);
    if (typeof v !== 'string') return v;
    damaged.push(`damaged: ${name}: ${v.replace(`${path.join(dir, name)}: `, '')}`);
    return undefined;
  };
  const sweep = read(SWEEP_FILES.sweep, 'sweep', checkSweepRecord);
  const checked = read(SWEEP_FILES.pareto, 'pareto', checkFront);
  for (const d of checked?.damaged ?? []) damaged.push(`damaged: ${SWEEP_FILES.pareto}: ${d}`);
  return { sweep, front: checked?.front, damaged };
}

/** A sweep point's state as the Runs view shows it; damaged: its job record cannot be used (the row says why). */
export type PointState = 'pending' | 'running' | 'done' | 'failed' | 'interrupted' | 'damaged';

export interface SweepPointRow {
  id: string;
  /** "p03 · trannsformer 64×64 resparc-45nm". */
  label: string;
  state: PointState;
  /** The state and, when done, accuracy and area; why, when failed or damaged. */
  description: string;
  /** The run folder of the point's training, once it started. */
  runDir?: string;
  error?: string;
  /** Pricing warnings of a done point (its crossbar is beyond its preset's largest reliable one): an invalid design, never recommended. */
  warnings?: string[];
  /** The tree item's id: stable across refreshes (the sweep folder and the point id). */
  treeId: string;
}

/** A job's record checked: the record, none (never started, or the store refused it), or why it is damaged. */
function jobOf(dir: string, jobId: string): SweepJobRecord | string | undefined {
  try {
    const j: unknown = readJobRecord(dir, jobId);
    if (j === undefined) return undefined;
    const c = checkJobRecord(j);
    return typeof c === 'string' ? `damaged: ${SWEEP_FILES.job(jobId)}: ${c}` : c;
  } catch (e) {
    return `damaged: ${SWEEP_FILES.job(jobId)}: ${messageOf(e)}`;
  }
}

/**
 * Every point of a sweep folder with its state, from the job records (the
 * truth whichever executor runs the points: a process here or a Slurm task
 * elsewhere) and pareto.json: pending until its training starts (also while
 * queued in Slurm), running, done, failed (its training or its pricing), or
 * interrupted (stopped, or its process is gone: here, or on another machine
 * with no sign of life for OTHER_HOST_GRACE_MS; a resume runs it again).
 * A damaged job record makes its points "damaged" (the row names the file);
 * a damaged pareto.json, or point in it, only loses its figures.
 */
export function sweepPointRows(dir: string): SweepPointRow[] {
  const { sweep: rec, front } = sweepFiles(dir);
  if (!rec) return [];
  const jobs = new Map(rec.jobs.map((j) => [j.id, jobOf(dir, j.id)]));
  return rec.points.map((p) => {
    const jr = jobs.get(p.jobId);
    const j = typeof jr === 'string' ? undefined : jr;
    const f = front?.points.find((x) => x.id === p.id);
    let state: PointState = 'pending';
    let error: string | undefined;
    if (typeof jr === 'string') [state, error] = ['damaged', jr];
    else if (j?.status === 'running') state = sweepOwnerAlive(j.owner, { updatedAt: jobLastSign(dir, j) }) ? 'running' : 'interrupted';
    else if (j?.status === 'completed') {
      const priced = j.priced?.[p.id];
      if (priced && !('error' in priced)) state = 'done';
      else [state, error] = ['failed', priced && 'error' in priced ? priced.error : 'not priced'];
    } else if (j?.status === 'failed') [state, error] = ['failed', j.error?.message];
    else if (j?.status === 'interrupted') state = 'interrupted';
    const figures = state === 'done' ? (usableFigures(f?.figures) ?? usableFigures(j?.priced?.[p.id])) : undefined;
    const warnings = figures?.warnings ?? [];
    const parts: string[] = [state];
    if (warnings.length) parts.push('⚠ invalid: beyond the preset\'s reliable crossbar');
    if (figures?.testAccuracy !== undefined) parts.push(pct(figures.testAccuracy));
    if (figures) parts.push(`${sig3(figures.area_mm2)} mm²`);
    if (state === 'done' && f?.rank === 0) parts.push('on the front');
    if (front?.recommended === p.id) parts.push('recommended');
    if (error) parts.push(error.split('\n')[0].slice(0, state === 'damaged' ? 160 : 80));
    return {
      id: p.id,
      label: `${p.id} · ${p.mode} ${p.crossbar}×${p.crossbar} ${p.preset}`,
      state,
      description: parts.join(' · '),
      runDir: j?.runDir,
      error,
      ...(warnings.length ? { warnings } : {}),
      treeId: `point:${dir}:${p.id}`,
    };
  });
}

/** How many points are in each state ("3 done · 1 running · 2 pending"), and how many done ones are invalid designs. */
export function pointStateSummary(rows: readonly SweepPointRow[]): string {
  const order: PointState[] = ['done', 'running', 'pending', 'interrupted', 'failed', 'damaged'];
  const counts = order.map((s) => [s, rows.filter((r) => r.state === s).length] as const).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`);
  const invalid = rows.filter((r) => r.warnings?.length).length;
  return [...counts, ...(invalid ? [`${invalid} invalid`] : [])].join(' · ');
}

/**
 * Ids of the Runs tree's items, stable across refreshes (a sweep node's
 * label changes as points finish; without an id VS Code takes it for a new
 * item and collapses it). Folders are unique; a group is its config's name.
 */
export const treeIds = {
  group: (name: string) => `group:${name}`,
  entry: (e: Entry) => (e.kind === 'compare' ? `${e.sweep ? 'sweep' : 'compare'}:${e.dir}` : `run:${e.record.dir}`),
  run: (dir: string) => `run:${dir}`,
  points: (sweepDir: string) => `points:${sweepDir}`,
};

/** The config a run belongs to, for grouping. */
export function configName(e: Entry): string {
  if (e.kind === 'compare') {
    const first = e.runs.find((r) => r.result?.configFile);
    return first?.result?.configFile ? path.basename(first.result.configFile) : e.name.replace(/^\d{8}-\d{6}-/, '').replace(/-(compare|sweep)$/, '');
  }
  const r = e.record;
  if (r.result?.configFile) return path.basename(r.result.configFile);
  return r.config?.name ?? '(unreadable runs)';
}

/** Runs grouped by config, groups in order of their newest run. */
export function groupByConfig(entries: Entry[]): ConfigGroup[] {
  const groups = new Map<string, ConfigGroup>();
  for (const e of entries) {
    const name = configName(e);
    if (!groups.has(name)) groups.set(name, { name, entries: [] });
    groups.get(name)!.entries.push(e);
  }
  return [...groups.values()];
}

// Values from run files: printed only when they are numbers.
const pct = (x: unknown) => (isNum(x) ? `${(100 * x).toFixed(2)}%` : '?');
const sig3 = (x: unknown) => (isNum(x) ? x.toPrecision(3) : '?');

/** The one-line summary shown beside a run: mode, crossbar, accuracy, mPEs, area and energy when known. */
export function describeRun(r: RunRecord): string {
  if (r.state === 'corrupt' || !r.result) return r.problem ?? 'unreadable';
  const res = r.result;
  const parts: string[] = [];
  const mode = r.config?.transform?.mode ?? 'original';
  parts.push(mode);
  if (r.config?.transform?.crossbar) parts.push(`${r.config.transform.crossbar}×${r.config.transform.crossbar}`);
  if (res.status === 'running') parts.push(r.stale ? 'stopped unexpectedly' : `epoch ${res.epochsCompleted}/${res.epochsPlanned}`);
  if (res.final) parts.push(pct(res.final.testAccuracy));
  if (res.mapping) parts.push(`${res.mapping.mpes} mPEs`);
  if (res.hardware && !('error' in res.hardware)) parts.push(`${sig3(res.hardware.area_mm2)} mm²`, `${sig3(res.hardware.energy_uJ)} µJ`);
  return parts.join(' · ');
}

/**
 * A run's row in the Runs tree: the key numbers in the label, where they show
 * at the default sidebar width — "<name> · <accuracy> · <mPEs>" (the mode
 * instead of the name inside a comparison); the description holds the rest
 * that fits (mode, crossbar, area, the folder's time stamp) and the tooltip
 * everything (`describeRun` and the folder).
 */
export function runRow(r: RunRecord, inCompare: boolean): { label: string; description: string } {
  const folder = path.basename(r.dir);
  if (r.state === 'corrupt' || !r.result) return { label: folder, description: r.problem ?? 'unreadable' };
  const res = r.result;
  const mode = r.config?.transform?.mode ?? 'original';
  const key: string[] = [];
  if (res.status === 'running') key.push(r.stale ? 'stopped unexpectedly' : `epoch ${res.epochsCompleted}/${res.epochsPlanned}`);
  if (res.final) key.push(pct(res.final.testAccuracy));
  if (res.mapping) key.push(`${res.mapping.mpes} mPEs`);
  if (key.length === 0) key.push(res.status);
  const rest: string[] = [];
  if (!inCompare) rest.push(mode);
  if (r.config?.transform?.crossbar) rest.push(`${r.config.transform.crossbar}×${r.config.transform.crossbar}`);
  if (res.hardware && !('error' in res.hardware)) rest.push(`${sig3(res.hardware.area_mm2)} mm²`, `${sig3(res.hardware.energy_uJ)} µJ`);
  const stamp = /^\d{8}-\d{6}/.exec(folder);
  if (!inCompare && stamp) rest.push(stamp[0]);
  return { label: `${inCompare ? mode : res.name} · ${key.join(' · ')}`, description: rest.join(' · ') };
}

/**
 * Text from a run folder made inert for a Markdown tooltip: every ASCII
 * punctuation character backslash-escaped (CommonMark renders each as
 * itself), so names, modes and error messages from run files cannot make
 * links, images, HTML, emphasis, headings or `$(icon)` syntax; line breaks
 * become spaces. Long values are cut.
 */
export function escapeMarkdown(s: unknown, max = 2000): string {
  const t = String(s).replace(/[^\u0020-\u007e\u0080-\uffff]+/g, ' ');
  return (t.length > max ? `${t.slice(0, max)}…` : t).replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

/**
 * A run's tooltip as Markdown source: the name in bold, its status, the
 * summary, the error and the folder — every value from the run's files
 * escaped (the tree renders it with HTML and command links off).
 */
export function runTooltip(r: RunRecord, live: boolean): string {
  if (r.state === 'corrupt' || !r.result) return `${escapeMarkdown(r.dir)}\n\n${escapeMarkdown(r.problem ?? 'unreadable')}`;
  const res = r.result;
  const status = res.status === 'running' && r.stale && !live ? 'failed' : res.status;
  const lines = [`**${escapeMarkdown(res.name)}** — ${escapeMarkdown(status)}${r.stale && !live ? ' (its process is gone)' : ''}`, escapeMarkdown(describeRun(r))];
  if (res.error) lines.push(`Error: ${escapeMarkdown(typeof res.error === 'object' && res.error !== null ? res.error.message : res.error)}`);
  lines.push(escapeMarkdown(r.dir));
  return lines.join('\n\n');
}

/**
 * Why a folder must not be deleted now, or undefined: a run still running
 * with its owner process alive (in this window or any other process on this
 * machine — the store's owner record says which), a comparison or sweep
 * whose driving process lives or any of whose runs is still running.
 * `liveHere` adds what this window knows (its own sessions).
 */
export function liveWork(dir: string, liveHere: (dir: string) => boolean = () => false): string | undefined {
  const running = (r: RunRecord) => r.state === 'ok' && r.result?.status === 'running' && !r.stale;
  const pid = (r: RunRecord) => {
    const p = r.result?.owner?.pid ?? r.result?.pid;
    return typeof p === 'number' ? ` (process ${p})` : '';
  };
  const { sweep, damaged } = sweepFiles(dir);
  const isGroup = sweep !== undefined || damaged.length > 0 || isCompareDir(dir);
  if (!isGroup) {
    if (liveHere(dir)) return 'it is running in this window';
    const r = checkRun(readRun(dir));
    return running(r) ? `it is still running${pid(r)}` : undefined;
  }
  const what = sweep?.kind === 'sweep' ? 'sweep' : 'comparison';
  if (sweep?.status === 'running' && sweep.owner && sweepOwnerAlive(sweep.owner, { updatedAt: sweepLastSign(dir, sweep) })) return `the ${what} is still running (process ${sweep.owner.pid})`;
  // A sweep.json damaged elsewhere may still name a live driving process: deleting its folder would pull work from under it.
  const driver = sweep ? undefined : runningOwner(path.join(dir, SWEEP_FILES.sweep));
  if (driver) return `the ${driver.kind === 'sweep' ? 'sweep' : 'comparison'} is still running (process ${driver.pid})`;
  const live = runsOf(dir).filter((r) => liveHere(r.dir) || running(r));
  if (live.length === 0) return undefined;
  const names = live.map((r) => path.basename(r.dir));
  return `${live.length === 1 ? 'its run' : `${live.length} of its runs`} ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''} ${live.length === 1 ? 'is' : 'are'} still running${live.length === 1 ? pid(live[0]) : ''}`;
}

/** The live owner a record names with status "running", read leniently (only status and owner), or undefined. */
function runningOwner(file: string): { pid: number; kind: unknown } | undefined {
  const r = readRecord(file, 'sweep');
  if (!('value' in r)) return undefined;
  const v = r.value as { kind?: unknown; status?: unknown; updatedAt?: unknown; owner?: { pid?: unknown; hostname?: unknown; startTime?: unknown } } | null;
  const o = v && typeof v === 'object' ? v.owner : undefined;
  if (v?.status !== 'running' || !o || typeof o !== 'object' || typeof o.pid !== 'number' || !Number.isInteger(o.pid)) return undefined;
  const owner = { pid: o.pid, ...(typeof o.hostname === 'string' ? { hostname: o.hostname } : {}), ...(typeof o.startTime === 'string' ? { startTime: o.startTime } : {}) };
  // Its own update time only (its job records may be damaged too); none readable: an owner elsewhere counts as gone.
  return sweepOwnerAlive(owner, { updatedAt: typeof v.updatedAt === 'string' ? v.updatedAt : '' }) ? { ...owner, kind: v.kind } : undefined;
}

/** The files whose changes mean the Runs view must refresh. */
export const RUN_FILES_GLOB = '{result.json,metrics.jsonl,compare.json,pareto.json}';

/**
 * Where to watch a runs folder that may not exist yet (nothing has run in
 * this workspace): the nearest existing ancestor, with a glob for the rest of
 * the path — so the first run folder created under it is seen, not only ones
 * created after a reload.
 */
export function watchTarget(root: string, exists: (dir: string) => boolean = fs.existsSync): { base: string; pattern: string } {
  let base = path.resolve(root);
  const rest: string[] = [];
  while (!exists(base) && path.dirname(base) !== base) {
    rest.unshift(path.basename(base));
    base = path.dirname(base);
  }
  return { base, pattern: [...rest, '**', RUN_FILES_GLOB].join('/') };
}

/**
 * A cheap fingerprint of what the runs folders hold: their subfolders'
 * names. File watchers can miss the first folder created under a runs folder
 * that did not exist yet; comparing this every few seconds catches it
 * without reading any run's files.
 */
export function runsFingerprint(roots: string[], readdir: (dir: string) => string[] = (d) => fs.readdirSync(d)): string {
  return roots
    .map((root) => {
      try {
        return `${root}\n${readdir(root).filter((n) => !isClaimFile(n)).sort().join('\n')}`;
      } catch {
        return `${root}\n(missing)`;
      }
    })
    .join('\n\n');
}
