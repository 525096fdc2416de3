/**
 * `compare`: the paper's experiment — the same config trained as original,
 * plain pruning and TraNNsformer (optionally the offline ablation), on the
 * same data and seed; then one table of accuracy, mPEs, utilisation and the
 * reductions against the original and against pruning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendName, TransformMode } from './config/schema';
import type { LoadedConfig } from './config/validate';
import { executeRun } from './run';
import { createRunDir, FILES, readRun, writeFileAtomic, type RunResult } from './store';
import type { EngineEvent } from '../protocol';

export interface CompareRow {
  mode: TransformMode;
  status: RunResult['status'];
  runDir: string;
  testAccuracy?: number;
  /** mPEs with the mode's default mapping (dense, compact, or packed). */
  mpes?: number;
  shown?: string;
  /** mPEs with the published TraNNsformer mapping (clusters on crossbars of their own). */
  paperMpes?: number;
  /** Pruning's stronger baseline: compaction that skips empty tiles. */
  compactSkipMpes?: number;
  utilisation?: number;
  keptFraction?: number[];
  clusteredFraction?: number[];
  reductionVsOriginal?: number;
  reductionVsPruning?: number;
  seconds: number;
}

export interface CompareResult {
  name: string;
  crossbarSize: number;
  epochs: number;
  rows: CompareRow[];
  dir: string;
}

export async function executeCompare(opts: {
  loaded: LoadedConfig;
  outRoot: string;
  modes: TransformMode[];
  emit: (e: EngineEvent) => void;
  signal?: AbortSignal;
  backend?: BackendName;
}): Promise<CompareResult> {
  const base = opts.loaded.config;
  const dir = createRunDir(opts.outRoot, `${base.name}-compare`);
  const rows: CompareRow[] = [];
  for (const mode of opts.modes) {
    if (opts.signal?.aborted) break;
    const config = structuredClone(base);
    config.transform.mode = mode;
    config.name = mode;
    opts.emit({ type: 'log', level: 'info', message: `compare: ${mode}` });
    const r = await executeRun({ loaded: { ...opts.loaded, config }, outRoot: dir, emit: opts.emit, signal: opts.signal, backend: opts.backend });
    const m = r.mapping;
    rows.push({
      mode,
      status: r.status,
      runDir: findRunDir(dir, mode),
      testAccuracy: r.final?.testAccuracy,
      mpes: m?.mpes,
      shown: m?.shown,
      paperMpes: m?.schemes.paper?.total,
      compactSkipMpes: m?.schemes['compact-skip']?.total,
      utilisation: m?.utilisation,
      keptFraction: m?.keptFraction,
      clusteredFraction: m?.clusteredFraction,
      seconds: r.seconds,
    });
  }
  const original = rows.find((r) => r.mode === 'original')?.mpes;
  const pruning = rows.find((r) => r.mode === 'pruning')?.mpes;
  for (const r of rows) {
    if (r.mpes === undefined) continue;
    if (original) r.reductionVsOriginal = 1 - r.mpes / original;
    if (pruning) r.reductionVsPruning = 1 - r.mpes / pruning;
  }
  // Each run's record learns its ratios too (a single run knows only the dense count).
  for (const r of rows) {
    const rec = readRun(r.runDir);
    if (rec.state !== 'ok' || !rec.result?.mapping) continue;
    rec.result.mapping.reductionVsPruning = r.reductionVsPruning;
    rec.result.mapping.comparedIn = dir;
    writeFileAtomic(path.join(r.runDir, FILES.result), JSON.stringify(rec.result, null, 2) + '\n');
  }
  const result: CompareResult = { name: base.name, crossbarSize: base.transform.crossbar, epochs: base.training.epochs, rows, dir };
  writeFileAtomic(path.join(dir, 'compare.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}

function findRunDir(dir: string, mode: string): string {
  const hit = fs.readdirSync(dir).filter((n) => n.endsWith(`-${mode}`)).sort().pop();
  return hit ? path.join(dir, hit) : '';
}

const pct = (x: number | undefined, digits = 2) => (x === undefined ? '—' : `${(100 * x).toFixed(digits)}%`);
const signedPct = (x: number | undefined) => (x === undefined ? '—' : `${x >= 0 ? '−' : '+'}${Math.abs(100 * x).toFixed(1)}%`);

/** The paper's table, as text. Reductions are shown as "−28.0%" (fewer mPEs) or "+5.0%" (more). */
export function formatCompareTable(c: CompareResult): string {
  const orig = c.rows.find((r) => r.mode === 'original');
  const head = ['mode', 'test acc', 'Δ acc', 'mPEs', 'mapping', 'paper map', 'util', 'kept / layer', 'vs original', 'vs pruning'];
  const body = c.rows.map((r) => [
    r.mode + (r.status !== 'completed' ? ` (${r.status})` : ''),
    pct(r.testAccuracy),
    orig?.testAccuracy !== undefined && r.testAccuracy !== undefined ? `${((r.testAccuracy - orig.testAccuracy) * 100).toFixed(2)} pt` : '—',
    r.mpes?.toString() ?? '—',
    r.shown ?? '—',
    r.paperMpes?.toString() ?? '—',
    pct(r.utilisation, 1),
    r.keptFraction ? r.keptFraction.map((k) => `${Math.round(100 * k)}%`).join('/') : '—',
    signedPct(r.reductionVsOriginal),
    signedPct(r.reductionVsPruning),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
  return [
    `${c.name}: ${c.epochs} epochs, ${c.crossbarSize}×${c.crossbarSize} crossbars (mPE counts are model estimates of the mapping, not silicon)`,
    line(head),
    line(widths.map((w) => '─'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}
