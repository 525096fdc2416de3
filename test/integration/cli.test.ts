/** The built CLI (dist/cli.js), driven as a user or the extension would. `npm test` builds it first. */
import { test, describe, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { parseEventLine, type EngineEvent } from '../../src/engine/events';
import { listSnapshots, readModel, readRun, readMetrics, readSnapshot, FILES } from '../../src/engine/store/runFolder';
import { initBackend } from '../../src/engine/model/backend';
import { MaskedMLP } from '../../src/engine/model/mlp';
import { loadDataset } from '../../src/engine/data/datasets';
import { evaluate } from '../../src/engine/train/loop';
import { tmpDir, idxBytes, writeIdxPair } from '../helpers/files';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

function writeConfig(dir: string, cfg: object, name = 'exp.trannsformer.json'): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, JSON.stringify(cfg, null, 2));
  return f;
}

const synthetic = (epochs: number, extra: Record<string, unknown> = {}, trainSize = 1500) => ({
  name: 'synth',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize, testSize: 500, noise: 0.3 } },
  network: { layers: [48, 40, 5], init: { distribution: 'he' } },
  training: { epochs, batchSize: 50, learningRate: 0.1, ...extra },
  backend: 'wasm',
});

function runCli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  const events = r.stdout.split('\n').map(parseEventLine).filter((e): e is EngineEvent => !!e);
  return { ...r, events };
}

/**
 * Start the CLI and follow its --json events as they come (`onEvent` may signal the child or close its
 * stdout); bounded: killed after `timeoutMs`. Resolves with the exit code and stderr.
 */
function runLive(args: string[], cwd: string, onEvent: (e: EngineEvent, child: ChildProcessWithoutNullStreams) => void, timeoutMs = 90_000) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd });
  const events: EngineEvent[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const e = parseEventLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (!e) continue;
      events.push(e);
      onEvent(e, child);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
  return { events, exit };
}

before(() => {
  assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run "npm run build" (npm test does)');
});

describe('trannsformer run', () => {
  test('--json emits the protocol and writes a complete run folder whose weights reproduce the accuracy', async () => {
    const dir = tmpDir();
    const cfg = writeConfig(dir, synthetic(3));
    const r = runCli(['run', cfg, '--json', '--out', 'runs'], dir);
    assert.equal(r.status, 0, r.stderr);
    const types = r.events.map((e) => e.type);
    assert.equal(types[0], 'started');
    assert.equal(types.filter((t) => t === 'epoch').length, 3);
    assert.ok(types.includes('progress'));
    assert.equal(types[types.length - 1], 'finished');
    const started = r.events[0] as Extract<EngineEvent, { type: 'started' }>;
    assert.equal(started.backend.name, 'wasm');
    assert.equal(started.dataset.train, 1500);
    const finished = r.events[r.events.length - 1] as Extract<EngineEvent, { type: 'finished' }>;
    assert.equal(finished.status, 'completed');
    const runDir = finished.runDir;
    assert.equal(path.dirname(runDir), path.join(dir, 'runs'));
    // Every run writes these; snapshots only transforming runs, report.html and compare.json only report and compare.
    for (const f of [FILES.config, FILES.result, FILES.metrics, FILES.model, FILES.clusters, FILES.mapping, FILES.evaluation])
      assert.ok(fs.existsSync(path.join(runDir, f)), `${f} exists`);
    assert.equal(fs.existsSync(path.join(runDir, FILES.snapshots)), false, 'an original run takes no connectivity snapshots');
    const rec = readRun(runDir);
    assert.equal(rec.state, 'ok');
    assert.equal(rec.result!.status, 'completed');
    assert.equal(rec.result!.backend!.name, 'wasm');
    assert.equal(rec.config!.training.batchSize, 50);
    // Every run ends converted to a spiking network and priced at its size and preset.
    const hw = rec.result!.hardware as { preset: string; snnAccuracy: number; area_mm2: number; energy_uJ: number };
    assert.equal(hw.preset, 'resparc-45nm');
    assert.ok(hw.area_mm2 > 0 && hw.energy_uJ > 0);
    assert.ok(Math.abs(hw.snnAccuracy - rec.result!.final!.testAccuracy) < 0.1);
    assert.ok(fs.existsSync(path.join(runDir, FILES.evaluation)));
    assert.equal(readMetrics(runDir).metrics.length, 3);
    assert.ok(rec.result!.final!.testAccuracy > 0.5, `accuracy ${rec.result!.final!.testAccuracy} (chance is 0.2)`);
    // Read the weights back and evaluate them: same accuracy as the run reported.
    await initBackend('wasm');
    const m = readModel(runDir);
    assert.deepEqual(m.layers, [48, 40, 5]);
    assert.equal(m.weights[0].length, 40 * 48);
    const model = MaskedMLP.fromArrays(m.layers, 'relu', m.weights, m.masks);
    const data = loadDataset(rec.config!.dataset, dir, rec.config!.training.seed);
    const acc = evaluate(model, data.test, data.inputSize, 100).accuracy;
    assert.equal(acc, rec.result!.final!.testAccuracy);
    model.dispose();
  });

  test('human output goes to stderr and names the run folder; default folder is .trannsformer/runs', () => {
    const dir = tmpDir();
    const cfg = writeConfig(dir, synthetic(1));
    const r = runCli(['run', cfg], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /epoch 1: loss [\d.]+, train [\d.]+%, test [\d.]+%/);
    assert.match(r.stderr, /completed: 1\/1 epochs/);
    const runs = fs.readdirSync(path.join(dir, '.trannsformer', 'runs'));
    assert.equal(runs.length, 1);
    assert.ok(r.stderr.includes(runs[0]));
  });

  test('SIGINT stops cleanly: exit 130, folder marked interrupted with its metrics and weights', async () => {
    const dir = tmpDir();
    const cfg = writeConfig(dir, synthetic(200, {}, 30000));
    const { events, exit } = runLive(['run', cfg, '--json', '--out', 'runs'], dir, (e, child) => {
      if (e.type === 'epoch' && e.metrics.epoch === 2) child.kill('SIGINT');
    });
    const { code } = await exit;
    assert.equal(code, 130);
    const fin = events.find((e) => e.type === 'finished') as Extract<EngineEvent, { type: 'finished' }>;
    assert.ok(fin, 'a finished event was sent');
    assert.equal(fin.status, 'interrupted');
    const rec = readRun(fin.runDir);
    assert.equal(rec.result!.status, 'interrupted');
    assert.ok(rec.result!.epochsCompleted >= 2 && rec.result!.epochsCompleted < 200);
    assert.equal(readMetrics(fin.runDir).metrics.length, rec.result!.epochsCompleted);
    assert.ok(fs.existsSync(path.join(fin.runDir, FILES.model)));
    assert.match(rec.result!.weightsNote ?? '', /epoch/);
  });

  test('a vanished reader of --json (a window reloaded) stops the run cleanly: folder interrupted, not left running', async () => {
    const dir = tmpDir();
    const cfg = writeConfig(dir, synthetic(200, {}, 30000));
    let runDir = '';
    const { exit } = runLive(['run', cfg, '--json', '--out', 'runs'], dir, (e, child) => {
      if (e.type === 'started') runDir = e.runDir;
      // The reader goes away mid-run: the engine's next write meets a closed pipe (EPIPE).
      if (e.type === 'epoch' && e.metrics.epoch === 1) child.stdout.destroy();
    });
    const { code, stderr } = await exit;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stdout closed \(EPIPE\)/);
    const rec = readRun(runDir);
    assert.equal(rec.result!.status, 'interrupted');
    assert.ok(rec.result!.epochsCompleted >= 1 && rec.result!.epochsCompleted < 200);
  });

  test('flags are applied before validation and recorded: --epochs 0 is refused naming the flag; --epochs 2 is what config.json says', () => {
    const dir = tmpDir();
    const cfg = writeConfig(dir, synthetic(50));
    const bad = runCli(['run', cfg, '--epochs', '0', '--out', 'runs'], dir);
    assert.equal(bad.status, 2);
    const good = runCli(['run', cfg, '--epochs', '2', '--out', 'runs', '--json'], dir);
    assert.equal(good.status, 0, good.stderr);
    const fin = good.events.find((e) => e.type === 'finished') as Extract<EngineEvent, { type: 'finished' }>;
    const rec = readRun(fin.runDir);
    assert.equal(rec.config!.training.epochs, 2);
    assert.equal(rec.result!.epochsPlanned, 2);
    // The epoch-dependent defaults follow the overridden epoch count.
    assert.equal(rec.config!.transform.clusterPruneStart, 2);
    assert.ok(Math.abs(rec.config!.transform.slowdown! - 20) < 1e-12);
    // Priced in memory at the end of the run, and the evaluation written once by the store.
    assert.ok(rec.result!.hardware && !('error' in rec.result!.hardware));
    assert.ok(fs.existsSync(path.join(fin.runDir, FILES.evaluation)));
  });

  test('a truncated data file fails before training, names the file, and creates no run folder', () => {
    const dir = tmpDir();
    const data = path.join(dir, 'data');
    fs.mkdirSync(data);
    writeIdxPair(data, 'train', 40, 4, 4);
    writeIdxPair(data, 't10k', 10, 4, 4);
    const bytes = fs.readFileSync(path.join(data, 't10k-images-idx3-ubyte'));
    fs.writeFileSync(path.join(data, 't10k-images-idx3-ubyte'), bytes.subarray(0, bytes.length - 16));
    const cfg = writeConfig(dir, { dataset: { name: 'idx', path: 'data' }, network: { layers: [16, 10] }, training: { epochs: 1 }, backend: 'wasm' });
    const r = runCli(['run', cfg, '--json', '--out', 'runs'], dir);
    assert.equal(r.status, 2);
    const err = r.events.find((e) => e.type === 'error') as Extract<EngineEvent, { type: 'error' }>;
    assert.match(err.message, /t10k-images-idx3-ubyte: is truncated/);
    assert.equal(fs.existsSync(path.join(dir, 'runs')), false);
    const human = runCli(['run', cfg], dir);
    assert.equal(human.status, 2);
    assert.match(human.stderr, /error: .*t10k-images-idx3-ubyte: is truncated/);
    assert.equal(human.stderr.match(/is truncated/g)!.length, 1, 'reported once');
  });

  test('wrong label file (labels beyond the classes) is caught for MNIST-shaped data', () => {
    const dir = tmpDir();
    writeIdxPair(dir, 'train', 20, 2, 2);
    writeIdxPair(dir, 't10k', 5, 2, 2);
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idxBytes([4], new Uint8Array(4)));
    const cfg = writeConfig(dir, { dataset: { name: 'idx', path: '.' }, network: { layers: [4, 10] }, training: { epochs: 1 }, backend: 'wasm' });
    const r = runCli(['run', cfg], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /t10k-labels-idx1-ubyte: has 4 labels but .* 5 images/);
  });

  test('an invalid config lists every problem with its path', () => {
    const dir = tmpDir();
    const cfg = writeConfig(dir, { dataset: { name: 'mnist' }, network: { layers: [100, 10] }, training: { epochs: 0, lr: 1 } });
    const r = runCli(['run', cfg], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /training\.epochs: is out of range/);
    assert.match(r.stderr, /training\.lr: unknown property/);
  });
});

describe('trannsformer evaluate', () => {
  test('re-prices a finished run at other sizes and presets without retraining', () => {
    const dir = tmpDir();
    const cfg = writeConfig(dir, { ...synthetic(2), hardware: { evaluate: false } });
    const r = runCli(['run', cfg, '--json', '--out', 'runs'], dir);
    assert.equal(r.status, 0, r.stderr);
    const runDir = (r.events.find((e) => e.type === 'finished') as Extract<EngineEvent, { type: 'finished' }>).runDir;
    assert.equal(readRun(runDir).result!.hardware, undefined, 'hardware.evaluate false skips pricing');
    const e = runCli(['evaluate', runDir, '--crossbar', '16,32,128', '--preset', 'resparc-45nm,puma-32nm', '--images', '100', '--timesteps', '20'], dir);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stderr, /SNN [\d.]+% vs ANN [\d.]+% on 100 test images, T = 20/);
    assert.match(e.stderr, /warning: 128×128 exceeds resparc-45nm's largest reliable crossbar/);
    assert.match(e.stderr, /puma-32nm: e_neuronIntegrate_pJ = 1\.38 borrowed from resparc-45nm/);
    const ev = JSON.parse(fs.readFileSync(path.join(runDir, FILES.evaluation), 'utf8'));
    assert.equal(ev.results.length, 6);
    const at = (p: string, x: number) => ev.results.find((q: { preset: string; crossbarSize: number }) => q.preset === p && q.crossbarSize === x);
    // 48-40-5, original mode: dense tiling at 16 = 3·3 + 3·1 = 12 mPEs; at 32: 2·2 + 2·1 = 6
    assert.equal(at('resparc-45nm', 16).mpes, 12);
    assert.equal(at('resparc-45nm', 32).mpes, 6);
    assert.ok(at('puma-32nm', 16).adcEnergy_uJ > 0);
    assert.equal(at('resparc-45nm', 16).adcEnergy_uJ, undefined);
    const bad = runCli(['evaluate', runDir, '--preset', 'nope'], dir);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /nope: no such preset/);
  });
});

describe('trannsformer compare', () => {
  test('trains every mode on the same data and seed, prints the table, writes compare.json and per-mode results', () => {
    const dir = tmpDir();
    const cfg = writeConfig(dir, { ...synthetic(6), transform: { crossbar: 16, clusterStart: 2 } });
    const r = runCli(['compare', cfg, '--out', 'runs'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /mode +test acc +Δ acc +mPEs/);
    assert.match(r.stderr, /^original .* dense /m);
    assert.match(r.stderr, /^pruning .* compact /m);
    assert.match(r.stderr, /^trannsformer .* packed /m);
    assert.match(r.stderr, /Spiking implementation on resparc-45nm/);
    assert.match(r.stderr, /mode +ANN acc +SNN acc +area mm²/);
    const compareDir = path.join(dir, 'runs', fs.readdirSync(path.join(dir, 'runs'))[0]);
    const c = JSON.parse(fs.readFileSync(path.join(compareDir, 'compare.json'), 'utf8'));
    assert.deepEqual(c.rows.map((x: { mode: string }) => x.mode), ['original', 'pruning', 'trannsformer']);
    const [orig, prun, trn] = c.rows;
    // 48-40-5 at 16×16: ceil(48/16)·ceil(40/16) + ceil(40/16)·ceil(5/16) = 9 + 3
    assert.equal(orig.mpes, 12);
    assert.equal(orig.reductionVsOriginal, 0);
    assert.ok(prun.mpes <= orig.mpes && trn.mpes <= orig.mpes);
    assert.equal(prun.reductionVsPruning, 0);
    assert.ok(Math.abs(trn.reductionVsPruning - (1 - trn.mpes / prun.mpes)) < 1e-12);
    assert.ok(Math.abs(trn.hardware.energyVsOriginal - (1 - trn.hardware.energy_uJ / orig.hardware.energy_uJ)) < 1e-12);
    assert.equal(orig.hardware.areaVsOriginal, 0);
    for (const row of c.rows) {
      const rec = readRun(row.runDir);
      assert.equal(rec.state, 'ok');
      assert.equal(rec.result!.mapping!.mode, row.mode);
      // Ratios against pruning live in the comparison record only: a child's record is written by its own run alone.
      assert.equal((rec.result!.mapping as unknown as Record<string, unknown>).reductionVsPruning, undefined);
      // config.json records exactly what ran: the compare's mode, every epoch-dependent default filled.
      assert.equal(rec.config!.transform.mode, row.mode);
      assert.equal(rec.config!.transform.clusterStart, 2);
      assert.equal(rec.config!.transform.clusterPruneStart, 5);
      assert.ok(Math.abs(rec.config!.transform.slowdown! - 40 / 6) < 1e-12);
      assert.ok(fs.existsSync(path.join(row.runDir, FILES.mapping)));
      assert.ok(fs.existsSync(path.join(row.runDir, FILES.clusters)));
    }
    // Connectivity snapshots: the first epoch, the clustering at clusterStart (2), the end — each readable.
    const snaps = listSnapshots(trn.runDir);
    assert.deepEqual(snaps[0], { epoch: 1, reasons: ['first'] });
    assert.ok(snaps.some((x) => x.epoch === 2 && x.reasons.includes('clustering')), JSON.stringify(snaps));
    assert.ok(snaps.some((x) => x.epoch === 6 && x.reasons.includes('final')), JSON.stringify(snaps));
    const last = readSnapshot(trn.runDir, 6)!;
    assert.equal(last.layers.length, 2);
    assert.equal(last.layers[0].bits.length, Math.ceil((40 * 48) / 8));
    // The trannsformer run records its transformation per epoch and its clusters per layer.
    const m = readMetrics(trn.runDir).metrics;
    assert.equal(m.length, 6);
    assert.ok(m.every((e) => e.transform && e.transform.clusters.length === 2 && e.transform.mpes > 0));
    const clusters = JSON.parse(fs.readFileSync(path.join(trn.runDir, FILES.clusters), 'utf8'));
    assert.equal(clusters.layers.length, 2);
    const perm = clusters.layers[0].permutation;
    assert.deepEqual([...perm.inputs].sort((a: number, b: number) => a - b), Array.from({ length: 48 }, (_, i) => i));
    const mapping = JSON.parse(fs.readFileSync(path.join(trn.runDir, FILES.mapping), 'utf8'));
    const packed = mapping.schemes.packed;
    assert.equal(packed.total, trn.mpes);
    for (const layer of packed.layers) for (const xb of layer.crossbars) assert.ok(xb.rows.length <= 16 && xb.cols.length <= 16);
  });
});

describe('other commands', () => {
  test('validate: exit 0 for the examples, 2 with problems', () => {
    const examples = path.join(__dirname, '..', '..', 'examples');
    const files = fs.readdirSync(examples).map((f) => path.join(examples, f));
    const ok = runCli(['validate', ...files], examples);
    assert.equal(ok.status, 0, ok.stdout);
    assert.equal(ok.stdout.match(/: ok$/gm)!.length, files.length);
    const dir = tmpDir();
    const bad = writeConfig(dir, { dataset: { name: 'mnist' }, network: { layers: [784, 10] }, training: { epochs: 1, loss: 'cross-entropy' } });
    const r = runCli(['validate', bad], dir);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /network\.output: must be "softmax"/);
  });

  test('schema prints the JSON Schema; bad flags and commands exit 2 with a message', () => {
    const dir = tmpDir();
    const s = runCli(['schema'], dir);
    assert.equal(s.status, 0);
    assert.equal(JSON.parse(s.stdout).title, 'TraNNsformer experiment');
    const flag = runCli(['run', 'x.json', '--frobnicate'], dir);
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /--frobnicate: unknown option/);
    const cmd = runCli(['train'], dir);
    assert.equal(cmd.status, 2);
    assert.match(cmd.stderr, /train: unknown command/);
    const w = runCli(['run', 'x.json', '--workers', 'two'], dir);
    assert.match(w.stderr, /--workers: must be a whole number/);
  });

  test('--backend node without tfjs-node says what is missing', (t) => {
    let installed = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      installed = false;
    }
    if (installed) return t.skip('tfjs-node is installed on this machine');
    const dir = tmpDir();
    const cfg = writeConfig(dir, synthetic(1));
    const r = runCli(['run', cfg, '--backend', 'node'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /backend: "node" needs @tensorflow\/tfjs-node/);
  });
});
