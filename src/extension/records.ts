/**
 * Shape checks of the records the extension reads from run and sweep
 * folders (files anyone can edit or clone): every field a view uses is
 * checked before it is used. Each check gives the record typed, or why not
 * (the field and what is wrong), so a damaged item is shown as damaged and
 * the others as usual. Pure, no `vscode`, no file system.
 */
import type { ClustersFile, MappingFile } from '../engine/format/clusters';
import type { CompareResult } from '../engine/format/compare';
import type { EpochMetrics } from '../engine/format/metrics';
import type { ExperimentConfig } from '../engine/config/schema';
import type { RunRecord, RunResult } from '../engine/format/run';
import type { SweepDesign, SweepFigures, SweepFront, SweepJobRecord, SweepPointResult, SweepRecord } from '../engine/format/sweep';

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown, min = 0): v is number => Number.isSafeInteger(v) && (v as number) >= min;
const isText = (v: unknown): v is string => typeof v === 'string';
const numList = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNum);
const textList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isText);
const opt = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || ok(v);
const oneOf = (v: unknown, values: readonly string[]): boolean => isText(v) && values.includes(v);

/** The first failed check's text, or undefined when all hold. */
const firstProblem = (checks: readonly (readonly [boolean, string])[]): string | undefined => checks.find(([ok]) => !ok)?.[1];

/** The message of anything thrown, short. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);

const STATUSES = ['running', 'completed', 'interrupted', 'failed'] as const;
const POINT_STATUSES = ['pending', ...STATUSES] as const;

function hardwareProblem(h: unknown): string | undefined {
  if (!isObj(h)) return 'hardware is not an object';
  if ('error' in h) return isText(h.error) ? undefined : 'hardware.error is not text';
  if (!isText(h.preset)) return 'hardware.preset is not text';
  const nums = ['area_mm2', 'energy_uJ', 'snnAccuracy', 'annAccuracy', 'timesteps', 'crossbar_uJ', 'neuron_uJ', 'communication_uJ'];
  const bad = nums.find((k) => !isNum(h[k]));
  if (bad) return `hardware.${bad} is not a number`;
  return opt(h.hardwareAccuracy, (a) => isObj(a) && isNum(a.mean) && chipSpreadOk(a)) ? undefined : 'hardware.hardwareAccuracy has no mean, min, max and chips';
}

/** Accuracy over simulated chips: min, max (numbers), how many chips, and a std when there is one. */
const chipSpreadOk = (a: Obj): boolean => isNum(a.min) && isNum(a.max) && isInt(a.chips, 1) && opt(a.std, isNum);

function mappingSummaryProblem(m: unknown): string | undefined {
  if (!isObj(m)) return 'mapping is not an object';
  return firstProblem([
    [isInt(m.mpes), 'mapping.mpes is not a count'],
    [isInt(m.crossbarSize, 1), 'mapping.crossbarSize is not a size'],
    [isText(m.shown), 'mapping.shown is not text'],
    [isNum(m.utilisation), 'mapping.utilisation is not a number'],
    [numList(m.clusters), 'mapping.clusters is not a list of numbers'],
    [isNum(m.reductionVsOriginal), 'mapping.reductionVsOriginal is not a number'],
  ]);
}

function finalProblem(f: unknown): string | undefined {
  if (!isObj(f)) return 'final is not an object';
  return firstProblem([
    [isNum(f.testAccuracy), 'final.testAccuracy is not a number'],
    [isNum(f.trainAccuracy), 'final.trainAccuracy is not a number'],
    [isNum(f.trainLoss), 'final.trainLoss is not a number'],
    [numList(f.keptFraction), 'final.keptFraction is not a list of numbers'],
  ]);
}

/** Why result.json's fields the views use are not of their type, or undefined. */
export function runResultProblem(r: unknown): string | undefined {
  if (!isObj(r)) return 'not an object';
  return firstProblem([
    [isText(r.name), 'name is not text'],
    [oneOf(r.status, STATUSES), 'status is not running, completed, interrupted or failed'],
    [isText(r.createdAt), 'createdAt is not a date'],
    [opt(r.configFile, isText), 'configFile is not a path'],
    [isInt(r.epochsCompleted) && isInt(r.epochsPlanned), 'epochsCompleted or epochsPlanned is not a count'],
    [Array.isArray(r.layers) && r.layers.every((n) => isInt(n, 1)), 'layers is not a list of layer sizes'],
    [opt(r.error, (e) => isText(e) || (isObj(e) && isText(e.message))), 'error has no message'],
    [opt(r.owner, (o) => isObj(o) && isInt(o.pid)), 'owner has no process id'],
  ]) ?? (r.final === undefined ? undefined : finalProblem(r.final)) ?? (r.mapping === undefined ? undefined : mappingSummaryProblem(r.mapping)) ?? (r.hardware === undefined ? undefined : hardwareProblem(r.hardware));
}

/** Why config.json's fields the views use (name, mode, crossbar, preset, seed) are not of their type, or undefined. */
export function runConfigProblem(c: unknown): string | undefined {
  if (!isObj(c)) return 'not an object';
  const t = c.transform;
  return firstProblem([
    [opt(c.name, isText), 'name is not text'],
    [isObj(t), 'transform is not an object'],
    [isObj(t) && isText(t.mode), 'transform.mode is not text'],
    [isObj(t) && isInt(t.crossbar, 1), 'transform.crossbar is not a size'],
    [opt(c.hardware, (h) => isObj(h) && isText(h.preset)), 'hardware.preset is not text'],
    [opt(c.training, (x) => isObj(x) && opt(x.seed, isNum)), 'training.seed is not a number'],
  ]);
}

/** The store's "result.json is damaged: …" / "… is unreadable (…)" in the Runs view's words: "damaged: result.json: …". */
function damagedWords(problem: string): string {
  const m = /^(result\.json|config\.json) (?:is damaged: (.*)|is unreadable \((.*)\)|is (not a TraNNsformer run record))$/s.exec(problem);
  return m ? `damaged: ${m[1]}: ${m[2] ?? m[3] ?? m[4]}` : problem;
}

/** A run record as the store read it, its result and config checked: a damaged one becomes corrupt, saying which file and why. */
export function checkRun(rec: RunRecord): RunRecord {
  if (rec.state !== 'ok') return { ...rec, problem: rec.problem ? damagedWords(rec.problem) : 'damaged: result.json: unreadable' };
  const r = runResultProblem(rec.result);
  if (r) return { dir: rec.dir, state: 'corrupt', problem: `damaged: result.json: ${r}` };
  const c = runConfigProblem(rec.config);
  if (c) return { dir: rec.dir, state: 'corrupt', problem: `damaged: config.json: ${c}` };
  return rec;
}

/** A checked run's result and config (checkRun passed). */
export const okRun = (rec: RunRecord): { result: RunResult; config: ExperimentConfig } | undefined =>
  rec.state === 'ok' && rec.result && rec.config ? { result: rec.result, config: rec.config } : undefined;

/** Why a point's priced figures are not usable, or undefined. */
export function figuresProblem(f: unknown): string | undefined {
  if (!isObj(f)) return 'not an object';
  return firstProblem([
    [isNum(f.area_mm2), 'area_mm2 is not a number'],
    [isNum(f.energy_uJ), 'energy_uJ is not a number'],
    [isNum(f.mpes), 'mpes is not a number'],
    [opt(f.utilisation, isNum), 'utilisation is not a number'],
    [opt(f.testAccuracy, isNum), 'testAccuracy is not a number'],
    [opt(f.snnAccuracy, isNum), 'snnAccuracy is not a number'],
    [opt(f.warnings, textList), 'warnings is not a list of text'],
    [opt(f.hwAccuracy, isNum), 'hwAccuracy is not a number'],
    [opt(f.hwAccuracySpread, (a) => isObj(a) && chipSpreadOk(a)), 'hwAccuracySpread has no min, max and chips'],
  ]);
}

/** `sweep.json` checked (format, kind, points and jobs), or why not. */
export function checkSweepRecord(v: unknown): SweepRecord | string {
  if (!isObj(v)) return 'not an object';
  const p = firstProblem([
    [v.format === 'trannsformer-sweep', 'format is not trannsformer-sweep'],
    [isNum(v.formatVersion) && v.formatVersion <= 1, 'formatVersion is not one this studio reads'],
    [oneOf(v.kind, ['sweep', 'compare']), 'kind is not sweep or compare'],
    [isText(v.name), 'name is not text'],
    [oneOf(v.status, STATUSES), 'status is not running, completed, interrupted or failed'],
    [isNum(v.accuracyLossLimit), 'accuracyLossLimit is not a number'],
    [opt(v.owner, (o) => isObj(o) && isInt(o.pid)), 'owner has no process id'],
    [Array.isArray(v.jobs) && v.jobs.every((j) => isObj(j) && isText(j.id)), 'jobs is not a list of jobs with ids'],
    [Array.isArray(v.points), 'points is not a list'],
  ]);
  if (p) return p;
  const bad = (v.points as unknown[]).findIndex((x) => !(isObj(x) && isText(x.id) && isText(x.jobId) && isText(x.mode) && isInt(x.crossbar, 1) && isText(x.preset)));
  return bad >= 0 ? `points[${bad}] lacks an id, job, mode, crossbar or preset` : (v as unknown as SweepRecord);
}

/** A job record checked (status, owner, error, per-point figures), or why not. */
export function checkJobRecord(v: unknown): SweepJobRecord | string {
  if (!isObj(v)) return 'not an object';
  const p = firstProblem([
    [isText(v.jobId), 'jobId is not text'],
    [oneOf(v.status, STATUSES), 'status is not running, completed, interrupted or failed'],
    [opt(v.owner, (o) => isObj(o) && isInt(o.pid)), 'owner has no process id'],
    [opt(v.runDir, isText), 'runDir is not a path'],
    [opt(v.error, (e) => isObj(e) && isText(e.message)), 'error has no message'],
    [opt(v.priced, isObj), 'priced is not an object'],
  ]);
  if (p) return p;
  for (const [id, f] of Object.entries((v.priced ?? {}) as Obj)) {
    const why = isObj(f) && 'error' in f ? (isText(f.error) ? undefined : 'error is not text') : figuresProblem(f);
    if (why) return `priced.${id}: ${why}`;
  }
  return v as unknown as SweepJobRecord;
}

const spreadOk = (s: unknown): boolean => s === undefined || (isObj(s) && isNum(s.mean) && isInt(s.n, 1) && isNum(s.min) && isNum(s.max) && opt(s.std, isNum));

function pointProblem(p: unknown): string | undefined {
  if (!isObj(p)) return 'not an object';
  return firstProblem([
    [isText(p.id), 'id is not text'],
    [oneOf(p.status, POINT_STATUSES), 'status is not a point state'],
    [isText(p.mode) && isInt(p.crossbar, 1) && isText(p.preset), 'mode, crossbar or preset is missing'],
    [isInt(p.epochs), 'epochs is not a count'],
    [isObj(p.axes), 'axes is not an object'],
    [opt(p.runDir, isText), 'runDir is not a path'],
    [opt(p.repriced, (x) => typeof x === 'boolean'), 'repriced is not true or false'],
    [opt(p.accuracyLoss, isNum), 'accuracyLoss is not a number'],
    [opt(p.error, isText), 'error is not text'],
    [opt(p.rank, isInt), 'rank is not a rank'],
  ]) ?? (p.figures === undefined ? undefined : figuresProblem(p.figures)?.replace(/^/, 'figures.'));
}

function designProblem(d: unknown): string | undefined {
  if (!isObj(d)) return 'not an object';
  const spreads = ['testAccuracy', 'snnAccuracy', 'mpes', 'area_mm2', 'energy_uJ', 'accuracyLoss', 'hwAccuracy'];
  return firstProblem([
    [isText(d.id) && textList(d.pointIds) && Array.isArray(d.seeds) && d.seeds.every((s) => isInt(s)), 'id, pointIds or seeds is missing'],
    [isText(d.mode) && isInt(d.crossbar, 1) && isText(d.preset), 'mode, crossbar or preset is missing'],
    [isObj(d.axes) && isInt(d.done), 'axes or done is missing'],
    [spreads.every((k) => spreadOk(d[k])), 'a figure is not a spread (mean, n, min, max)'],
    [opt(d.verdict, (x) => isObj(x) && isText(x.text)), 'verdict has no text'],
    [opt(d.warnings, (x) => typeof x === 'boolean'), 'warnings is not true or false'],
  ]);
}

/** `pareto.json` checked: its damaged points and designs left out and named in `damaged`; or why the whole file is unusable. */
export function checkFront(v: unknown): { front: SweepFront; damaged: string[] } | string {
  if (!isObj(v)) return 'not an object';
  const p = firstProblem([
    [v.format === undefined || v.format === 'trannsformer-pareto', 'format is not trannsformer-pareto'],
    [isText(v.name), 'name is not text'],
    [isInt(v.done) && isInt(v.planned), 'done or planned is not a count'],
    [isNum(v.accuracyLossLimit), 'accuracyLossLimit is not a number'],
    [Array.isArray(v.points), 'points is not a list'],
    [textList(v.front), 'front is not a list of point ids'],
    [opt(v.recommended, isText) && opt(v.recommendedDesign, isText), 'recommended is not a point id'],
    [opt(v.noRecommendation, isText), 'noRecommendation is not text'],
    [opt(v.designs, Array.isArray), 'designs is not a list'],
  ]);
  if (p) return p;
  const damaged: string[] = [];
  const keep = <T>(list: unknown[], what: string, why: (x: unknown) => string | undefined): T[] =>
    list.filter((x, i) => {
      const w = why(x);
      if (w) damaged.push(`${what} ${i + 1}${isObj(x) && isText(x.id) ? ` (${x.id})` : ''}: ${w}`);
      return !w;
    }) as T[];
  const points = keep<SweepPointResult>(v.points as unknown[], 'point', pointProblem);
  const designs = v.designs === undefined ? undefined : keep<SweepDesign>(v.designs as unknown[], 'design', designProblem);
  return { front: { ...(v as unknown as SweepFront), points, ...(designs ? { designs } : {}) }, damaged };
}

/** `compare.json` checked: the rows with a run folder (others left out). */
export function checkCompare(v: unknown): CompareResult | string {
  if (!isObj(v) || !Array.isArray(v.rows)) return 'rows is not a list';
  return { ...(v as unknown as CompareResult), rows: v.rows.filter((r): r is CompareResult['rows'][number] => isObj(r) && isText(r.runDir) && opt(r.reductionVsPruning, isNum)) };
}

/** Whether a metrics line holds every figure the curves use (epoch, losses, accuracies, kept fractions, mPEs). */
export function isEpochMetrics(m: unknown): m is EpochMetrics {
  if (!isObj(m) || !isInt(m.epoch)) return false;
  if (![m.testAccuracy, m.trainAccuracy, m.trainLoss, m.testLoss].every(isNum) || !numList(m.keptFraction)) return false;
  return opt(m.transform, (t) => isObj(t) && isNum(t.mpes) && opt(t.clusters, numList));
}

/** Metrics lines the views can draw, and how many were left out as damaged. */
export function checkMetrics(lines: readonly unknown[]): { metrics: EpochMetrics[]; damaged: number } {
  const metrics = lines.filter(isEpochMetrics);
  return { metrics, damaged: lines.length - metrics.length };
}

/** Figures of a sweep point the views show, when they are usable. */
export const usableFigures = (f: unknown): SweepFigures | undefined => (figuresProblem(f) === undefined ? (f as SweepFigures) : undefined);

/** Whole numbers in [0, n). */
const indices = (v: unknown, n: number): v is number[] => Array.isArray(v) && v.every((i) => isInt(i) && i < n);

/**
 * `mapping.json` checked against the network (`layers`: sizes, inputs first):
 * every scheme's crossbars hold neurons of their layer; or why not.
 */
export function checkMappingFile(v: unknown, layers: readonly number[]): MappingFile | string {
  if (!isObj(v)) return 'not an object';
  if (!isInt(v.crossbarSize, 1) || !isText(v.shown) || !isObj(v.schemes)) return 'crossbarSize, shown or schemes is missing';
  for (const [name, s] of Object.entries(v.schemes)) {
    if (!isObj(s)) return `schemes.${name} is not an object`;
    if (s.layers === undefined) continue;
    if (!Array.isArray(s.layers) || s.layers.length > layers.length - 1) return `schemes.${name}.layers is not a list of the network's layers`;
    for (const [l, lm] of s.layers.entries()) {
      const ok = isObj(lm) && Array.isArray(lm.crossbars) && lm.crossbars.every((c) => isObj(c) && indices(c.rows, layers[l + 1]) && indices(c.cols, layers[l]) && isInt(c.synapses) && isText(c.kind));
      if (!ok) return `schemes.${name}.layers[${l}]: a crossbar holds neurons outside the ${layers[l + 1]}×${layers[l]} layer or lacks its synapses`;
    }
  }
  return v as unknown as MappingFile;
}

/** `clusters.json` checked against the network: clusters of neurons of their layer, a full neuron order when there is one; or why not. */
export function checkClustersFile(v: unknown, layers: readonly number[]): ClustersFile | string {
  if (!isObj(v) || !Array.isArray(v.layers)) return 'layers is not a list';
  if (v.layers.length > layers.length - 1) return `${v.layers.length} layers for a network of ${layers.length - 1}`;
  for (const [l, lc] of v.layers.entries()) {
    const rows = layers[l + 1];
    const cols = layers[l];
    if (!isObj(lc) || !Array.isArray(lc.clusters)) return `layers[${l}] has no list of clusters`;
    const bad = lc.clusters.findIndex((c) => !(isObj(c) && indices(c.outputs, rows) && indices(c.inputs, cols) && isNum(c.quality) && typeof c.valid === 'boolean'));
    if (bad >= 0) return `layers[${l}].clusters[${bad}] names a neuron outside the ${rows}×${cols} layer, or lacks its quality or validity`;
    const p = lc.permutation;
    const full = (o: unknown, n: number) => indices(o, n) && o.length === n && new Set(o).size === n;
    if (p !== undefined && !(isObj(p) && full(p.outputs, rows) && full(p.inputs, cols))) return `layers[${l}].permutation does not order all ${rows} outputs and ${cols} inputs`;
  }
  return v as unknown as ClustersFile;
}
