/**
 * `trannsformer` — the headless CLI. The extension's background process runs
 * this same code with `--json` and reads the events it prints.
 *
 *   trannsformer run <config> [--out DIR] [--json] [--backend B] [--workers N]
 *   trannsformer validate <config…>
 *   trannsformer schema
 */
import * as path from 'node:path';
import { BACKENDS, configSchema, type BackendName } from './engine/config/schema';
import { formatProblem, loadConfigFile } from './engine/config/validate';
import { errorMessage, isUserError, markReported, UserError, wasReported } from './engine/core/errors';
import { DEFAULT_RUNS_ROOT, executeRun } from './engine/experiment/run';
import { evaluateCompare, executeCompare, formatCompareTable } from './engine/experiment/compare';
import { evaluateRun, formatEvaluation } from './engine/experiment/evaluate';
import { writeReport } from './engine/report/html';
import { initBackend } from './engine/model/backend';
import * as fs from 'node:fs';
import { TRANSFORM_MODES, type TransformMode } from './engine/config/schema';
import type { EngineEvent } from './engine/events';

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
  trannsformer evaluate <run-or-compare-folder> [options]
      Convert a finished run to a spiking network, map and price it again
      without retraining (a compare folder: all its runs, and the table).
      --crossbar LIST  crossbar sizes, e.g. 16,32,64,128,256 (default: the run's)
      --preset LIST    presets by name or path (default: the run's hardware.preset)
      --timesteps T    simulation timesteps      --images N   test images simulated
      --json           the evaluation as JSON on stdout
  trannsformer report <run-or-compare-folder>
      Write report.html (tables and charts, self-contained) into the folder
  trannsformer validate <config…>    check configs and print every problem
  trannsformer schema                print the config JSON Schema
  trannsformer --help | --version

Exit status: 0 done, 1 run failed, 2 bad usage or config, 130 interrupted.`;

interface Args {
  command?: string;
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['out', 'backend', 'workers', 'epochs', 'modes', 'crossbar', 'preset', 'timesteps', 'images']);
const BOOL_FLAGS = new Set(['json', 'help', 'version']);

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
        line(`\n${formatCompareTable(e.result)}\n\ncomparison: ${path.join(e.result.dir, 'compare.json')}`);
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
  const json = args.flags.has('json');
  const backend = args.flags.get('backend') as string | undefined;
  if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend))
    throw new UserError('--backend', `must be one of ${BACKENDS.join(', ')} (got "${backend}")`);
  const workers = intFlag(args, 'workers', 1, 64);
  const epochs = intFlag(args, 'epochs', 1, 10000);
  const emit: (e: EngineEvent) => void = json ? (e) => process.stdout.write(JSON.stringify(e) + '\n') : humanReporter();
  let loaded: ReturnType<typeof loadConfigFile>;
  try {
    loaded = loadConfigFile(file);
  } catch (e) {
    if (json) emit({ type: 'error', message: errorMessage(e), where: isUserError(e) ? e.where : undefined });
    throw json ? markReported(e) : e;
  }
  if (workers !== undefined) loaded.config.training.workers = workers;
  if (epochs !== undefined) loaded.config.training.epochs = epochs;
  if (crossbar !== undefined) loaded.config.transform.crossbar = crossbar;

  const controller = new AbortController();
  let stops = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    stops++;
    if (stops === 1) {
      if (!json) process.stderr.write(`\n${sig}: stopping after the current batch (again to quit at once)\n`);
      controller.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const outRoot = path.resolve(String(args.flags.get('out') ?? DEFAULT_RUNS_ROOT));
    if (compare) {
      const c = await executeCompare({ loaded, outRoot, modes: modes as TransformMode[], emit, signal: controller.signal, backend: backend as BackendName | undefined });
      emit({ type: 'compared', result: c });
      emit({ type: 'log', level: 'info', message: `report: ${writeReport(c.dir)}` });
      return c.rows.some((r) => r.status === 'interrupted') || c.rows.length < modes.length ? 130 : 0;
    }
    const result = await executeRun({ loaded, outRoot, emit, signal: controller.signal, backend: backend as BackendName | undefined });
    return result.status === 'interrupted' ? 130 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function cmdEvaluate(args: Args): Promise<number> {
  const dir = args.positional[0];
  if (!dir) throw new UserError('evaluate', 'needs a run folder (or a compare folder)');
  if (!fs.existsSync(dir)) throw new UserError(dir, 'folder not found');
  const list = (name: string) => (args.flags.has(name) ? String(args.flags.get(name)).split(',').map((s) => s.trim()).filter(Boolean) : undefined);
  const crossbars = list('crossbar')?.map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 8 || n > 512) throw new UserError('--crossbar', `sizes are whole numbers from 8 to 512 (got "${x}")`);
    return n;
  });
  const opts = { crossbars, presets: list('preset'), timesteps: intFlag(args, 'timesteps', 1, 10000), images: intFlag(args, 'images', 1, 1_000_000) };
  const backend = args.flags.get('backend') as BackendName | undefined;
  await initBackend(backend ?? 'auto');
  if (fs.existsSync(path.join(dir, 'compare.json'))) {
    const c = evaluateCompare(dir, opts);
    if (args.flags.has('json')) console.log(JSON.stringify(c));
    else process.stderr.write(`${formatCompareTable(c)}\n\ncomparison: ${path.join(dir, 'compare.json')}\n`);
    return 0;
  }
  const e = evaluateRun(dir, opts);
  if (args.flags.has('json')) console.log(JSON.stringify(e));
  else process.stderr.write(`${formatEvaluation(e)}\n\nevaluation: ${path.join(dir, 'evaluation.json')}\n`);
  return 0;
}

function cmdValidate(args: Args): number {
  if (args.positional.length === 0) throw new UserError('validate', 'needs at least one config file');
  let bad = 0;
  for (const file of args.positional) {
    try {
      const { warnings } = loadConfigFile(file);
      for (const w of warnings) console.log(`${file}: ${formatProblem(w)}`);
      console.log(`${file}: ok`);
    } catch (e) {
      bad++;
      console.log(errorMessage(e));
    }
  }
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
    case 'evaluate':
      return cmdEvaluate(args);
    case 'report': {
      const dir = args.positional[0];
      if (!dir) throw new UserError('report', 'needs a run folder (or a compare folder)');
      if (!fs.existsSync(dir)) throw new UserError(dir, 'folder not found');
      console.log(writeReport(dir));
      return 0;
    }
    case 'validate':
      return cmdValidate(args);
    case 'schema':
      console.log(JSON.stringify(configSchema, null, 2));
      return 0;
    default:
      throw new UserError(args.command, `unknown command; commands: run, compare, evaluate, report, validate, schema`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      if (!wasReported(e)) process.stderr.write(isUserError(e) ? `error: ${e.message}\n` : `internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = isUserError(e) ? 2 : 1;
    },
  );
}
