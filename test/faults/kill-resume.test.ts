/**
 * Runs killed at random points (SIGKILL: no handler runs) — during an epoch,
 * right after an epoch's files are written, while clustering, while
 * resuming — always leave a readable folder, always resume, and end with
 * exactly the uninterrupted run's weights, metrics and mapping.
 *
 * Trials: FAULT_TRIALS on wasm (default 50; `FAULT_SOAK=1` for 300), a
 * fifth of that on ONNX Runtime and on two data-parallel wasm workers. Each
 * kill point comes from a seeded RNG, printed with every failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/engine/core/rng';
import { leftoverTempFiles, readMetrics, readRun, subfolders } from '../../src/engine/store/runFolder';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const SOAK = process.env.FAULT_SOAK === '1';
const TRIALS = Number(process.env.FAULT_TRIALS ?? (SOAK ? 300 : 50));
const SEED = Number(process.env.FAULT_SEED ?? 20261127);

const baseConfig = {
  name: 'killme',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 4000, testSize: 500, noise: 0.9 } },
  network: { layers: [48, 64, 32, 5], init: { distribution: 'he' } },
  training: { epochs: 6, batchSize: 50, learningRate: 0.1 },
  transform: { mode: 'trannsformer', crossbar: 16, clusterStart: 2, clusterPruneStart: 4 },
  hardware: { snnImages: 100, timesteps: 20 },
  backend: 'wasm',
};

interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Run the CLI; `killWhen` decides, from the output so far and the elapsed
 * time, when to SIGKILL it. Bounded: 120 s at most.
 */
function cli(args: string[], cwd: string, killWhen?: (out: string, ms: number) => boolean): Promise<Spawned> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const check = () => {
      if (!killed && killWhen?.(stdout, Date.now() - t0)) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setInterval(check, 5);
    const limit = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** What must match the uninterrupted run: weights and masks bit for bit, per-epoch figures, the mapping. */
function fingerprint(dir: string) {
  const r = readRun(dir);
  const metrics = readMetrics(dir).metrics.map((m) => ({ epoch: m.epoch, trainLoss: m.trainLoss, testAccuracy: m.testAccuracy, keptFraction: m.keptFraction, transform: m.transform }));
  return {
    status: r.result?.status,
    model: fs.readFileSync(path.join(dir, 'model.tnsr')).toString('base64'),
    metrics,
    mapping: r.result?.mapping,
    clusters: fs.readFileSync(path.join(dir, 'clusters.json'), 'utf8'),
    snn: (r.result?.hardware as { snnAccuracy?: number } | undefined)?.snnAccuracy,
  };
}

const variants = [
  { name: 'wasm', trials: TRIALS, patch: {} },
  { name: 'ONNX Runtime', trials: Math.max(2, Math.round(TRIALS / 5)), patch: { backend: 'onnx' } },
  { name: 'wasm, 2 data-parallel workers', trials: Math.max(2, Math.round(TRIALS / 5)), patch: { training: { ...baseConfig.training, workers: 2 } } },
];

for (const v of variants) {
  test(`SIGKILL at random points (${v.name}): ${v.trials} trials, every folder readable, every run resumes to the uninterrupted result`, { timeout: SOAK ? 3_600_000 : 900_000 }, async () => {
    const config = { ...baseConfig, ...v.patch };
    const TRIALS = v.trials;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tnsr-kill-'));
    try {
      fs.writeFileSync(path.join(root, 'cfg.json'), JSON.stringify(config));
      const ref = await cli(['run', 'cfg.json', '--json', '--out', 'ref'], root);
      assert.equal(ref.code, 0, ref.stderr);
      const refDir = subfolders(path.join(root, 'ref'))[0];
      const want = fingerprint(refDir);
      assert.equal(want.status, 'completed');
      const rng = new Rng(SEED, 7);
      const kinds = { random: 0, afterEpochEvent: 0, duringClustering: 0, duringResume: 0, beforeFolder: 0 };
      for (let trial = 0; trial < TRIALS; trial++) {
        const where = `trial ${trial} (FAULT_SEED=${SEED})`;
        const out = `t${trial}`;
        const kind = trial % 4;
        let killWhen: (o: string, ms: number) => boolean;
        if (kind === 0 || kind === 3) {
          // Anywhere in the run's span, start-up and pricing included.
          const at = rng.next() * ref.ms * 1.1;
          killWhen = (_o, ms) => ms >= at;
          kinds.random++;
        } else if (kind === 1) {
          // Right after epoch k's event: its metrics line, result.json and checkpoint are being written.
          const k = 1 + rng.int(config.training.epochs);
          const delay = rng.next() * 15;
          let seenAt = -1;
          killWhen = (o, ms) => {
            if (seenAt < 0 && o.split('\n').filter((l) => l.includes('"type":"epoch"')).length >= k) seenAt = ms;
            return seenAt >= 0 && ms >= seenAt + delay;
          };
          kinds.afterEpochEvent++;
        } else {
          // While the clusters form or are pruned (the log lines of the clustering epochs).
          const delay = rng.next() * 20;
          let seenAt = -1;
          killWhen = (o, ms) => {
            if (seenAt < 0 && /clusters (formed|pruned)|more clusters/.test(o)) seenAt = ms;
            return seenAt >= 0 && ms >= seenAt + delay;
          };
          kinds.duringClustering++;
        }
        const first = await cli(['run', 'cfg.json', '--json', '--out', out], root, killWhen);
        const dirs = subfolders(path.join(root, out));
        if (dirs.length === 0) {
          // Killed before the folder existed: nothing to resume, nothing left behind.
          kinds.beforeFolder++;
          assert.equal(first.signal, 'SIGKILL', `${where}: no run folder but the run was not killed:\n${first.stderr}`);
          continue;
        }
        const dir = dirs[0];
        const rec = readRun(dir);
        assert.equal(rec.state, 'ok', `${where}: folder unreadable after the kill: ${rec.problem}`);
        if (first.signal === 'SIGKILL' && rec.result?.status !== 'completed') assert.ok(rec.result?.status === 'running' && rec.stale, `${where}: a killed run's folder reads as ${rec.result?.status}, stale ${rec.stale}`);
        // Every third trial kills the resume too, once.
        if (first.signal === 'SIGKILL' && kind === 3) {
          const at = rng.next() * ref.ms;
          const second = await cli(['resume', dir, '--json'], root, (_o, ms) => ms >= at);
          kinds.duringResume++;
          const again = readRun(dir);
          assert.equal(again.state, 'ok', `${where}: folder unreadable after killing the resume: ${again.problem}\n${second.stderr}`);
        }
        if (readRun(dir).result?.status !== 'completed') {
          const resumed = await cli(['resume', dir, '--json'], root);
          assert.equal(resumed.code, 0, `${where}: resume failed:\n${resumed.stderr}\n${resumed.stdout.slice(-2000)}`);
        }
        const got = fingerprint(dir);
        assert.deepEqual(got.metrics, want.metrics, `${where}: per-epoch metrics differ from the uninterrupted run`);
        assert.equal(got.model, want.model, `${where}: model.tnsr differs from the uninterrupted run`);
        assert.deepEqual(got.mapping, want.mapping, `${where}: mapping differs`);
        assert.equal(got.clusters, want.clusters, `${where}: clusters.json differs`);
        assert.equal(got.snn, want.snn, `${where}: spiking accuracy differs`);
        assert.deepEqual(leftoverTempFiles(dir), [], `${where}: temporary files left behind`);
        assert.ok(!fs.existsSync(path.join(dir, 'checkpoint.tnsr')), `${where}: a completed run keeps its checkpoint`);
        fs.rmSync(path.join(root, out), { recursive: true, force: true });
      }
      console.log(`# ${TRIALS} trials: ${JSON.stringify(kinds)}; uninterrupted run ${ref.ms} ms`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}
