/**
 * A run of a comparison or a sweep stopped mid-way and resumed on its own
 * (`trannsformer resume <run>`, what the Runs view's Resume Run calls): the
 * comparison's compare.json and report, and the sweep's job record,
 * pareto.json and sweep.json, end with the run's final figures, computed as
 * a fresh calculation gives them. Needs dist/cli.js (`npm run build`).
 */
import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { parseEventLine, type EngineEvent } from '../../src/engine/events';
import { listSnapshots, readCompare, readReportFile, readRun } from '../../src/engine/store/runFolder';
import { readFront, readJobRecord, readSweep } from '../../src/engine/store/sweepFolder';
import { loadConfigFile } from '../../src/engine/config/resolve';
import { executeSweep } from '../../src/engine/experiment/sweep';
import type { RunResult } from '../../src/engine/format/run';
import type { SweepFront } from '../../src/engine/format/sweep';
import { tmpDir } from '../helpers/files';
import { CLI, untimed } from '../helpers/sweep';

const base = {
  name: 'synth',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 1500, testSize: 200, noise: 0.3 } },
  network: { layers: [48, 40, 5], init: { distribution: 'he' } },
  training: { epochs: 5, batchSize: 50, learningRate: 0.1, seed: 3 },
  transform: { crossbar: 16, clusterStart: 2 },
  hardware: { snnImages: 100, timesteps: 20 },
  backend: 'wasm',
};

before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run "npm run build" (npm test does)'));

const resultOf = (dir: string): RunResult => readRun(dir).result!;

/** `trannsformer resume <run> --json`, bounded. */
function resume(runDir: string, cwd: string): EngineEvent[] {
  const r = spawnSync(process.execPath, [CLI, 'resume', runDir, '--json'], { cwd, encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').map(parseEventLine).filter((e): e is EngineEvent => !!e);
}

/** `trannsformer compare --json`, SIGINTed when the TraNNsformer run has finished epoch 2 (SIGKILLed after 4 minutes). */
function compareStoppedAt2(cfg: string, cwd: string): Promise<{ code: number | null; runDir?: string }> {
  const child = spawn(process.execPath, [CLI, 'compare', cfg, '--out', 'runs', '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  let runDir: string | undefined;
  let current: string | undefined;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => {
    buf += c;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const e = parseEventLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (e?.type === 'started') current = e.runDir;
      if (e?.type === 'epoch' && e.metrics.epoch === 2 && current?.endsWith('-trannsformer') && !runDir) {
        runDir = current;
        child.kill('SIGINT');
      }
    }
  });
  child.stderr.resume();
  const guard = setTimeout(() => child.kill('SIGKILL'), 240_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, runDir });
    }),
  );
}

test('compare: the TraNNsformer run stopped at epoch 2 and resumed alone → compare.json, its report and its sweep records hold the run\'s final figures', async () => {
  const dir = tmpDir();
  const cfg = path.join(dir, 'exp.trannsformer.json');
  fs.writeFileSync(cfg, JSON.stringify(base));
  const stopped = await compareStoppedAt2(cfg, dir);
  assert.equal(stopped.code, 130, 'the comparison stopped');
  const runDir = stopped.runDir!;
  const compareDir = path.dirname(runDir);
  const before = readCompare(compareDir)!;
  assert.equal(before.rows.find((r) => r.mode === 'trannsformer')!.status, 'interrupted', 'stopped before its last epoch');

  const events = resume(runDir, dir);
  assert.ok(events.some((e) => e.type === 'log' && /comparison .* updated \(.*compare\.json\)/.test(e.message)), 'the update is said');

  const c = readCompare(compareDir)!;
  const [orig, prun, tr] = ['original', 'pruning', 'trannsformer'].map((m) => resultOf(path.join(compareDir, path.basename(c.rows.find((r) => r.mode === m)!.runDir))));
  assert.equal(tr.status, 'completed');
  assert.equal(tr.epochsCompleted, 5);
  const row = c.rows.find((r) => r.mode === 'trannsformer')!;
  assert.equal(row.status, 'completed');
  // The run's own figures, and reductions as a fresh calculation from the three result.json files gives them.
  assert.equal(row.mpes, tr.mapping!.mpes);
  assert.equal(row.testAccuracy, tr.final!.testAccuracy);
  assert.equal(row.paperMpes, tr.mapping!.schemes.paper?.total);
  assert.equal(row.reductionVsOriginal, 1 - tr.mapping!.mpes / orig.mapping!.mpes);
  assert.equal(row.reductionVsPruning, 1 - tr.mapping!.mpes / prun.mapping!.mpes);
  const hw = tr.hardware as Exclude<RunResult['hardware'], { error: string } | undefined>;
  assert.ok(hw && row.hardware, 'the resumed run was priced and its row carries it');
  assert.equal(row.hardware.area_mm2, hw.area_mm2);
  assert.equal(row.hardware.snnAccuracy, hw.snnAccuracy);
  const origHw = orig.hardware as typeof hw;
  assert.equal(row.hardware.areaVsOriginal, 1 - hw.area_mm2 / origHw.area_mm2);
  assert.equal(row.hardware.energyVsOriginal, 1 - hw.energy_uJ / origHw.energy_uJ);
  // The table over seeds (one seed here) follows: TraNNsformer counted as completed, its reductions from its final mPEs.
  const s = c.summary!.find((x) => x.mode === 'trannsformer')!;
  assert.equal(s.completed, 1);
  assert.equal(s.reductionVsPruning, 1 - tr.mapping!.mpes / prun.mapping!.mpes);
  // The comparison's own sweep records: the job completed, its point priced, the sweep completed.
  const sweep = readSweep(compareDir)!;
  assert.equal(sweep.status, 'completed');
  const point = readFront(compareDir)!.points.find((p) => p.mode === 'trannsformer')!;
  assert.equal(point.status, 'completed');
  assert.equal(point.figures?.mpes, tr.mapping!.mpes);
  assert.equal(point.figures?.testAccuracy, tr.final!.testAccuracy);
  // The report is written again: the headline table and the spiking table carry the TraNNsformer row with its final figures.
  const report = readReportFile(compareDir)!;
  const spiking = report.slice(report.indexOf('<h2>Spiking implementation on'));
  assert.match(spiking.slice(0, spiking.indexOf('</table>')), /<td>trannsformer<\/td>/);
  assert.ok(report.includes(`<td class="n">${tr.mapping!.mpes}</td>`));
  // One "final" connectivity snapshot, at the run's last epoch.
  assert.deepEqual(listSnapshots(runDir).filter((x) => x.reasons.includes('final')).map((x) => x.epoch), [5]);
});

/** What must not depend on how the sweep got there: per point its status, figures, rank; the front; the recommendation. */
const essence = (f: SweepFront) => ({
  points: f.points.map((p) => ({ id: p.id, status: p.status, figures: untimed(p.figures), rank: p.rank, accuracyLoss: p.accuracyLoss })),
  front: f.front,
  recommended: f.recommended,
});

test('sweep: a point\'s run stopped at epoch 2 and resumed alone → its job record, pareto.json (figures, front, recommendation) and sweep.json as if never stopped', async () => {
  const dir = tmpDir();
  const cfg = path.join(dir, 'sweep.trannsformer.json');
  // Three trainings, each priced at two presets (re-priced from the run's network): six points.
  fs.writeFileSync(cfg, JSON.stringify({ ...base, sweep: { grid: { mode: ['original', 'pruning', 'trannsformer'], preset: ['resparc-45nm', 'puma-32nm'] }, accuracyLossLimit: 0.05 } }));
  const whole = await executeSweep({ loaded: loadConfigFile(cfg), outRoot: path.join(dir, 'whole'), emit: () => undefined });
  assert.equal(whole.status, 'completed');

  // The same sweep stopped when its TraNNsformer training has finished epoch 2 (the last job: the others completed).
  const stop = new AbortController();
  let current: string | undefined;
  let runDir: string | undefined;
  const stopped = await executeSweep({
    loaded: loadConfigFile(cfg),
    outRoot: path.join(dir, 'stopped'),
    signal: stop.signal,
    emit: (e) => {
      if (e.type === 'started') current = e.runDir;
      if (e.type === 'epoch' && e.metrics.epoch === 2 && current && /-trannsformer-/.test(path.basename(current)) && !runDir) {
        runDir = current;
        stop.abort();
      }
    },
  });
  assert.equal(stopped.status, 'interrupted');
  const sweepDir = stopped.dir;
  const job = stopped.record.jobs.find((j) => stopped.record.points.find((p) => p.id === j.pointIds[0])!.mode === 'trannsformer')!;
  assert.equal(readJobRecord(sweepDir, job.id)!.status, 'interrupted');
  assert.ok(readFront(sweepDir)!.points.filter((p) => p.jobId === job.id).every((p) => !p.figures), 'its points have no figures yet');

  resume(runDir!, dir);
  const record = readJobRecord(sweepDir, job.id)!;
  assert.equal(record.status, 'completed');
  assert.equal(path.basename(record.runDir!), path.basename(runDir!));
  const front = readFront(sweepDir)!;
  const tr = resultOf(runDir!);
  for (const p of front.points.filter((x) => x.jobId === job.id)) {
    assert.equal(p.status, 'completed', p.id);
    assert.equal(p.figures?.testAccuracy, tr.final!.testAccuracy, p.id);
    assert.equal(p.figures?.mpes, tr.mapping!.mpes, p.id);
  }
  assert.deepEqual(essence(front), essence(whole.front), 'the front, ranks and recommendation of the sweep that never stopped');
  assert.equal(readSweep(sweepDir)!.status, 'completed');
  assert.match(fs.readFileSync(path.join(sweepDir, 'points.csv'), 'utf8'), new RegExp(`^${front.points.find((p) => p.jobId === job.id)!.id},${job.id},completed,`, 'm'));
});
