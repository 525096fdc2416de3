/**
 * The figure the config hover shows from past runs: per config file, the
 * newest run whose result.json holds hardware accuracy on simulated chips.
 * Pure, no `vscode`: fed the run records the Runs view reads.
 */
import * as path from 'node:path';
import { isNum, isObj } from '../records';

import type { HoverRunFigure } from '../../engine/config/assist';
import type { RunRecord } from '../../engine/format/run';

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;

/** A run's hardware-accuracy figure, or undefined when it has none or a field is not of its type (a damaged record shows nothing). */
export function hoverFigureOf(rec: RunRecord): HoverRunFigure | undefined {
  const r = rec.state === 'ok' ? rec.result : undefined;
  const h: unknown = r?.hardware;
  if (!r || !isObj(h) || typeof h.preset !== 'string' || !isCount(h.crossbarSize) || !isObj(h.hardwareAccuracy)) return undefined;
  const a = h.hardwareAccuracy;
  if (![a.softwareAccuracy, a.mean, a.min, a.max].every(isNum) || !isCount(a.chips) || (a.std !== undefined && !isNum(a.std))) return undefined;
  const at = [r.finishedAt, r.createdAt].find((t) => typeof t === 'string') ?? '';
  return {
    run: path.basename(rec.dir),
    at,
    preset: h.preset,
    crossbar: h.crossbarSize,
    softwareAccuracy: a.softwareAccuracy as number,
    mean: a.mean as number,
    ...(a.std === undefined ? {} : { std: a.std as number }),
    min: a.min as number,
    max: a.max as number,
    chips: a.chips,
  };
}

/** Per config file (resolved path): the newest run (by start) with a hardware-accuracy figure. */
export function lastHardwareRuns(runs: readonly RunRecord[]): Map<string, HoverRunFigure> {
  const newest = new Map<string, { createdAt: string; figure: HoverRunFigure }>();
  for (const rec of runs) {
    const file = rec.result?.configFile;
    const figure = hoverFigureOf(rec);
    if (typeof file !== 'string' || !file || !figure) continue;
    const key = path.resolve(file);
    const createdAt = typeof rec.result?.createdAt === 'string' ? rec.result.createdAt : '';
    const seen = newest.get(key);
    if (!seen || seen.createdAt < createdAt) newest.set(key, { createdAt, figure });
  }
  return new Map([...newest].map(([k, v]) => [k, v.figure]));
}

/**
 * The figures by config file, read from the runs once and kept until the
 * runs change (`invalidate`, called by the runs folder's watcher): a hover
 * on every mouse move reads no disk.
 */
export class HoverRunsCache {
  private figures?: Map<string, HoverRunFigure>;

  /** `read`: every run listed; `onError`: told when reading throws (the hover then goes on without figures). */
  constructor(
    private readonly read: () => readonly RunRecord[],
    private readonly onError: (e: unknown) => void,
  ) {}

  get(configFile: string): HoverRunFigure | undefined {
    if (!this.figures) {
      try {
        this.figures = lastHardwareRuns(this.read());
      } catch (e) {
        this.onError(e);
        this.figures = new Map();
      }
    }
    return this.figures.get(path.resolve(configFile));
  }

  invalidate(): void {
    this.figures = undefined;
  }
}
