/**
 * What the Runs view lists, read from the runs folder through the engine's
 * store: run folders, comparison folders (their runs nested), and damaged
 * folders listed as such. Pure functions, no `vscode` import.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listRuns, readRun, subfolders } from '../engine/store/runFolder';

import type { RunRecord } from '../engine/format/run';
export interface CompareEntry {
  kind: 'compare';
  dir: string;
  name: string;
  runs: RunRecord[];
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
    if (fs.existsSync(path.join(dir, 'compare.json')) || n.endsWith('-compare')) return { kind: 'compare', dir, name: n, runs: listRuns(dir) };
    return { kind: 'run', record: readRun(dir) };
  });
}

/** The config a run belongs to, for grouping. */
export function configName(e: Entry): string {
  if (e.kind === 'compare') {
    const first = e.runs.find((r) => r.result?.configFile);
    return first?.result?.configFile ? path.basename(first.result.configFile) : e.name.replace(/^\d{8}-\d{6}-/, '').replace(/-compare$/, '');
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
