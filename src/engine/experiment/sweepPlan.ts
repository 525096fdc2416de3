/**
 * Planning a sweep, without running anything: the `sweep` section of a
 * config expands into design points (a grid, seeded random samples, or a
 * grid × samples); each point is the base config with a list of overrides,
 * resolved and validated like any config. Points are then grouped into
 * training jobs by what their training depends on:
 *
 * - pricing settings (crossbar size for original and pruning, the preset
 *   always) act after training: points differing only there share one
 *   training and are re-priced (`evaluateRun`) without retraining;
 * - original ignores every transform field; pruning reads only the pruning
 *   rate fields; TraNNsformer (and offline) read all of them, crossbar
 *   included, so it trains once per crossbar size.
 *
 * - checkpoint forking: TraNNsformer trainings that differ only in settings
 *   acting from clusterStart on (crossbar size, clustering and cluster
 *   pruning settings; FORK_AFTER below) share their first clusterStart − 1
 *   epochs: one of them (the parent) saves its state there, the others
 *   start from it. The result is the same as training each from epoch 1.
 */
import { createHash } from 'node:crypto';
import { errorMessage, UserError } from '../core/errors';
import { Rng } from '../core/rng';
import { SWEEP_OBJECTIVES, type ExperimentConfig, type SweepConfig, type SweepRange, type TransformMode } from '../config/schema';
import { resolveAxis } from '../config/sweepAxes';
import { loadConfigObject, withOverrides, type ConfigOverride, type LoadedConfig } from '../config/resolve';
import type { JsonPath } from '../config/validate';
import type { SweepAxisValue, SweepJob, SweepObjective, SweepPoint, SweepSharing } from '../format/sweep';

export const DEFAULT_OBJECTIVES: SweepObjective[] = ['area', 'energy', 'accuracy'];
export const DEFAULT_ACCURACY_LOSS_LIMIT = 0.005;

export interface SweepPlan {
  name: string;
  kind: 'sweep' | 'compare';
  /** The base config: the file's raw JSON without its sweep section, and the overrides it was loaded with (flags). */
  base: LoadedConfig;
  points: SweepPoint[];
  jobs: SweepJob[];
  sharing: SweepSharing;
  objectives: SweepObjective[];
  accuracyLossLimit: number;
  fingerprint: string;
}

export interface PlanOptions {
  kind?: 'sweep' | 'compare';
  /** The spec; default the config's own sweep section. */
  spec?: Partial<SweepConfig>;
  /** Training threads per job (sets training.workers); undefined keeps the config's. */
  threads?: number;
  /** Name a job's run (default `<mode>-x<crossbar>-<job id>`). */
  jobName?: (config: Readonly<ExperimentConfig>, jobId: string) => string;
}

/** The config path an axis sets: a named axis, or a dotted path to a numeric field of the schema (refused otherwise). */
export function axisPath(axis: string, where: string, config?: unknown): JsonPath {
  const r = resolveAxis(axis, config);
  if ('problem' in r) throw new UserError(where, r.problem);
  return r.path;
}

/** Every combination of the grid (first axis outermost), each crossed with every random sample; indices checked against `config` when given. */
export function expandAxes(spec: Partial<SweepConfig>, config?: unknown): SweepAxisValue[][] {
  let combos: SweepAxisValue[][] = [[]];
  for (const [axis, values] of Object.entries(spec.grid ?? {})) {
    const where = `sweep.grid.${axis}`;
    const p = axisPath(axis, where, config);
    if (!Array.isArray(values) || values.length === 0) throw new UserError(where, 'needs a non-empty list of values');
    combos = combos.flatMap((c) => values.map((value) => [...c, { axis, path: p, value }]));
  }
  const r = spec.random;
  if (r) {
    const rng = new Rng(r.seed ?? 1, 0x5eeb);
    const axes = Object.entries(r.ranges).map(([axis, range]) => ({ axis, range, path: axisPath(axis, `sweep.random.ranges.${axis}`, config) }));
    for (const a of axes) if (spec.grid && a.axis in spec.grid) throw new UserError(`sweep.random.ranges.${a.axis}`, 'is also a grid axis; sweep each axis one way');
    const samples: SweepAxisValue[][] = [];
    for (let s = 0; s < r.samples; s++) samples.push(axes.map((a) => ({ axis: a.axis, path: a.path, value: draw(rng, a.range, `sweep.random.ranges.${a.axis}`) })));
    combos = combos.flatMap((c) => samples.map((s) => [...c, ...s]));
  }
  return combos;
}

function draw(rng: Rng, range: SweepRange, where: string): number | string {
  if ('values' in range) return range.values[rng.int(range.values.length)];
  const { min, max } = range;
  if (!(min <= max)) throw new UserError(where, `min (${min}) must not exceed max (${max})`);
  if (range.log && !(min > 0)) throw new UserError(where, `a log range needs min > 0 (got ${min})`);
  if (range.integer) {
    const lo = Math.ceil(min);
    const hi = Math.floor(max);
    if (lo > hi) throw new UserError(where, `holds no whole number between ${min} and ${max}`);
    return range.log ? Math.min(hi, Math.max(lo, Math.round(Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)))))) : lo + rng.int(hi - lo + 1);
  }
  const u = rng.next();
  const v = range.log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
  // Six significant digits: readable in points.csv, and the same value resolves the same way on resume.
  return Number(v.toPrecision(6));
}

/** JSON with sorted keys: equal objects give equal strings. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** What a trained network depends on: everything but the name, the thread count, how often it checkpoints, the preset, and the transform fields its mode ignores. */
export function trainingKey(c: Readonly<ExperimentConfig>): string {
  const t = c.transform;
  // Hardware-aware training trains through the preset's device at the crossbar size: both shape the network then.
  const hwa = t.hardwareAwareFrom > 0 ? { hardwareAwareFrom: t.hardwareAwareFrom, hardwareAwareOff: t.hardwareAwareOff, crossbar: t.crossbar } : {};
  const transform =
    t.mode === 'original'
      ? { mode: t.mode, ...hwa }
      : t.mode === 'pruning'
        ? { mode: t.mode, pruneRates: t.pruneRates, pruneRateScale: t.pruneRateScale, slowdown: t.slowdown, ...hwa }
        : { ...t };
  const { preset, ...rest } = c.hardware;
  const hardware = t.hardwareAwareFrom > 0 ? { ...rest, preset } : rest;
  const { workers: _workers, checkpointEvery: _checkpointEvery, ...training } = c.training;
  return stableStringify({ dataset: c.dataset, network: c.network, training, transform, hardware, backend: c.backend });
}

/**
 * Transform fields that act only from clusterStart on (steps.ts, schedule.ts):
 * before it every epoch of TraNNsformer is plain ADP, whatever they are.
 * A field not listed here counts as acting from epoch 1 (no fork across it).
 */
const FORK_AFTER = [
  'crossbar',
  'tolerance',
  'qualityMax',
  'qualityMin',
  'qualityStep',
  'clusterPruneStart',
  'clusterPruneFactor',
  'clusterPruneRate',
  'k',
  'sizeRule',
  'refine',
  'innerPruneRate',
  'clustering',
  'partitions',
  'fadeUnclustered',
  'freezeMasks',
  'fillCrossbars',
  'refillCrossbars',
] as const;

/** What the first clusterStart − 1 epochs of a TraNNsformer training depend on; undefined when it cannot fork. */
export function forkKey(c: Readonly<ExperimentConfig>): { key: string; epoch: number } | undefined {
  const t = c.transform;
  if (t.mode !== 'trannsformer' || t.clusterStart === undefined || t.clusterPruneStart === undefined) return undefined;
  const epoch = t.clusterStart - 1;
  if (epoch < 1 || t.clusterPruneStart < t.clusterStart) return undefined;
  // Hardware-aware epochs before the fork depend on the crossbar size and preset, which forks may differ in.
  if (t.hardwareAwareFrom > 0 && t.hardwareAwareFrom <= epoch) return undefined;
  const early: Record<string, unknown> = { ...t };
  for (const f of FORK_AFTER) delete early[f];
  const { preset: _preset, ...hardware } = c.hardware;
  const { workers: _workers, checkpointEvery: _checkpointEvery, ...training } = c.training;
  return { key: stableStringify({ dataset: c.dataset, network: c.network, training, transform: early, hardware, backend: c.backend }), epoch };
}

/** The config as written, without its sweep section (a point's run does not sweep). */
function withoutSweep(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const { sweep: _sweep, ...rest } = raw as Record<string, unknown>;
  return rest;
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64);

/** Expand the spec into points, resolve each, group them into training jobs. Throws a UserError for a bad spec or point. */
export function planSweep(loaded: LoadedConfig, opts: PlanOptions = {}): SweepPlan {
  const kind = opts.kind ?? 'sweep';
  const spec = opts.spec ?? loaded.config.sweep;
  if (!spec) throw new UserError(loaded.file, 'has no "sweep" section: add one (see examples/sweep-quick.trannsformer.json)');
  const maxPoints = spec.maxPoints ?? 200;
  const combos = expandAxes(spec, loaded.config);
  if (combos.length > maxPoints)
    throw new UserError('sweep.maxPoints', `the sweep plans ${combos.length} points, more than the budget of ${maxPoints}: remove axis values or raise sweep.maxPoints`);
  const base: LoadedConfig = { ...loaded, raw: withoutSweep(loaded.raw) };
  const points: SweepPoint[] = [];
  const jobs: SweepJob[] = [];
  const jobByKey = new Map<string, SweepJob>();
  const keyOfJob = new Map<string, string>();
  const jobConfigs = new Map<string, Readonly<ExperimentConfig>>();
  const pad = String(combos.length - 1).length;
  combos.forEach((axes, i) => {
    const overrides: ConfigOverride[] = axes.map((a) => ({ path: a.path, value: a.value, source: `sweep axis ${a.axis}` }));
    const config = withOverrides(base, overrides).config;
    const key = trainingKey(config);
    let job = jobByKey.get(key);
    if (!job) {
      const id = `j${String(jobs.length).padStart(2, '0')}`;
      const name = safeName(opts.jobName?.(config, id) ?? `${config.transform.mode}-x${config.transform.crossbar}-${id}`);
      job = {
        id,
        name,
        overrides: [
          ...overrides,
          { path: ['name'], value: name, source: kind },
          ...(opts.threads !== undefined ? [{ path: ['training', 'workers'], value: opts.threads, source: `${kind} core budget` }] : []),
        ],
        threads: opts.threads ?? config.training.workers,
        pointIds: [],
        crossbars: [],
        presets: [],
        epochs: config.training.epochs,
      };
      jobs.push(job);
      jobConfigs.set(id, config);
      jobByKey.set(key, job);
      keyOfJob.set(id, key);
    }
    const id = `p${String(i).padStart(pad, '0')}`;
    job.pointIds.push(id);
    if (!job.crossbars.includes(config.transform.crossbar)) job.crossbars.push(config.transform.crossbar);
    if (!job.presets.includes(config.hardware.preset)) job.presets.push(config.hardware.preset);
    points.push({
      id,
      axes,
      mode: config.transform.mode,
      crossbar: config.transform.crossbar,
      preset: config.hardware.preset,
      epochs: config.training.epochs,
      seed: config.training.seed,
      jobId: job.id,
      ...({ key: trainingKey({ ...config, transform: { ...config.transform, mode: 'original' } }) } as object),
    });
  });
  // The reference of each point: an original point trained with the same settings, at the same size and preset when there is one.
  const refKey = (p: SweepPoint) => (p as SweepPoint & { key: string }).key;
  for (const p of points) {
    const candidates = points.filter((q) => q.mode === 'original' && refKey(q) === refKey(p));
    const ref = candidates.find((q) => q.crossbar === p.crossbar && q.preset === p.preset) ?? candidates[0];
    if (ref) p.referenceId = ref.id;
  }
  for (const p of points) delete (p as Partial<SweepPoint & { key: string }>).key;
  // Checkpoint forking: trainings with the same early epochs share them.
  const groups = new Map<string, { epoch: number; jobs: SweepJob[] }>();
  for (const j of jobs) {
    const f = forkKey(jobConfigs.get(j.id)!);
    if (!f) continue;
    const g = groups.get(f.key) ?? { epoch: f.epoch, jobs: [] };
    g.jobs.push(j);
    groups.set(f.key, g);
  }
  let epochsSaved = 0;
  const forkNotes: string[] = [];
  for (const g of groups.values()) {
    if (g.jobs.length < 2) continue;
    const [parent, ...children] = g.jobs;
    parent.fork = { role: 'parent', epoch: g.epoch, crossbars: g.jobs.map((j) => jobConfigs.get(j.id)!.transform.crossbar), children: children.map((c) => c.id) };
    for (const c of children) c.fork = { role: 'child', parent: parent.id, epoch: g.epoch };
    epochsSaved += children.length * g.epoch;
    forkNotes.push(`${children.map((c) => c.id).join(', ')} start from ${parent.id}'s checkpoint after epoch ${g.epoch} (they differ only in settings acting from clusterStart = ${g.epoch + 1})`);
  }
  // Parents first and children last, so that (run in this order) a child finds its parent's checkpoint.
  const order = (j: SweepJob) => (j.fork?.role === 'parent' ? 0 : j.fork?.role === 'child' ? 2 : 1);
  jobs.sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id));
  const notes = jobs
    .filter((j) => j.pointIds.length > 1)
    .map((j) => {
      const mode = points.find((p) => p.id === j.pointIds[0])!.mode as TransformMode;
      return `${j.id} (${mode}) trains once for ${j.pointIds.length} points (${j.pointIds.join(', ')}): re-priced without retraining at crossbar ${j.crossbars.join(', ')} × preset ${j.presets.join(', ')}`;
    });
  const sharing: SweepSharing = {
    points: points.length,
    trainings: jobs.length,
    trainingsSaved: points.length - jobs.length,
    notes: notes.length || forkNotes.length ? [...notes, ...forkNotes] : ['no two points share a training'],
    checkpointForking: forkNotes.length > 0,
    ...(forkNotes.length ? { epochsSaved } : {}),
  };
  const fingerprint = createHash('sha256')
    .update(stableStringify({ points: points.map((p) => [p.id, p.axes.map((a) => [a.path, a.value]), p.jobId]), jobs: jobs.map((j) => keyOfJob.get(j.id)), kind }))
    .digest('hex')
    .slice(0, 16);
  return {
    name: loaded.config.name,
    kind,
    base,
    points,
    jobs,
    sharing,
    objectives: spec.objectives ?? DEFAULT_OBJECTIVES,
    accuracyLossLimit: spec.accuracyLossLimit ?? DEFAULT_ACCURACY_LOSS_LIMIT,
    fingerprint,
  };
}

const KNOWN_OBJECTIVES: readonly string[] = SWEEP_OBJECTIVES;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A `sweep.json` to resume, checked against itself and against the plan the
 * config makes now (the fingerprint covers the plan, not the record's own
 * copy of it): points and jobs present and naming each other, objectives
 * known, its config valid, and the points, objectives, accuracy-loss limit
 * and config the plan's. Throws a UserError naming the file and the field.
 */
export function checkSweepRecord(rec: SweepRecordShape, plan: SweepPlan, file: string): void {
  const bad = (field: string, why: string): never => {
    throw new UserError(file, `${field} ${why}: the record was damaged or edited; resume with an intact sweep folder, or start a new sweep`);
  };
  if (!Array.isArray(rec.points) || rec.points.length === 0) bad('points', 'is empty');
  if (!Array.isArray(rec.jobs) || rec.jobs.length === 0) bad('jobs', 'is empty');
  const jobIds = new Set(rec.jobs.map((j) => j?.id));
  const pointIds = new Set(rec.points.map((p) => p?.id));
  for (const [i, p] of rec.points.entries()) if (!jobIds.has(p?.jobId)) bad(`points[${i}]`, `names the job ${JSON.stringify(p?.jobId)}, which is not in jobs`);
  for (const [i, j] of rec.jobs.entries())
    if (!Array.isArray(j?.pointIds) || j.pointIds.length === 0 || !j.pointIds.every((id) => pointIds.has(id))) bad(`jobs[${i}].pointIds`, 'names no point or a point that is not in points');
  if (!Array.isArray(rec.objectives) || rec.objectives.length === 0 || !rec.objectives.every((o) => KNOWN_OBJECTIVES.includes(o)))
    bad('objectives', `must be a non-empty list of ${KNOWN_OBJECTIVES.join(', ')} (got ${JSON.stringify(rec.objectives)?.slice(0, 200)})`);
  try {
    loadConfigObject(rec.raw, plan.base.baseDir);
  } catch (e) {
    bad('raw', `is not a valid config (${errorMessage(e).replace(/^\(config\): /, '')})`);
  }
  if (!same(rec.raw, plan.base.raw)) bad('raw', 'is not the config the sweep was planned from');
  if (!same(rec.points, plan.points)) bad('points', `differ from the ${plan.points.length} points the config plans`);
  if (!same(rec.objectives, plan.objectives)) bad('objectives', `differ from the config's (${plan.objectives.join(', ')})`);
  if (rec.accuracyLossLimit !== plan.accuracyLossLimit) bad('accuracyLossLimit', `differs from the config's (${plan.accuracyLossLimit})`);
}

/** The fields of a sweep record checkSweepRecord reads (as read from disk: anything may be missing). */
type SweepRecordShape = { points: Partial<SweepPoint>[]; jobs: Partial<SweepJob>[]; objectives: string[]; raw: unknown; accuracyLossLimit: number };
