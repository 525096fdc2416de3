/**
 * `trannsformer` — the headless CLI. The extension's background process runs
 * this same code with `--json` and reads the events it prints.
 *
 *   trannsformer run <config> [--out DIR] [--json] [--backend B] [--workers N]
 *   trannsformer sweep <config> [--out DIR] [--json] [--parallel N] [--resume DIR]
 *   trannsformer validate <config…> [--json]
 *   trannsformer schema
 */
import * as path from 'node:path';
import { BACKENDS, configSchema, type BackendName } from './engine/config/schema';
import { diagnoseText, formatLocated, problemRecord } from './engine/config/diagnostics';
import { loadConfigFile, type ConfigOverride, type LoadedConfig } from './engine/config/resolve';
import { errorMessage, isUserError, markReported, UserError, wasReported } from './engine/core/errors';
import { resumeMemberRun, type MemberRecords } from './engine/experiment/memberRecords';
import { DEFAULT_RUNS_ROOT, executeRun } from './engine/experiment/run';
import { evaluateCompare, executeCompare, formatCompareTable } from './engine/experiment/compare';
import { evaluateRun, formatEvaluation } from './engine/experiment/evaluate';
import { parseIdeal } from './engine/hardware/device';
import { writeReport } from './engine/report/html';
import { initBackend } from './engine/model/backend';
import { TRANSFORM_MODES, type TransformMode } from './engine/config/schema';
import type { EngineEvent } from './engine/events';
import * as os from 'node:os';
import { executeSweep, formatSweepTable, runSweepJob } from './engine/experiment/sweep';
import { isSweepDir } from './engine/store/sweepFolder';
import { readBoundedText, readProblem } from './engine/core/boundedFile';
import { compareFile, isCompareDir } from './engine/store/runFolder';
import { checkOutRoot, checkWritableFolder } from './engine/store/outRoot';
import { runPool } from './runner/pool';
import { fatalOutput, type FatalOrigin } from './engine/fatal';
import { checkSlurmResources, liveSubmissions, slurmJobs } from './runner/slurm';

const USAGE = `Usage:
  trannsformer run <config.trannsformer.json> [options]
      Train as the config says and write a run folder.
      --out DIR        parent folder of run folders (default ${DEFAULT_RUNS_ROOT})
      --json           machine-readable events on stdout, one JSON object per line
      --backend B      override the config's backend: ${BACKENDS.join(', ')}
      --workers N      override training.workers (data-parallel threads)
      --epochs N       override training.epochs
  trannsformer compare <config.trannsformer.json> [options]
      Train the config as original, pruning and trannsformer (same data and
      seed) and print the paper's table; options as for run, and
      --modes LIST     comma-separated modes (default original,pruning,trannsformer; add offline for the ablation)
      --crossbar X     override transform.crossbar
  trannsformer resume <run-folder> [--json] [--backend B] [--accept-config-change] [--force]
      Continue a stopped, failed or killed run from its checkpoint (written
      every training.checkpointEvery epochs and when stopped), in its own
      folder: it ends as the uninterrupted run would have (same backend).
      A config.json edited since the run started is refused, with the fields
      that differ; --accept-config-change continues with it (recorded in
      result.json's resume record).
      A run still owned by a process on another machine (a Slurm node) is
      refused until 30 minutes after its last update; --force takes it over
      at once (only when that machine or job is gone).
  trannsformer sweep <config.trannsformer.json> [options]
      Run the config's "sweep" section: every point as a run folder under one
      sweep folder, training shared where the points allow, in parallel worker
      processes under one core budget; prints the Pareto front and the
      recommended design, writes pareto.json and points.csv.
      --out DIR        parent folder of the sweep folder (default ${DEFAULT_RUNS_ROOT});
                       a sweep folder itself: resume it
      --resume DIR     resume a stopped sweep (finished trainings are skipped)
      --force          with --resume: take over a sweep or training owned by a process on
                       another machine that cannot be checked from here (it is gone)
      --parallel N     worker processes at once (default: as many as the cores allow);
                       with --executor slurm: array tasks running at once (default 16)
      --executor E     local (default: worker processes here) or slurm: the points as a
                       Slurm job array (sbatch) on the cluster, each task running this CLI
                       into the same sweep folder; the batch script and the tasks' logs go
                       into <sweep folder>/slurm/; Ctrl-C cancels them (scancel)
      --partition P    --time T    --cpus C    --mem M
                       Slurm partition, time limit per task (e.g. 2:00:00), CPUs per task
                       (= training threads; default training.workers), memory (e.g. 4G)
      --json           machine-readable events on stdout
      --backend B, --epochs N   as for run
  trannsformer evaluate <run-or-compare-folder> [options]
      Convert a finished run to a spiking network, map and price it again
      without retraining (a compare folder: all its runs, and the table).
      --crossbar LIST  crossbar sizes, e.g. 16,32,64,128,256 (default: the run's)
      --preset LIST    presets by name or path (default: the run's hardware.preset)
      --timesteps T    simulation timesteps      --images N   test images simulated
      --chips N        also the test accuracy on N simulated chips per preset and size
                       (device model, IR drop, ADC/DAC; seeds 1…N), mean ± std, min–max,
                       and the derived reliable crossbar size beside the preset's claim;
                       at the run's own preset and size it updates result.json's summary
      --loss-limit PT  accuracy loss (points) a reliable size may have (default 0.5)
      --ideal LIST     non-idealities off: levels, variation, readNoise, drift, stuckAt,
                       wires, adc, dac, or all    --hw-images N  test images for --chips
      --hw-snn         spiking presets: also the spiking network on each chip
      --placement ir-aware  order each crossbar's lines against IR drop before the chips
                       are built (where it lowers the crossbar's error; never adds one)
      --remap faults   per chip, permute each crossbar's lines so its stuck cells spoil the
                       least; measured with and without on the same chip (recovered points)
      --spares N       N spare word and bit lines per crossbar (0–64) that --remap may move a
                       faulty line to; every array grows to (size+N)², its extra area reported
      --stuck-cells FILE  a measured stuck-cell map (CSV, docs/stuck-cells.md): the chips
                       it lists have its stuck cells instead of drawn ones
      --json           the evaluation as JSON on stdout
  trannsformer report <run-or-compare-folder>
      Write report.html (tables and charts, self-contained) into the folder
  trannsformer validate <config…> [--json]
      Check configs as run does (schema, semantics, dataset files, preset) and
      print every problem with its code, JSON path, line and column
  trannsformer schema                print the config JSON Schema
  trannsformer --help | --version

Exit status: 0 done, 1 run failed, 2 bad usage or config, 130 interrupted.`;

interface Args {
  command?: string;
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['out', 'backend', 'workers', 'epochs', 'modes', 'seeds', 'crossbar', 'preset', 'timesteps', 'images', 'parallel', 'resume', 'executor', 'partition', 'time', 'cpus', 'mem', 'chips', 'loss-limit', 'ideal', 'hw-images', 'placement', 'remap', 'spares', 'stuck-cells']);
const BOOL_FLAGS = new Set(['json', 'help', 'version', 'accept-config-change', 'hw-snn', 'force']);

export function parseArgs(argv: string[]): Args {
  const args: Args = { positional: [], flags: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h') args.flags.set('help', true);
    else if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2);
      if (VALUE_FLAGS.has(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined || v.startsWith('--')) throw new UserError(`--${name}`, 'needs a value');
        args.flags.set(name, v);
      } else if (BOOL_FLAGS.has(name)) args.flags.set(name, true);
      else throw new UserError(a, `unknown option; see "trannsformer --help"`);
    } else if (!args.command) args.command = a;
    else args.positional.push(a);
  }
  return args;
}

function intFlag(args: Args, name: string, min: number, max: number): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`--${name}`, `must be a whole number from ${min} to ${max} (got "${String(v)}")`);
  return n;
}

/** evaluate --chips, --loss-limit (points), --ideal, --hw-images: the hardware-accuracy options. */
function hardwareAccuracyFlags(args: Args, list: (name: string) => string[] | undefined) {
  const chips = intFlag(args, 'chips', 1, 1000);
  const limit = args.flags.get('loss-limit');
  const pt = limit === undefined ? undefined : Number(limit);
  if (pt !== undefined && !(Number.isFinite(pt) && pt >= 0 && pt <= 100)) throw new UserError('--loss-limit', `must be accuracy points from 0 to 100 (got "${String(limit)}")`);
  if (!chips && (pt !== undefined || args.flags.has('ideal') || args.flags.has('hw-images') || args.flags.has('hw-snn') || args.flags.has('placement')))
    throw new UserError('--chips', 'give the number of chips to simulate (--loss-limit, --ideal, --hw-images, --hw-snn and --placement apply to it)');
  const placement = args.flags.get('placement');
  const remap = args.flags.get('remap');
  if (remap !== undefined && remap !== 'faults' && remap !== 'none') throw new UserError('--remap', `is faults or none (got "${String(remap).slice(0, 30)}")`);
  if (!chips && remap !== undefined) throw new UserError('--chips', 'give the number of chips to simulate (--remap applies to it)');
  const spares = intFlag(args, 'spares', 0, 64);
  const stuckCells = args.flags.get('stuck-cells');
  if (!chips && (spares !== undefined || stuckCells !== undefined)) throw new UserError('--chips', 'give the number of chips to simulate (--spares and --stuck-cells apply to it)');
  if (placement !== undefined && placement !== 'ir-aware' && placement !== 'none') throw new UserError('--placement', `is ir-aware or none (got "${String(placement).slice(0, 30)}")`);
  return { chips, lossLimit: pt === undefined ? undefined : pt / 100, ideal: parseIdeal(list('ideal') ?? []),
    ...(placement !== undefined ? { placement: placement as 'ir-aware' | 'none' } : {}),
    ...(remap !== undefined ? { remap: remap as 'faults' | 'none' } : {}),
    ...(spares !== undefined ? { spares } : {}),
    ...(stuckCells !== undefined ? { stuckCells: String(stuckCells) } : {}),
    hardwareImages: intFlag(args, 'hw-images', 1, 1_000_000),
    hardwareSnn: args.flags.has('hw-snn'),
    onChip: (preset: string, size: number, seed: number, acc: number, sec: number) => process.stderr.write(`chip ${seed}: ${preset} ${size}×${size} ${(100 * acc).toFixed(2)}% (${sec.toFixed(1)} s)\n`),
  };
}

/** --seeds 1,2,3: distinct whole numbers, as training.seed takes them. */
function seedsFlag(args: Args): number[] | undefined {
  const v = args.flags.get('seeds');
  if (v === undefined) return undefined;
  const seeds = String(v)
    .split(',')
    .map((x) => x.trim());
  const bad = seeds.find((x) => !/^\d+$/.test(x) || Number(x) > 4294967295);
  if (bad !== undefined) throw new UserError('--seeds', `must be comma-separated whole numbers from 0 to 4294967295 (got "${bad}" in "${String(v)}")`);
  const nums = seeds.map(Number);
  if (new Set(nums).size !== nums.length) throw new UserError('--seeds', `lists a seed twice ("${String(v)}")`);
  return nums;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** Human-readable progress on stderr; a live line on a terminal, plain lines otherwise. */
function humanReporter(): (e: EngineEvent) => void {
  const tty = process.stderr.isTTY;
  let live = false;
  let sweepDone = -1;
  let sweepPrinted = 0;
  const line = (s: string) => {
    if (live) process.stderr.write('\r\x1b[K');
    live = false;
    process.stderr.write(s + '\n');
  };
  return (e) => {
    switch (e.type) {
      case 'started':
        line(`run ${e.name} → ${e.runDir}`);
        line(`backend ${e.backend.name}${e.backend.detail ? ` (${e.backend.detail})` : ''}; data ${e.dataset.name}: ${e.dataset.train} train / ${e.dataset.test} test, ${e.dataset.inputSize} inputs, ${e.dataset.classes} classes`);
        for (const n of e.dataset.notes) line(`note: ${n}`);
        for (const w of e.warnings) line(`warning: ${w}`);
        break;
      case 'progress':
        if (tty) {
          process.stderr.write(`\r\x1b[Kepoch ${e.epoch}/${e.epochs}  batch ${e.batch}/${e.batches}  loss ${e.loss.toFixed(4)}  ${Math.round(e.samplesPerSecond)} samples/s  ETA ${clock(e.etaSeconds)}`);
          live = true;
        }
        break;
      case 'epoch': {
        const m = e.metrics;
        line(`epoch ${m.epoch}: loss ${m.trainLoss.toFixed(4)}, train ${pct(m.trainAccuracy)}, test ${pct(m.testAccuracy)}, ${m.seconds.toFixed(1)} s (${Math.round(m.samplesPerSecond)} samples/s)`);
        break;
      }
      case 'log':
        line(`${e.level === 'warning' ? 'warning: ' : ''}${e.message}`);
        break;
      case 'finished': {
        const r = e.result;
        const acc = r.final ? `, test accuracy ${pct(r.final.testAccuracy)}` : '';
        line(`${e.status}: ${r.epochsCompleted}/${r.epochsPlanned} epochs in ${clock(r.seconds)}${acc}`);
        line(`results: ${e.runDir}`);
        break;
      }
      case 'compared':
        line(`\n${formatCompareTable(e.result)}\n\ncomparison: ${compareFile(e.result.dir)}`);
        break;
      case 'sweep-started':
        line(`sweep ${e.name} → ${e.sweepDir}`);
        line(`${e.points} points, ${e.jobs} trainings${e.resumed ? ` (resumed: ${e.todo} to run)` : ''}; ${e.parallel} process${e.parallel === 1 ? '' : 'es'} at once, ${e.threads} training thread${e.threads === 1 ? '' : 's'} each`);
        break;
      case 'sweep-job':
        line(`${e.jobId} ${e.name}: ${e.status}${e.status === 'started' ? ` (points ${e.pointIds.join(', ')})` : ''}${e.error ? ` — ${e.error.split('\n')[0]}` : ''}`);
        break;
      case 'sweep-progress': {
        const s = `sweep ${(100 * e.fraction).toFixed(0)}%: ${e.jobsDone}/${e.jobsTotal} trainings done; ${e.running.map((r) => `${r.jobId} epoch ${r.epoch}/${r.epochs}`).join(', ') || '—'}; ETA ${clock(e.etaSeconds)}`;
        if (tty) {
          process.stderr.write(`\r\x1b[K${s}`);
          live = true;
        } else if (e.jobsDone !== sweepDone || Date.now() - sweepPrinted > 30_000) {
          // Not a terminal: a line when a training ends, and every 30 s between.
          sweepDone = e.jobsDone;
          sweepPrinted = Date.now();
          line(s);
        }
        break;
      }
      case 'swept':
        line(`\n${formatSweepTable(e.front)}\n\nsweep: ${e.sweepDir} (pareto.json, points.csv)`);
        break;
      case 'error':
        line(`error: ${e.message}`);
        if (e.runDir) line(`run folder (marked failed): ${e.runDir}`);
        break;
    }
  };
}

async function cmdRun(args: Args, compare = false): Promise<number> {
  const file = args.positional[0];
  const cmd = compare ? 'compare' : 'run';
  if (!file) throw new UserError(cmd, `needs a config file: trannsformer ${cmd} <config.trannsformer.json>`);
  const modes = String(args.flags.get('modes') ?? 'original,pruning,trannsformer').split(',').map((m) => m.trim());
  for (const m of modes)
    if (!(TRANSFORM_MODES as readonly string[]).includes(m)) throw new UserError('--modes', `"${m}" is not a mode; modes: ${TRANSFORM_MODES.join(', ')}`);
  const crossbar = intFlag(args, 'crossbar', 8, 512);
  const seeds = seedsFlag(args);
  if (seeds && !compare) throw new UserError('--seeds', 'applies to compare only (run trains one seed: set training.seed)');
  const workers = intFlag(args, 'workers', 1, 64);
  const epochs = intFlag(args, 'epochs', 1, 10000);
  const { json, backend, controller, emit, load } = commandSession(args, 'stopping after the current batch');
  // Flags override the file before validation, so the checks see what runs.
  const overrides: ConfigOverride[] = [];
  if (backend !== undefined) overrides.push({ path: ['backend'], value: backend, source: '--backend' });
  if (workers !== undefined) overrides.push({ path: ['training', 'workers'], value: workers, source: '--workers' });
  if (epochs !== undefined) overrides.push({ path: ['training', 'epochs'], value: epochs, source: '--epochs' });
  if (crossbar !== undefined) overrides.push({ path: ['transform', 'crossbar'], value: crossbar, source: '--crossbar' });
  const loaded = load(file, overrides);
  const removeHandlers = stopOnSignals(controller, json, 'stopping after the current batch');
  try {
    const outRoot = checkOutRoot(String(args.flags.get('out') ?? DEFAULT_RUNS_ROOT));
    if (compare) {
      const c = await executeCompare({ loaded, outRoot, modes: modes as TransformMode[], seeds, emit, signal: controller.signal });
      emit({ type: 'compared', result: c });
      emit({ type: 'log', level: 'info', message: `report: ${writeReport(c.dir)}` });
      return c.rows.some((r) => r.status === 'interrupted') || c.rows.length < modes.length * (c.seeds?.length ?? 1) ? 130 : 0;
    }
    const { result } = await executeRun({ loaded, outRoot, emit, signal: controller.signal });
    return result.status === 'interrupted' ? 130 : 0;
  } finally {
    removeHandlers();
  }
}

async function cmdResume(args: Args): Promise<number> {
  const dir = args.positional[0];
  if (!dir) throw new UserError('resume', 'needs a run folder: trannsformer resume <run-folder>');
  const { json, backend, controller, emit } = commandSession(args, 'stopping after the current batch');
  const overrides: ConfigOverride[] = backend !== undefined ? [{ path: ['backend'], value: backend, source: '--backend' }] : [];
  const removeHandlers = stopOnSignals(controller, json, 'stopping after the current batch');
  try {
    // A run of a comparison: its report is written again from the updated compare.json.
    const recorded = (m: MemberRecords) => {
      if (!m.compare) return;
      try {
        emit({ type: 'log', level: 'info', message: `report: ${writeReport(m.sweepDir)}` });
      } catch (e) {
        emit({ type: 'log', level: 'warning', message: `the comparison's report could not be written again: ${errorMessage(e)}` });
      }
    };
    const acceptConfigChange = args.flags.has('accept-config-change');
    const force = args.flags.has('force');
    const { result } = await resumeMemberRun({ dir, emit, signal: controller.signal, overrides, recorded, acceptConfigChange, force }).catch((e: unknown) => {
      if (json && !wasReported(e)) emit({ type: 'error', message: errorMessage(e), where: isUserError(e) ? e.where : undefined });
      throw json ? markReported(e) : e;
    });
    return result.status === 'interrupted' ? 130 : 0;
  } finally {
    removeHandlers();
  }
}

/**
 * What the long commands share: --backend checked; --json events on stdout,
 * and when their reader goes away (an editor window reloaded: EPIPE) the work
 * stops as if asked, so its folders are closed; the config loaded with the
 * flags as overrides, a bad one reported once (as an event too with --json).
 */
function commandSession(args: Args, stopping: string) {
  const json = args.flags.has('json');
  const backend = args.flags.get('backend') as string | undefined;
  if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend))
    throw new UserError('--backend', `must be one of ${BACKENDS.join(', ')} (got "${backend}")`);
  const controller = new AbortController();
  let consumerGone = false;
  if (json)
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (consumerGone) return;
      consumerGone = true;
      process.stderr.write(`\nstdout closed (${e.code ?? e.message}): ${stopping}\n`);
      controller.abort();
    });
  const emit: (e: EngineEvent) => void = json
    ? (e) => {
        if (!consumerGone) process.stdout.write(JSON.stringify(e) + '\n');
      }
    : humanReporter();
  const load = (file: string, overrides: ConfigOverride[]): LoadedConfig => {
    try {
      return loadConfigFile(file, overrides);
    } catch (e) {
      if (json) emit({ type: 'error', message: errorMessage(e), where: isUserError(e) ? e.where : undefined });
      throw json ? markReported(e) : e;
    }
  };
  return { json, backend, controller, emit, load };
}

/** Stop on SIGINT, SIGTERM and SIGHUP (twice: quit at once); returns the handler remover. */
function stopOnSignals(controller: AbortController, quiet: boolean, what: string): () => void {
  let stops = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    stops++;
    if (stops === 1) {
      if (!quiet) process.stderr.write(`\n${sig}: ${what} (again to quit at once)\n`);
      controller.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  };
}

/** The core budget: processes × training threads ≤ cores. ONNX Runtime takes every core (it has no thread setting here). */
export function sweepBudget(cores: number, backend: string, workers: number, parallel?: number): { parallel: number; threads: number; note?: string } {
  if (backend === 'onnx' || backend === 'auto')
    return {
      parallel: 1,
      threads: cores,
      note: parallel && parallel > 1 ? `backend "${backend}" may train on ONNX Runtime, which uses every core: one point at a time (use --backend wasm or node for ${parallel} processes)` : undefined,
    };
  if (parallel !== undefined) {
    const n = Math.min(parallel, cores);
    return { parallel: n, threads: Math.max(1, Math.floor(cores / n)), note: n < parallel ? `--parallel ${parallel} is more than the ${cores} cores: ${n} processes at once` : undefined };
  }
  const threads = Math.min(Math.max(1, workers), cores);
  return { parallel: Math.max(1, Math.floor(cores / threads)), threads };
}

async function cmdSweep(args: Args): Promise<number> {
  const file = args.positional[0];
  if (!file) throw new UserError('sweep', 'needs a config file: trannsformer sweep <config.trannsformer.json>');
  const epochs = intFlag(args, 'epochs', 1, 10000);
  const parallelFlag = intFlag(args, 'parallel', 1, 64);
  const executor = String(args.flags.get('executor') ?? 'local');
  if (executor !== 'local' && executor !== 'slurm') throw new UserError('--executor', `must be local or slurm (got "${executor}")`);
  for (const f of ['partition', 'time', 'cpus', 'mem']) if (executor === 'local' && args.flags.has(f)) throw new UserError(`--${f}`, 'is a Slurm setting: add --executor slurm');
  const cpusFlag = intFlag(args, 'cpus', 1, 1024);
  const { json, backend, controller, emit, load } = commandSession(args, 'stopping the sweep');
  const overrides: ConfigOverride[] = [];
  if (backend !== undefined) overrides.push({ path: ['backend'], value: backend, source: '--backend' });
  if (epochs !== undefined) overrides.push({ path: ['training', 'epochs'], value: epochs, source: '--epochs' });
  const loaded = load(file, overrides);
  const cores = os.availableParallelism();
  const slurm =
    executor === 'slurm'
      ? checkSlurmResources(
          { partition: args.flags.get('partition') as string | undefined, time: args.flags.get('time') as string | undefined, mem: args.flags.get('mem') as string | undefined, cpus: cpusFlag, maxConcurrent: parallelFlag },
          { cpus: Math.max(1, loaded.config.training.workers), maxConcurrent: 16 },
        )
      : undefined;
  // On Slurm each task has its own CPUs: training threads = --cpus, tasks at once = the array's cap.
  const budget = slurm
    ? {
        parallel: slurm.maxConcurrent,
        threads: slurm.cpus,
        note: loaded.config.backend === 'onnx' || loaded.config.backend === 'auto' ? `backend "${loaded.config.backend}" may train on ONNX Runtime, which uses every core of the node, not only the task's ${slurm.cpus} CPU(s): use --backend wasm or node on a shared cluster` : undefined,
      }
    : sweepBudget(cores, loaded.config.backend, loaded.config.training.workers, parallelFlag);
  if (budget.note) emit({ type: 'log', level: 'warning', message: budget.note });
  const out = args.flags.get('out') as string | undefined;
  let resumeDir = args.flags.get('resume') as string | undefined;
  if (resumeDir !== undefined && !isSweepDir(resumeDir)) throw new UserError('--resume', `${resumeDir} is not a sweep folder (no sweep.json)`);
  if (resumeDir === undefined && out !== undefined && isSweepDir(out)) resumeDir = out;
  // Resumed here while Slurm still runs (or will run) its tasks: the same trainings twice. Without Slurm on this machine there is nothing to check.
  if (!slurm && resumeDir !== undefined) {
    const live = await liveSubmissions(resumeDir).catch(() => []);
    if (live.length) throw new UserError(resumeDir, `has Slurm tasks still queued or running (${live.map((l) => l.tasks.join(', ')).join('; ')}): wait for them or scancel ${live.map((l) => l.arrayId).join(' ')}, then resume`);
  }
  if (resumeDir !== undefined) checkWritableFolder(resumeDir, '--resume');
  if (resumeDir === undefined && args.flags.has('force')) throw new UserError('--force', 'applies to resuming a sweep only: trannsformer sweep <config> --resume DIR --force');
  const removeHandlers = stopOnSignals(controller, json, 'stopping every point (their run folders end interrupted)');
  // Workers run this same CLI (under tsx too: execArgv carries its loader).
  const cli = { command: process.execPath, baseArgs: [...process.execArgv, process.argv[1]] };
  try {
    const outcome = await executeSweep({
      loaded,
      outRoot: checkOutRoot(out ?? DEFAULT_RUNS_ROOT),
      resumeDir,
      force: args.flags.has('force'),
      threads: budget.threads,
      parallel: budget.parallel,
      emit,
      signal: controller.signal,
      runJobs: slurm
        ? slurmJobs({ resources: slurm, jobName: `trannsformer-${loaded.config.name}`, ...cli, cwd: process.cwd(), log: (level, message) => emit({ type: 'log', level, message }), stopSweep: () => controller.abort() })
        : async ({ sweepDir, jobs, signal, progress, ended }) => {
            const tails = new Map<string, string>();
            await runPool(
              // The worker is given this process's pid: one started after this process died stops at once (see cmdSweepJob).
              jobs.map((j) => ({ id: j.id, args: ['sweep-job', sweepDir, j.id, String(process.pid), '--json'], threads: j.threads })),
              {
                ...cli,
                cores,
                maxProcesses: budget.parallel,
                signal,
                onStart: (id) => progress(id, 0, jobs.find((j) => j.id === id)!.epochs, 0),
                onEvent: (id, e) => {
                  if (e.type === 'progress') progress(id, e.epoch, e.epochs, (e.epoch - 1 + e.batch / Math.max(1, e.batches)) / Math.max(1, e.epochs));
                  else if (e.type === 'epoch') progress(id, e.metrics.epoch, jobs.find((j) => j.id === id)!.epochs, e.metrics.epoch / jobs.find((j) => j.id === id)!.epochs);
                  else if (e.type === 'error') tails.set(id, e.message);
                },
                onExit: (id, x) => {
                  const why = tails.get(id) ?? (x.code !== 0 ? `worker exited with ${x.signal ?? `code ${x.code}`}${x.stderr.trim() ? `: ${x.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}` : undefined);
                  ended(id, why, x.signal ?? undefined);
                },
              },
            );
          },
    });
    emit({ type: 'swept', sweepDir: outcome.dir, status: outcome.status, front: outcome.front });
    if (outcome.status === 'interrupted') {
      if (!json) process.stderr.write(`resume with: trannsformer sweep ${file} --resume ${outcome.dir}\n`);
      return 130;
    }
    return outcome.front.points.some((p) => p.status === 'failed') ? 1 : 0;
  } catch (e) {
    // A bad plan (an axis, the budget, a point's config) or a folder that cannot be resumed: said once, as an event too.
    if (json && !wasReported(e)) emit({ type: 'error', message: errorMessage(e), where: isUserError(e) ? e.where : undefined });
    throw json ? markReported(e) : e;
  } finally {
    removeHandlers();
  }
}

/** Internal: one training job of a sweep, run by a worker process of `trannsformer sweep`. */
async function cmdSweepJob(args: Args): Promise<number> {
  const [dir, jobId, parentPid] = args.positional;
  if (!dir || !jobId) throw new UserError('sweep-job', 'needs a sweep folder and a job id (internal command of trannsformer sweep)');
  const controller = new AbortController();
  process.stdout.on('error', () => controller.abort());
  // The parent may die without a word (SIGKILL): stop when this process is orphaned. One orphaned before
  // it got here touches nothing (a resumed sweep runs the job; two workers on one job would leave a run folder no record names).
  if (parentPid !== undefined && !/^[1-9]\d*$/.test(parentPid)) throw new UserError('sweep-job', `the third argument is the parent's process id (got "${parentPid}")`);
  const parent = parentPid !== undefined ? Number(parentPid) : process.ppid;
  if (process.ppid !== parent) return 130;
  const watch = setInterval(() => {
    if (process.ppid !== parent) controller.abort();
  }, 500);
  watch.unref();
  const removeHandlers = stopOnSignals(controller, true, 'stopping');
  try {
    const r = await runSweepJob(dir, jobId, {
      emit: (e) => {
        if (!controller.signal.aborted || e.type !== 'progress') process.stdout.write(JSON.stringify(e) + '\n');
      },
      signal: controller.signal,
    });
    return r.status === 'completed' ? 0 : r.status === 'interrupted' ? 130 : 1;
  } finally {
    clearInterval(watch);
    removeHandlers();
  }
}

/** A sweep folder (not a comparison) has no report or single evaluation: say where its results are. */
function refuseSweepFolder(dir: string): void {
  if (isSweepDir(dir) && !isCompareDir(dir))
    throw new UserError(dir, 'is a sweep folder: its points are in pareto.json and points.csv (`trannsformer sweep <config> --resume DIR` prints the table); report or evaluate one of the run folders inside it');
}

async function cmdEvaluate(args: Args): Promise<number> {
  const dir = args.positional[0];
  if (!dir) throw new UserError('evaluate', 'needs a run folder (or a compare folder)');
  checkWritableFolder(dir, dir);
  refuseSweepFolder(dir);
  const list = (name: string) => (args.flags.has(name) ? String(args.flags.get(name)).split(',').map((s) => s.trim()).filter(Boolean) : undefined);
  const crossbars = list('crossbar')?.map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 8 || n > 512) throw new UserError('--crossbar', `sizes are whole numbers from 8 to 512 (got "${x}")`);
    return n;
  });
  const opts = { crossbars, presets: list('preset'), timesteps: intFlag(args, 'timesteps', 1, 10000), images: intFlag(args, 'images', 1, 1_000_000), ...hardwareAccuracyFlags(args, list) };
  const backend = args.flags.get('backend') as BackendName | undefined;
  await initBackend(backend ?? 'auto');
  if (isCompareDir(dir)) {
    const c = await evaluateCompare(dir, opts);
    if (args.flags.has('json')) console.log(JSON.stringify(c));
    else process.stderr.write(`${formatCompareTable(c)}\n\ncomparison: ${compareFile(dir)}\n`);
    return 0;
  }
  const e = await evaluateRun(dir, opts);
  if (args.flags.has('json')) console.log(JSON.stringify(e));
  else process.stderr.write(`${formatEvaluation(e)}\n\nevaluation: ${path.join(dir, 'evaluation.json')}\n`);
  return 0;
}

/**
 * Check configs and print every problem — exactly what the editor shows
 * (schema problems too, which the editor leaves to VS Code's JSON support):
 * severity, code, JSON path, message, line and column, related places.
 * Exit 2 when any config has an error.
 */
function cmdValidate(args: Args): number {
  if (args.positional.length === 0) throw new UserError('validate', 'needs at least one config file');
  const json = args.flags.has('json');
  const reports: { file: string; valid: boolean; problems: Record<string, unknown>[] }[] = [];
  let bad = 0;
  for (const file of args.positional) {
    let text: string;
    try {
      text = readBoundedText(file, 'config');
    } catch (e) {
      bad++;
      const message = `cannot read the config (${readProblem(e, file)})`;
      if (json) reports.push({ file, valid: false, problems: [{ severity: 'error', code: 'file.unreadable', path: '(config)', message }] });
      else console.log(`${file}: error file.unreadable: ${message}`);
      continue;
    }
    const { problems } = diagnoseText(text, { baseDir: path.dirname(path.resolve(file)) });
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (errors) bad++;
    if (json) reports.push({ file, valid: errors === 0, problems: problems.map(problemRecord) });
    else {
      for (const p of problems) console.log(formatLocated(file, p));
      console.log(errors ? `${file}: invalid (${errors} error${errors === 1 ? '' : 's'})` : `${file}: ok`);
    }
  }
  if (json) console.log(JSON.stringify({ format: 'trannsformer-validate', formatVersion: 1, files: reports }, null, 2));
  return bad > 0 ? 2 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.has('version')) {
    console.log(require('../package.json').version as string);
    return 0;
  }
  if (args.flags.has('help') || !args.command) {
    console.log(USAGE);
    return args.command || args.flags.has('help') ? 0 : 2;
  }
  switch (args.command) {
    case 'run':
      return cmdRun(args);
    case 'compare':
      return cmdRun(args, true);
    case 'resume':
      return cmdResume(args);
    case 'sweep':
      return cmdSweep(args);
    case 'sweep-job':
      return cmdSweepJob(args);
    case 'evaluate':
      return cmdEvaluate(args);
    case 'report': {
      const dir = args.positional[0];
      if (!dir) throw new UserError('report', 'needs a run folder (or a compare folder)');
      checkWritableFolder(dir, dir);
      refuseSweepFolder(dir);
      console.log(writeReport(dir));
      return 0;
    }
    case 'validate':
      return cmdValidate(args);
    case 'schema':
      console.log(JSON.stringify(configSchema, null, 2));
      return 0;
    default:
      throw new UserError(args.command, `unknown command; commands: run, compare, resume, sweep, evaluate, report, validate, schema`);
  }
}

/**
 * Install the last line of defence: an exception or rejection no handler
 * caught still ends the process with status 1 and, with --json, one `error`
 * event whose message is the error's (the stack goes to stderr). Exported for
 * the tests; `exit` is process.exit in the CLI.
 */
export function installFatalHandlers(json: boolean, exit: (code: number) => void = (c) => process.exit(c)): () => void {
  let handled = false;
  const onFatal = (origin: FatalOrigin) => (e: unknown) => {
    if (handled) return; // a second failure while reporting the first: the first is what counts
    handled = true;
    const out = fatalOutput(e, origin, json);
    try {
      if (out.stdout) process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
    } finally {
      exit(out.exitCode);
    }
  };
  const onException = onFatal('uncaughtException');
  const onRejection = onFatal('unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  installFatalHandlers(json);
  main(argv).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      // Usage and config errors: 2; a run that failed (a full disk, a damaged file: IoError) or a bug: 1.
      const out = fatalOutput(e, 'main', json);
      if (!wasReported(e)) {
        if (out.stdout) process.stdout.write(out.stdout);
        process.stderr.write(out.stderr);
      }
      process.exitCode = out.exitCode;
    },
  );
}
