/**
 * `npm run bench:sweep`: the quick sweep config (examples/sweep-quick) over
 * 5 crossbar sizes × 3 modes on one preset, epochs reduced so it takes a few
 * minutes on two cores. Reports
 *
 * - wall time of the sweep in parallel worker processes (wasm, 2 × 1 thread)
 *   and one at a time (wasm, 1 × 2 data-parallel threads), and the speed-up;
 * - the same sweep one at a time on the default backend (auto: ONNX Runtime
 *   with every core), unless --no-onnx;
 * - time saved by sharing: every one of the 15 points run from scratch with
 *   `trannsformer run` (original and pruning 5 times each instead of once),
 *   one after another, measured against the serial sweep on the same backend.
 *
 *   npm run bench:sweep -- [--epochs 2] [--sizes 16,32,64,128,256] [--no-onnx]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseEventLine, type EngineEvent } from '../src/engine/events';
import { readJobRecord, readSweep } from '../src/engine/store/sweepFolder';
import { readRun } from '../src/engine/store/runFolder';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

const epochs = Number(flag('epochs', '2'));
const sizes = flag('sizes', '16,32,64,128,256').split(',').map(Number);
const onnx = !process.argv.includes('--no-onnx');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sweep-'));
const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'sweep-quick.trannsformer.json'), 'utf8'));

function config(name: string, backend: string): string {
  const c = {
    ...base,
    name,
    backend,
    training: { ...base.training, epochs },
    sweep: { ...base.sweep, grid: { crossbar: sizes, mode: ['original', 'pruning', 'trannsformer'], preset: ['puma-32nm'] } },
  };
  const f = path.join(work, `${name}.trannsformer.json`);
  fs.writeFileSync(f, JSON.stringify(c, null, 2));
  return f;
}

interface Measured {
  label: string;
  wall: number;
  dir: string;
  jobSeconds: Map<string, number>;
  points: number;
  jobs: number;
}

function sweep(label: string, name: string, backend: string, parallel: number): Measured {
  const t0 = Date.now();
  const out = path.join(work, name);
  const r = spawnSync(process.execPath, [CLI, 'sweep', config(name, backend), '--out', out, '--parallel', String(parallel), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (Date.now() - t0) / 1000;
  const events = r.stdout.split('\n').map(parseEventLine).filter((e): e is EngineEvent => !!e);
  const swept = events.find((e) => e.type === 'swept') as Extract<EngineEvent, { type: 'swept' }> | undefined;
  if (r.status !== 0 || !swept) throw new Error(`${label}: sweep failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
  const rec = readSweep(swept.sweepDir)!;
  const jobSeconds = new Map(rec.jobs.map((j) => [j.id, readJobRecord(swept.sweepDir, j.id)?.seconds ?? NaN]));
  console.log(`${label}: ${wall.toFixed(1)} s wall for ${rec.points.length} points in ${rec.jobs.length} trainings (${swept.sweepDir})`);
  return { label, wall, dir: swept.sweepDir, jobSeconds, points: rec.points.length, jobs: rec.jobs.length };
}

console.log(`bench:sweep — ${sizes.length} crossbar sizes × 3 modes, quick MNIST 784-300-300-10, ${epochs} epochs, ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? '?'})`);
const par = sweep('parallel  (wasm, 2 processes × 1 thread)', 'par', 'wasm', 2);
const ser = sweep('serial    (wasm, 1 process × 2 threads)', 'ser', 'wasm', 1);
console.log(`speed-up of parallel over serial: ${(ser.wall / par.wall).toFixed(2)}×`);
const ort = onnx ? sweep('serial    (auto: ONNX Runtime, every core)', 'ort', 'auto', 1) : undefined;

// From scratch: every point trained and priced on its own (`trannsformer run`, one after another, the backend of the
// serial sweep it is compared with). Measured, not extrapolated: all points run.
const check = ort ?? ser;
const rec = readSweep(check.dir)!;
const cfgOf = JSON.parse(fs.readFileSync(path.join(work, `${path.basename(path.dirname(check.dir))}.trannsformer.json`), 'utf8'));
let scratch = 0;
for (const p of rec.points) {
  const c = JSON.parse(JSON.stringify(cfgOf));
  delete c.sweep;
  c.name = `scratch-${p.id}`;
  c.transform = { ...c.transform, mode: p.mode, crossbar: p.crossbar };
  c.hardware = { ...c.hardware, preset: p.preset };
  if (check === ser) c.training.workers = 2;
  const f = path.join(work, `scratch-${p.id}.trannsformer.json`);
  fs.writeFileSync(f, JSON.stringify(c));
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'run', f, '--out', path.join(work, 'scratch'), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`from-scratch run of ${p.id} failed:\n${r.stderr.slice(-2000)}`);
  scratch += (Date.now() - t0) / 1000;
}
console.log(`from scratch (${rec.points.length} runs, one after another, as ${check.label.trim()}): ${scratch.toFixed(1)} s wall`);
console.log(`time saved by sharing: ${(scratch - check.wall).toFixed(1)} s (${((100 * (scratch - check.wall)) / scratch).toFixed(0)}%; ${rec.jobs.length} trainings instead of ${rec.points.length})`);
// Where a shared job's time goes: the run (training and its own pricing) and re-pricing at the other sizes.
const split = rec.jobs.map((j) => {
  const jr = readJobRecord(check.dir, j.id);
  const run = jr?.runDir ? (readRun(jr.runDir).result?.seconds ?? NaN) : NaN;
  return `${j.id} ${j.name}: ${run.toFixed(1)} s run + ${((jr?.seconds ?? NaN) - run).toFixed(1)} s re-pricing ${j.pointIds.length} points`;
});
console.log(`jobs of the compared sweep:\n  ${split.join('\n  ')}`);
console.log(`folders: ${work}`);
