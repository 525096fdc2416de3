/**
 * The semantic checks of a config: what the JSON Schema cannot say. They read
 * the config defensively (any field may have the wrong type while the user
 * types, and the schema reports that), so one mistake does not hide the
 * others. With a base folder they also look at the disk — dataset files and
 * the hardware preset — the one place `run`, `validate` and the editor check
 * them.
 *
 * Every problem has a stable code, the path of the offending value, related
 * paths (the field it conflicts with) and, where the fix is clear, a fix.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorMessage, isUserError } from '../core/errors';
import { listPresets, loadPreset, type Preset } from '../hardware/presets';
import type { ConfigFix, ConfigProblem, JsonPath, Severity, ValidateOptions } from './problems';
import { closest } from './suggest';
import { SWEEP_AXES, type SweepConfig } from './schema';
import { countSweepPoints, resolveAxis } from './sweepAxes';
import { formatMemory, memoryEstimate } from './estimate';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Whether a path names a preset file rather than a preset in presets/ (as `loadPreset` decides). */
export const isPresetPath = (p: string): boolean => p.includes('/') || p.includes('\\') || p.endsWith('.json');

/** The preset a config names, loaded, or why it cannot be: one lookup for the checks and the hovers. */
export function presetOf(nameOrPath: string, baseDir: string): { preset?: Preset; error?: string } {
  try {
    return { preset: loadPreset(nameOrPath, baseDir) };
  } catch (e) {
    // "resparc-45mn: no such preset…" is shown at hardware.preset: drop the name it repeats.
    return { error: isUserError(e) && e.where === nameOrPath ? e.message.slice(e.where.length + 2) : errorMessage(e) };
  }
}

/** The epoch-dependent schedule defaults, as `resolveTransform` fills them. */
export function scheduleDefaults(epochs: number): { clusterStart: number; clusterPruneStart: number } {
  return { clusterStart: Math.max(1, Math.round(0.2 * epochs)), clusterPruneStart: Math.max(1, Math.round(0.8 * epochs)) };
}

const RATE_FIELDS: [string, string][] = [
  ['training', 'learningRate'],
  ['training', 'momentum'],
  ['network', 'dropout'],
  ['network', 'inputDropout'],
  ['transform', 'pruneRateScale'],
  ['transform', 'clusterPruneRate'],
  ['transform', 'clusterPruneFactor'],
  ['transform', 'innerPruneRate'],
  ['transform', 'tolerance'],
];

/**
 * All semantic problems of a config whose schema defaults were filled (as far
 * as the schema could fill them). `options.baseDir` adds the disk checks.
 */
export function checkConfig(c: Obj, options: ValidateOptions = {}): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const add = (severity: Severity, code: string, p: JsonPath, message: string, extra: { related?: ConfigProblem['related']; fix?: ConfigFix } = {}) =>
    out.push({ severity, code, path: p, message, ...extra });

  const ds = obj(c.dataset);
  const network = obj(c.network);
  const training = obj(c.training);
  const t = obj(c.transform);
  const hw = obj(c.hardware);
  const dsName = str(ds.name);
  const color = str(ds.color) ?? 'gray';
  const synthetic = obj(ds.synthetic);
  const layersRaw = Array.isArray(network.layers) ? (network.layers as unknown[]) : undefined;
  const layers = layersRaw?.every((n) => int(n) !== undefined && (n as number) >= 1) ? (layersRaw as number[]) : undefined;

  // ---- layers against the dataset -----------------------------------------
  const rgb = (dsName === 'cifar10' || dsName === 'svhn') && color === 'rgb';
  let shape: { inputs?: number; classes?: number; inputsFrom: JsonPath; classesFrom: JsonPath } | undefined;
  if (dsName === 'mnist' || dsName === 'fashion-mnist') shape = { inputs: 784, classes: 10, inputsFrom: ['dataset', 'name'], classesFrom: ['dataset', 'name'] };
  else if (dsName === 'cifar10' || dsName === 'svhn')
    shape = { inputs: rgb ? 3072 : 1024, classes: 10, inputsFrom: rgb ? ['dataset', 'color'] : ['dataset', 'name'], classesFrom: ['dataset', 'name'] };
  else if (dsName === 'synthetic')
    shape = {
      inputs: int(synthetic.inputSize),
      classes: int(synthetic.classes),
      inputsFrom: ['dataset', 'synthetic', 'inputSize'],
      classesFrom: ['dataset', 'synthetic', 'classes'],
    };
  if (shape && layers && layers.length >= 2) {
    const what = `dataset "${dsName}"${dsName === 'cifar10' || dsName === 'svhn' ? ` (${color})` : ''}`;
    const last = layers.length - 1;
    if (shape.inputs !== undefined && layers[0] !== shape.inputs)
      add('error', 'layers.input-mismatch', ['network', 'layers', 0], `is ${layers[0]}, but ${what} has ${shape.inputs} inputs`, {
        related: [{ path: shape.inputsFrom, message: `${what} has ${shape.inputs} inputs` }],
        fix: { title: `Set the first layer to ${shape.inputs} (the inputs of ${what})`, kind: 'set', changes: [{ path: ['network', 'layers', 0], value: shape.inputs }] },
      });
    if (shape.classes !== undefined && layers[last] !== shape.classes)
      add('error', 'layers.output-mismatch', ['network', 'layers', last], `is ${layers[last]}, but dataset "${dsName}" has ${shape.classes} classes`, {
        related: [{ path: shape.classesFrom, message: `dataset "${dsName}" has ${shape.classes} classes` }],
        fix: { title: `Set the last layer to ${shape.classes} (the classes of dataset "${dsName}")`, kind: 'set', changes: [{ path: ['network', 'layers', last], value: shape.classes }] },
      });
  }

  // ---- dataset fields -------------------------------------------------------
  const needsPath = dsName === 'cifar10' || dsName === 'svhn' || dsName === 'idx';
  const dsPath = str(ds.path);
  if (needsPath && dsPath === undefined && ds.path === undefined)
    add('error', 'dataset.path-required', ['dataset', 'path'], `is required for dataset "${dsName}": the folder holding its files`, {
      related: [{ path: ['dataset', 'name'], message: `dataset "${dsName}" is read from files` }],
    });
  if (dsName !== undefined && !needsPath && dsPath !== undefined)
    add('warning', 'dataset.path-ignored', ['dataset', 'path'], `is ignored for dataset "${dsName}"`, { related: [{ path: ['dataset', 'name'], message: `dataset "${dsName}" needs no files` }] });
  if (dsName !== undefined && dsName !== 'cifar10' && dsName !== 'svhn' && color === 'rgb')
    add('warning', 'dataset.color-ignored', ['dataset', 'color'], 'only applies to cifar10 and svhn', { related: [{ path: ['dataset', 'name'], message: `dataset is "${dsName}"` }] });

  // ---- training -------------------------------------------------------------
  const loss = str(training.loss);
  const output = str(network.output);
  if (loss === 'cross-entropy' && output !== undefined && output !== 'softmax')
    add('error', 'loss.output-mismatch', ['network', 'output'], 'must be "softmax" when training.loss is "cross-entropy"', {
      related: [{ path: ['training', 'loss'], message: 'the loss is "cross-entropy"' }],
      fix: { title: 'Set network.output to "softmax"', kind: 'set', changes: [{ path: ['network', 'output'], value: 'softmax' }] },
    });
  if (loss === 'squared-error' && output === 'softmax')
    add('error', 'loss.output-mismatch', ['training', 'loss'], 'must be "cross-entropy" when network.output is "softmax"', {
      related: [{ path: ['network', 'output'], message: 'the output is "softmax"' }],
      fix: { title: 'Set training.loss to "cross-entropy"', kind: 'set', changes: [{ path: ['training', 'loss'], value: 'cross-entropy' }] },
    });
  const batch = int(training.batchSize);
  const trainSize = dsName === 'synthetic' ? int(synthetic.trainSize) : int(ds.trainLimit);
  if (trainSize !== undefined && batch !== undefined && batch > trainSize)
    add('warning', 'training.batch-above-data', ['training', 'batchSize'], `is larger than the ${trainSize} training images: every epoch is one partial batch`, {
      related: [{ path: dsName === 'synthetic' ? ['dataset', 'synthetic', 'trainSize'] : ['dataset', 'trainLimit'], message: `${trainSize} training images` }],
    });
  const workers = int(training.workers);
  if (workers !== undefined && batch !== undefined && workers > 1 && batch < 2 * workers)
    add('error', 'training.workers-batch', ['training', 'workers'], `needs a batch of at least ${2 * workers} to split (batchSize is ${batch})`, {
      related: [{ path: ['training', 'batchSize'], message: `batchSize is ${batch}` }],
    });

  // ---- rates ----------------------------------------------------------------
  for (const [section, key] of RATE_FIELDS) {
    const v = num(obj(c[section])[key]);
    if (v !== undefined && v < 0) add('error', 'rate.negative', [section, key], `is ${v}, but a rate cannot be negative`);
  }
  const pruneRates = Array.isArray(t.pruneRates) ? (t.pruneRates as unknown[]) : undefined;
  pruneRates?.forEach((r, i) => {
    const v = num(r);
    if (v !== undefined && v < 0) add('error', 'rate.negative', ['transform', 'pruneRates', i], `is ${v}, but a prune rate cannot be negative`);
  });
  if (pruneRates && layers && pruneRates.length !== layers.length - 1)
    add('error', 'rates.length-mismatch', ['transform', 'pruneRates'], `has ${pruneRates.length} entries but the network has ${layers.length - 1} weight layers`, {
      related: [{ path: ['network', 'layers'], message: `${layers.length} layers: ${layers.length - 1} weight layers` }],
    });

  // ---- quality bars ---------------------------------------------------------
  const qMin = num(t.qualityMin);
  const qMax = num(t.qualityMax);
  if (qMin !== undefined && qMax !== undefined && qMin >= qMax) {
    const related = [{ path: ['transform', 'qualityMax'], message: `qualityMax is ${qMax}` }];
    if (qMin > qMax) add('error', 'quality.min-above-max', ['transform', 'qualityMin'], `(${qMin}) must not exceed qualityMax (${qMax})`, { related });
    else add('warning', 'quality.min-above-max', ['transform', 'qualityMin'], `equals qualityMax (${qMax}): re-clustering never lowers the bar`, { related });
  }

  // ---- the schedule: clusterStart ≤ clusterPruneStart ≤ epochs ----------------
  const E = int(training.epochs);
  if (E !== undefined && E >= 1) {
    const d = scheduleDefaults(E);
    const csGiven = int(t.clusterStart);
    const cpsGiven = int(t.clusterPruneStart);
    const cs = csGiven ?? d.clusterStart;
    const cps = cpsGiven ?? d.clusterPruneStart;
    // Reordered: the two starts sorted, both within the epochs. Only what changes is written.
    const a = Math.min(E, Math.min(cs, cps));
    const b = Math.min(E, Math.max(cs, cps));
    const changes: { path: JsonPath; value: unknown }[] = [];
    if (a !== cs) changes.push({ path: ['transform', 'clusterStart'], value: a });
    if (b !== cps) changes.push({ path: ['transform', 'clusterPruneStart'], value: b });
    const fix: ConfigFix | undefined = changes.length
      ? { title: `Reorder the schedule: clusterStart ${a}, clusterPruneStart ${b}, epochs ${E}`, kind: 'set', changes }
      : undefined;
    const epochsRel = { path: ['training', 'epochs'], message: `training ends after epoch ${E}` };
    const given = (n: number | undefined, v: number) => (n === undefined ? `${v} (the default)` : `${v}`);
    if (csGiven !== undefined && cs > E)
      add('warning', 'schedule.order', ['transform', 'clusterStart'], `is after the last epoch (${E}): no clustering will happen`, { related: [epochsRel], fix });
    if (cpsGiven !== undefined && cps > E)
      add('warning', 'schedule.order', ['transform', 'clusterPruneStart'], `is after the last epoch (${E}): clusters are never pruned`, { related: [epochsRel], fix });
    if ((csGiven !== undefined || cpsGiven !== undefined) && cs > cps && cs <= E) {
      const at: JsonPath = csGiven !== undefined ? ['transform', 'clusterStart'] : ['transform', 'clusterPruneStart'];
      add(
        'warning',
        'schedule.order',
        at,
        `clusterStart ${given(csGiven, cs)} is after clusterPruneStart ${given(cpsGiven, cps)}: clusters would be pruned before they exist`,
        { related: [{ path: csGiven !== undefined ? ['transform', 'clusterPruneStart'] : ['transform', 'clusterStart'], message: 'the other end of the schedule' }], fix },
      );
    }
  }

  // ---- hardware-aware training: from an epoch the run reaches -------------------
  const hwaFrom = int(t.hardwareAwareFrom);
  if (E !== undefined && E >= 1 && hwaFrom !== undefined && hwaFrom > E)
    add('warning', 'hardware-aware.after-end', ['transform', 'hardwareAwareFrom'], `is after the last epoch (${E}): no batch trains through the non-idealities`, {
      related: [{ path: ['training', 'epochs'], message: `training ends after epoch ${E}` }],
      fix: { title: `Train hardware-aware in the last epoch (${E})`, kind: 'set', changes: [{ path: ['transform', 'hardwareAwareFrom'], value: E }] },
    });
  if (layers && str(t.mode) !== undefined && t.mode !== 'original' && layers.some((n) => n > 20000))
    add('warning', 'layers.large', ['network', 'layers'], 'layers over 20,000 neurons make clustering slow');

  // ---- memory: refuse what cannot fit before a run folder exists -------------
  if (layers && layers.length >= 2) out.push(...memoryProblems(c, layers));

  // ---- the crossbar ---------------------------------------------------------
  const x = int(t.crossbar);
  if (x !== undefined && x >= 1 && (x & (x - 1)) !== 0) {
    const lower = 2 ** Math.floor(Math.log2(x));
    const nearest = x - lower <= 2 * lower - x ? lower : 2 * lower;
    const to = Math.min(512, Math.max(8, nearest));
    add('hint', 'crossbar.not-power-of-two', ['transform', 'crossbar'], `${x} is not a power of two; crossbars are usually 16, 32, 64, 128, 256`, {
      fix: { title: `Use ${to}×${to} crossbars`, kind: 'set', changes: [{ path: ['transform', 'crossbar'], value: to }] },
    });
  }

  // ---- the disk: the preset and the dataset files ----------------------------
  if (options.baseDir !== undefined) {
    const presetName = str(hw.preset);
    if (presetName !== undefined && presetName.length > 0) {
      const { preset, error } = presetOf(presetName, options.baseDir);
      if (!preset) {
        const guess = isPresetPath(presetName) ? undefined : closest(presetName, listPresets());
        // Pricing is off: the run never reads the preset, so it is not an error there.
        const severity: Severity = hw.evaluate === false ? 'warning' : 'error';
        add(severity, isPresetPath(presetName) ? 'preset.invalid' : 'preset.unknown', ['hardware', 'preset'], `${error ?? 'cannot be read'}${guess ? ` (did you mean "${guess}"?)` : ''}`, {
          ...(guess ? { fix: { title: `Use preset "${guess}"`, kind: 'set', changes: [{ path: ['hardware', 'preset'], value: guess }] } } : {}),
        });
      } else if (x !== undefined && x > preset.maxCrossbar)
        add('warning', 'crossbar.above-preset-max', ['transform', 'crossbar'], `${x}×${x} exceeds ${preset.name}'s largest reliable crossbar (${preset.maxCrossbar}×${preset.maxCrossbar})`, {
          related: [{ path: ['hardware', 'preset'], message: `preset ${preset.name}: maxCrossbar ${preset.maxCrossbar}` }],
          fix: { title: `Clamp the crossbar to ${preset.maxCrossbar} (${preset.name}'s maximum)`, kind: 'set', changes: [{ path: ['transform', 'crossbar'], value: preset.maxCrossbar }] },
        });
    }
    if (needsPath && dsPath) out.push(...datasetFileProblems(dsName!, ds, path.resolve(options.baseDir, dsPath)));
  }

  // ---- sweep (what `trannsformer sweep` would refuse or regret) -------------
  if (c.sweep !== undefined) out.push(...sweepProblems(obj(c.sweep)));
  if (c.sweep !== undefined && options.baseDir !== undefined) out.push(...sweepCrossbarProblems(c, obj(c.sweep), options.baseDir));
  return out;
}

/** JavaScript typed arrays hold at most 2^32 elements: one weight matrix larger than this cannot exist. */
export const MAX_LAYER_ELEMENTS = 2 ** 32;

/** Images × inputs of the named datasets as read (all of them: limits apply after reading), when known without the files. */
function datasetBytes(ds: Obj): number | undefined {
  const rgb = str(ds.color) === 'rgb';
  switch (str(ds.name)) {
    case 'mnist':
    case 'fashion-mnist':
      return 70000 * 784;
    case 'cifar10':
      // the images, and one 30 MB batch file being converted
      return 60000 * (rgb ? 3072 : 1024) + 10000 * 3073;
    case 'svhn':
      // the images, and train_32x32.mat's pixels as read
      return 99289 * (rgb ? 3072 : 1024) + 73257 * 3072;
    case 'synthetic': {
      const s = obj(ds.synthetic);
      const n = (int(s.trainSize) ?? 2000) + (int(s.testSize) ?? 500);
      return n * (int(s.inputSize) ?? 64);
    }
    default:
      return undefined;
  }
}

/**
 * A network whose training cannot fit in this machine's memory (or whose
 * largest weight matrix no typed array can hold) is an error, with the
 * estimate: the run would fail after creating its folder, or take the
 * machine down. Over half the memory is a warning.
 */
function memoryProblems(c: Obj, layers: number[], totalMemory = os.totalmem()): ConfigProblem[] {
  const training = obj(c.training);
  const positive = (v: unknown, d: number) => (int(v) !== undefined && (v as number) >= 1 ? (v as number) : d);
  const est = memoryEstimate({
    layers,
    batchSize: positive(training.batchSize, 400),
    evalBatchSize: positive(training.evalBatchSize, 2000),
    workers: positive(training.workers, 1),
    mode: str(obj(c.transform).mode),
    datasetBytes: datasetBytes(obj(c.dataset)),
  });
  const out: ConfigProblem[] = [];
  const { layer, elements } = est.largestLayer;
  if (elements > MAX_LAYER_ELEMENTS)
    out.push({
      severity: 'error',
      code: 'network.layer-too-large',
      path: ['network', 'layers', layer + 1],
      message: `makes weight layer ${layer + 1} (${layers[layer]}×${layers[layer + 1]}) ${elements.toLocaleString('en-US')} synapses; one weight matrix holds at most ${MAX_LAYER_ELEMENTS.toLocaleString('en-US')} (the largest JavaScript typed array)`,
      related: [{ path: ['network', 'layers', layer], message: `${layers[layer]} inputs` }],
    });
  const top = est.parts[0];
  const breakdown = est.parts
    .slice(0, 3)
    .map((p) => `${p.what}: ${formatMemory(p.bytes)}`)
    .join('; ');
  const related = est.parts.slice(0, 3).map((p) => ({ path: p.path, message: `${p.what}: ${formatMemory(p.bytes)}` }));
  if (est.total > totalMemory)
    out.push({
      severity: 'error',
      code: 'network.memory',
      path: top.path,
      message: `training needs about ${formatMemory(est.total)} of memory, more than this machine's ${formatMemory(totalMemory)} — ${breakdown}. Use smaller layers or batches`,
      related,
    });
  else if (est.total > totalMemory / 2)
    out.push({
      severity: 'warning',
      code: 'network.memory',
      path: top.path,
      message: `training needs about ${formatMemory(est.total)} of memory, over half of this machine's ${formatMemory(totalMemory)} — ${breakdown}`,
      related,
    });
  return out;
}

/** A plan this large is allowed but worth a second look: it is the number of design points, each priced, many trained. */
export const SWEEP_POINTS_WARNING = 50;

function sweepProblems(sweep: Obj): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const grid = obj(sweep.grid);
  const random = obj(sweep.random);
  const ranges = obj(random.ranges);
  const axes: [JsonPath, string][] = [
    ...Object.keys(grid).map((a): [JsonPath, string] => [['sweep', 'grid', a], a]),
    ...Object.keys(ranges).map((a): [JsonPath, string] => [['sweep', 'random', 'ranges', a], a]),
  ];
  for (const [p, axis] of axes) {
    const r = resolveAxis(axis);
    if (!('problem' in r)) continue;
    const guess = closest(axis, Object.keys(SWEEP_AXES));
    out.push({
      severity: 'error',
      code: 'sweep.unknown-axis',
      path: p,
      message: `${r.problem}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      ...(guess ? { fix: { title: `Rename to "${guess}"`, kind: 'rename' as const, path: p, to: guess } } : {}),
    });
  }
  if (axes.length === 0)
    out.push({ severity: 'warning', code: 'sweep.no-axes', path: ['sweep'], message: 'has neither grid nor random axes: the sweep plans a single point' });
  const spec = { grid: grid as SweepConfig['grid'], random: Object.keys(random).length ? (random as SweepConfig['random']) : undefined };
  const points = countSweepPoints(spec);
  const budget = int(sweep.maxPoints) ?? 200;
  const where: JsonPath = Object.keys(grid).length ? ['sweep', 'grid'] : ['sweep', 'random', 'samples'];
  if (points > budget)
    out.push({
      severity: 'error',
      code: 'sweep.too-many-points',
      path: where,
      message: `plans ${points} points, more than the budget of ${budget}: the sweep would be refused; remove axis values or raise sweep.maxPoints`,
      related: [{ path: ['sweep', 'maxPoints'], message: `budget: ${budget} points` }],
    });
  else if (points > SWEEP_POINTS_WARNING)
    out.push({
      severity: 'warning',
      code: 'sweep.too-many-points',
      path: where,
      message: `plans ${points} points (within the budget of ${budget}); original and pruning train once, TraNNsformer once per crossbar size and setting — check this is the sweep you mean`,
    });
  return out;
}

/** The keys of a sweep section's axes (grid, then random ranges) that name `target` (a named axis or its dotted path). */
function axesNaming(sweep: Obj, target: string): { path: JsonPath; spec: unknown }[] {
  const want = JSON.stringify(resolveAxis(target));
  const of = (section: Obj, base: JsonPath) => Object.keys(section).filter((a) => JSON.stringify(resolveAxis(a)) === want).map((a) => ({ path: [...base, a], spec: section[a] }));
  return [...of(obj(sweep.grid), ['sweep', 'grid']), ...of(obj(obj(sweep.random).ranges), ['sweep', 'random', 'ranges'])];
}

/**
 * Crossbar sizes a sweep prices beyond its presets' largest reliable
 * crossbar (the presets of its preset axis, else the config's): such points
 * are priced with a warning and never recommended. Warned at the axis value
 * itself, related to the preset that is exceeded.
 */
function sweepCrossbarProblems(c: Obj, sweep: Obj, baseDir: string): ConfigProblem[] {
  const presetAxis = axesNaming(sweep, 'preset')[0];
  const names: { name: string; path: JsonPath }[] = [];
  const list = Array.isArray(presetAxis?.spec) ? presetAxis.spec : Array.isArray(obj(presetAxis?.spec).values) ? (obj(presetAxis?.spec).values as unknown[]) : undefined;
  const listPath = presetAxis && !Array.isArray(presetAxis.spec) ? [...presetAxis.path, 'values'] : presetAxis?.path;
  if (list && listPath) list.forEach((n, i) => typeof n === 'string' && n && names.push({ name: n, path: [...listPath, i] }));
  else if (str(obj(c.hardware).preset)) names.push({ name: str(obj(c.hardware).preset)!, path: ['hardware', 'preset'] });
  const presets = names.flatMap((n) => {
    const { preset } = presetOf(n.name, baseDir);
    return preset ? [{ preset, path: n.path }] : [];
  });
  if (presets.length === 0) return [];
  // Each crossbar value the sweep can take, with where it is written.
  const values: { x: number; path: JsonPath }[] = [];
  for (const a of axesNaming(sweep, 'crossbar')) {
    if (Array.isArray(a.spec)) a.spec.forEach((x, i) => int(x) !== undefined && values.push({ x: x as number, path: [...a.path, i] }));
    else if (Array.isArray(obj(a.spec).values)) (obj(a.spec).values as unknown[]).forEach((x, i) => int(x) !== undefined && values.push({ x: x as number, path: [...a.path, 'values', i] }));
    else if (num(obj(a.spec).max) !== undefined) values.push({ x: num(obj(a.spec).max)!, path: [...a.path, 'max'] });
  }
  const out: ConfigProblem[] = [];
  // Measured on chips (the hwAccuracy objective), a point beyond the claim is judged by its measured accuracy: information, not a warning.
  const measured = Array.isArray(sweep.objectives) && sweep.objectives.includes('hwAccuracy');
  for (const v of values) {
    const over = presets.filter((p) => v.x > p.preset.maxCrossbar);
    if (over.length === 0) continue;
    const which = over.length === presets.length ? 'its points are' : `its points with ${over.map((p) => p.preset.name).join(', ')} are`;
    const limits = over.map((p) => `${p.preset.name}'s largest reliable crossbar (${p.preset.maxCrossbar}×${p.preset.maxCrossbar})`).join(' and ');
    out.push({
      severity: measured ? 'hint' : 'warning',
      code: 'sweep.crossbar-above-preset-max',
      path: v.path,
      message: measured
        ? `${v.x}×${v.x} exceeds ${limits}, as the source claims it: ${which} measured on simulated chips (hwAccuracy), and their measured accuracy decides whether one is recommended`
        : `${v.x}×${v.x} exceeds ${limits}: ${which} priced with a warning and never recommended`,
      related: over.map((p) => ({ path: p.path, message: `preset ${p.preset.name}: maxCrossbar ${p.preset.maxCrossbar}` })),
    });
  }
  return out;
}

/**
 * Dataset files missing on disk. Warnings, not errors: the shipped templates
 * point at data the user downloads later; the run itself stops with the
 * reader's error when they are still missing.
 */
function datasetFileProblems(name: string, ds: Obj, folder: string): ConfigProblem[] {
  const warn = (code: string, p: JsonPath, message: string): ConfigProblem => ({ severity: 'warning', code, path: p, message });
  const isDir = (p: string) => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  if (!isDir(folder)) return [warn('dataset.path-missing', ['dataset', 'path'], `folder not found: ${folder} (the run will fail until the ${name} files are there)`)];
  const out: ConfigProblem[] = [];
  if (name === 'cifar10') {
    const root = isDir(path.join(folder, 'cifar-10-batches-bin')) ? path.join(folder, 'cifar-10-batches-bin') : folder;
    let names: string[] = [];
    try {
      names = fs.readdirSync(root);
    } catch {
      /* unreadable: reported below as missing */
    }
    if (!names.some((n) => /^data_batch_\d+\.bin$/.test(n)))
      out.push(warn('dataset.files-missing', ['dataset', 'path'], `${root} holds no data_batch_*.bin files: point it at the extracted "CIFAR-10 binary version" folder`));
    if (!names.includes('test_batch.bin')) out.push(warn('dataset.files-missing', ['dataset', 'path'], `${root} has no test_batch.bin`));
  } else if (name === 'svhn') {
    const missing = ['train_32x32.mat', 'test_32x32.mat'].filter((f) => !fs.existsSync(path.join(folder, f)));
    if (missing.length) out.push(warn('dataset.files-missing', ['dataset', 'path'], `${folder} has no ${missing.join(' or ')}`));
  } else if (name === 'idx') {
    for (const key of ['trainImages', 'trainLabels', 'testImages', 'testLabels']) {
      const f = str(ds[key]);
      // Relative to the dataset folder; an absolute name is used as given (as the reader does).
      if (f && !fs.existsSync(path.resolve(folder, f))) out.push(warn('dataset.files-missing', ['dataset', key], `file not found: ${path.resolve(folder, f)}`));
    }
  }
  return out;
}
