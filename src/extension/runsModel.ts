/**
 * What the Runs view lists, read from the runs folder through the engine's
 * store: run folders, comparison folders (their runs nested), and damaged
 * folders listed as such. Pure functions, no `vscode` import.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCompareDir, listRuns, readRun, subfolders } from '../engine/store/runFolder';
import { readFront, readSweep } from '../engine/store/sweepFolder';

import type { RunRecord } from '../engine/format/run';
export interface CompareEntry {
  kind: 'compare';
  dir: string;
  name: string;
  runs: RunRecord[];
  /** A sweep folder (listed like a comparison: its training runs nested): points done and planned, the recommended design. */
  sweep?: { done: number; planned: number; recommended?: string };
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

/** Everything under a runs folder, newest first. */
export function readRunsFolder(root: string): Entry[] {
  return subfolders(root).map((dir): Entry => {
    const n = path.basename(dir);
    if (isCompareDir(dir) || n.endsWith('-compare')) return { kind: 'compare', dir, name: n, runs: listRuns(dir) };
    if (n.endsWith('-sweep') || readSweep(dir)?.kind === 'sweep') {
      const f = readFront(dir);
      const rec = f?.points.find((p) => p.id === f.recommended);
      const recommended = rec ? `${rec.id} ${rec.mode} ${rec.crossbar}×${rec.crossbar} ${rec.preset}` : undefined;
      return { kind: 'compare', dir, name: n, runs: listRuns(dir), sweep: { done: f?.done ?? 0, planned: f?.planned ?? readSweep(dir)?.points.length ?? 0, recommended } };
    }
    return { kind: 'run', record: readRun(dir) };
  });
}

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

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The one-line summary shown beside a run: mode, crossbar, accuracy, mPEs, area and energy when known. */
export function describeRun(r: RunRecord): string {
  if (r.state === 'corrupt') return r.problem ?? 'unreadable';
  const res = r.result!;
  const parts: string[] = [];
  const mode = r.config?.transform?.mode ?? 'original';
  parts.push(mode);
  if (r.config?.transform?.crossbar) parts.push(`${r.config.transform.crossbar}×${r.config.transform.crossbar}`);
  if (res.status === 'running') parts.push(r.stale ? 'stopped unexpectedly' : `epoch ${res.epochsCompleted}/${res.epochsPlanned}`);
  if (res.final) parts.push(pct(res.final.testAccuracy));
  if (res.mapping) parts.push(`${res.mapping.mpes} mPEs`);
  if (res.hardware && !('error' in res.hardware)) parts.push(`${res.hardware.area_mm2.toPrecision(3)} mm²`, `${res.hardware.energy_uJ.toPrecision(3)} µJ`);
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
  if (res.final) key.push(`${(100 * res.final.testAccuracy).toFixed(2)}%`);
  if (res.mapping) key.push(`${res.mapping.mpes} mPEs`);
  if (key.length === 0) key.push(res.status);
  const rest: string[] = [];
  if (!inCompare) rest.push(mode);
  if (r.config?.transform?.crossbar) rest.push(`${r.config.transform.crossbar}×${r.config.transform.crossbar}`);
  if (res.hardware && !('error' in res.hardware)) rest.push(`${res.hardware.area_mm2.toPrecision(3)} mm²`, `${res.hardware.energy_uJ.toPrecision(3)} µJ`);
  const stamp = /^\d{8}-\d{6}/.exec(folder);
  if (!inCompare && stamp) rest.push(stamp[0]);
  return { label: `${inCompare ? mode : res.name} · ${key.join(' · ')}`, description: rest.join(' · ') };
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
        return `${root}\n${readdir(root).sort().join('\n')}`;
      } catch {
        return `${root}\n(missing)`;
      }
    })
    .join('\n\n');
}
