/**
 * Damaged run folders: every file of real run folders (a completed
 * TraNNsformer run with its evaluation, a stopped one with its checkpoint, a
 * comparison) mutated ≥ 1,000 times each — bit flips, truncation, appended
 * bytes, JSON fields replaced by extreme or hostile values, .tnsr headers
 * with negative offsets, huge sizes, NaN weights, mask bytes other than 0/1.
 *
 * Every reader must either succeed or raise a UserError (an IoError for a
 * damaged file) whose message names the file or folder: no other exception,
 * no hang, no memory blow-up, never a silently wrong number (a model that
 * reads back must hold finite weights and 0/1 masks; clusters that price
 * must lie inside their layer). `evaluate` and `report` are also run through
 * the CLI on a sample: no stack trace, exit 1 or 2 with the file named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/engine/core/rng';
import { isUserError } from '../../src/engine/core/errors';
import {
  listSnapshots,
  readCheckpointFile,
  readClusters,
  readClustersFor,
  readCompare,
  readEvaluation,
  readMapping,
  readMetrics,
  readModel,
  readRun,
  readSnapshot,
  subfolders,
} from '../../src/engine/store/runFolder';
import { decodeCheckpoint } from '../../src/engine/train/checkpoint';
import { runConnectivity } from '../../src/engine/experiment/evaluate';
import { mapLayers } from '../../src/engine/transform/mapping/network';
import { compareReport, runReport } from '../../src/engine/report/html';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const SEED = Number(process.env.FAULT_SEED ?? 4242);
const PER_FILE = Number(process.env.FAULT_MUTATIONS ?? (process.env.FAULT_SOAK === '1' ? 5000 : 1000));

const config = (mode: string, epochs = 4) => ({
  name: 'fuzz',
  dataset: { name: 'synthetic', synthetic: { inputSize: 40, classes: 4, trainSize: 1200, testSize: 200, noise: 0.5 } },
  network: { layers: [40, 48, 24, 4], init: { distribution: 'he' } },
  training: { epochs, batchSize: 40, learningRate: 0.1 },
  transform: { mode, crossbar: 16, clusterStart: 2, clusterPruneStart: 3 },
  hardware: { snnImages: 50, timesteps: 10 },
  backend: 'wasm',
});

function runCli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A run stopped (SIGTERM) after its second epoch: it holds a checkpoint. */
function stoppedRun(cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    fs.writeFileSync(path.join(cwd, 'stop.json'), JSON.stringify(config('trannsformer', 200)));
    const child = spawn(process.execPath, [CLI, 'run', 'stop.json', '--json', '--out', 'stopped'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const limit = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('"type":"epoch"').length > 3) child.kill('SIGTERM');
    });
    child.on('close', () => {
      clearTimeout(limit);
      const dir = subfolders(path.join(cwd, 'stopped'))[0];
      if (dir && fs.existsSync(path.join(dir, 'checkpoint.tnsr'))) resolve(dir);
      else reject(new Error(`no stopped run with a checkpoint:\n${out.slice(-500)}`));
    });
  });
}

// ---- mutations ------------------------------------------------------------

const HOSTILE: unknown[] = [null, -1, 0, 1e308, -1e308, 2 ** 53, 1.5, 'NaN', '', '<script>alert(1)</script>', [], {}, true, [1, 2, 3], { a: 1 }, 'x'.repeat(10000), Array(5000).fill(7)];

function bytesMutation(b: Buffer, rng: Rng): Buffer {
  const out = Buffer.from(b);
  switch (rng.int(5)) {
    case 0: {
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips && out.length; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
      return out;
    }
    case 1:
      return out.subarray(0, rng.int(out.length + 1));
    case 2:
      return Buffer.concat([out, Buffer.from(Array.from({ length: 1 + rng.int(64) }, () => rng.int(256)))]);
    case 3: {
      // Overwrite a run of bytes with one value (0x00, 0xff, '"', '{').
      const v = [0, 255, 34, 123][rng.int(4)];
      const at = rng.int(Math.max(1, out.length));
      out.fill(v, at, Math.min(out.length, at + 1 + rng.int(16)));
      return out;
    }
    default:
      return Buffer.alloc(0);
  }
}

/** Paths to every value of a JSON tree. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 5000) return out;
  if (Array.isArray(v)) v.slice(0, 50).forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

function setAt(root: unknown, p: (string | number)[], value: unknown, remove: boolean): unknown {
  if (p.length === 0) return value;
  let o = root as Record<string | number, unknown>;
  for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = p[p.length - 1];
  if (remove && !Array.isArray(o)) delete o[last];
  else o[last] = value;
  return root;
}

function jsonMutation(text: string, rng: Rng): string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return text;
  }
  const ps = paths(v);
  const p = ps[rng.int(ps.length)];
  const hostile = HOSTILE[rng.int(HOSTILE.length)];
  return JSON.stringify(setAt(v, p, structuredClone(hostile), rng.next() < 0.2));
}

/** metrics.jsonl: mutate one line as JSON, or the bytes. */
function linesMutation(text: string, rng: Rng): string {
  const lines = text.split('\n');
  const i = rng.int(Math.max(1, lines.length - 1));
  lines[i] = jsonMutation(lines[i], rng);
  return lines.join('\n');
}

/** A .tnsr file: its JSON header mutated (offsets, sizes, shapes, dtypes), or its data (NaN weights, mask bytes > 1). */
function tnsrMutation(b: Buffer, rng: Rng): Buffer {
  const hlen = b.readUInt32LE(8);
  const header = JSON.parse(b.subarray(12, 12 + hlen).toString('utf8')) as { tensors: { name: string; dtype: string; shape: number[]; offset: number; byteLength: number }[]; meta: unknown };
  const dataStart = Math.ceil((12 + hlen) / 8) * 8;
  const t = header.tensors[rng.int(header.tensors.length)];
  const kind = rng.int(4);
  if (kind === 0) {
    // Poison the data: a NaN or ∞ into float32 tensors, 2…255 into uint8 ones.
    const out = Buffer.from(b);
    const at = dataStart + t.offset + (t.byteLength ? rng.int(t.byteLength) : 0);
    if (t.dtype === 'float32' && t.byteLength >= 4) out.writeFloatLE([NaN, Infinity, -Infinity][rng.int(3)], dataStart + t.offset + 4 * rng.int(t.byteLength / 4));
    else if (at < out.length) out[at] = 2 + rng.int(254);
    return out;
  }
  if (kind === 1) {
    const field = (['offset', 'byteLength', 'shape', 'dtype', 'name'] as const)[rng.int(5)];
    const values: Record<string, unknown[]> = {
      offset: [-8, -1, 3, 2 ** 31, 1e15, b.length, 'x'],
      byteLength: [-4, 0, 2 ** 32, 1e15, t.byteLength + 4, 'x'],
      shape: [[-1], [2 ** 31, 2 ** 31], [1e15], [], [0], 'x', [t.shape[0], (t.shape[1] ?? 1) + 1]],
      dtype: ['float64', 'uint8', 'int32', 'float32', 7],
      name: ['', 7, header.tensors[0].name],
    };
    (t as Record<string, unknown>)[field] = values[field][rng.int(values[field].length)];
  } else if (kind === 2) {
    header.meta = JSON.parse(jsonMutation(JSON.stringify(header.meta), rng));
  } else return bytesMutation(b, rng);
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Math.ceil((12 + h.length) / 8) * 8;
  const out = Buffer.alloc(start + (b.length - dataStart));
  b.copy(out, 0, 0, 8);
  out.writeUInt32LE(h.length, 8);
  h.copy(out, 12);
  b.copy(out, start, dataStart);
  return out;
}

// ---- what every reader must do ---------------------------------------------

/** Readers that promise never to throw. */
function neverThrows(dir: string): void {
  const rec = readRun(dir);
  assert.ok(rec.state === 'ok' || (rec.state === 'corrupt' && typeof rec.problem === 'string' && rec.problem.length > 0), 'readRun reports a damaged folder with its problem');
  readMetrics(dir);
  readClusters(dir);
  readMapping(dir);
  readEvaluation(dir);
  readCompare(dir);
  for (const s of listSnapshots(dir)) readSnapshot(dir, s.epoch);
}

/** Readers that may refuse: only with a UserError naming where; what they return is sane. */
function refusesCleanly(dir: string, what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    assert.ok(isUserError(e), `${what} threw a ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
    assert.ok(e.message.includes(dir) || e.message.includes(path.basename(dir)), `${what}: the error does not name the file: ${e.message}`);
  }
}

function checkModel(dir: string): void {
  refusesCleanly(dir, 'readModel', () => {
    const m = readModel(dir);
    for (const w of m.weights) assert.ok(w.every(Number.isFinite), 'readModel returned non-finite weights');
    for (const k of m.masks) assert.ok(k.every((v) => v === 0 || v === 1), 'readModel returned a mask byte other than 0/1');
  });
  refusesCleanly(dir, 'runConnectivity + mapping', () => {
    const c = runConnectivity(dir);
    const m = mapLayers('packed', c.connectivity, 16);
    assert.ok(Number.isFinite(m.total) && m.total >= 0 && m.total < 1e6, `mPEs ${m.total}`);
  });
}

function checkCheckpoint(dir: string): void {
  refusesCleanly(dir, 'checkpoint', () => {
    const raw = readCheckpointFile(dir);
    try {
      decodeCheckpoint(raw.tensors, raw.meta, [40, 48, 24, 4], true);
    } catch (e) {
      // resume wraps this in a UserError naming the file (run.ts); the decoder's own message must be an Error.
      assert.ok(e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError), `decodeCheckpoint threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
  });
}

test(`run-folder readers on ≥ ${PER_FILE} damaged files of each kind: never a crash, a hang or a wrong number`, { timeout: 900_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tnsr-rfz-'));
  try {
    fs.writeFileSync(path.join(root, 'cfg.json'), JSON.stringify(config('trannsformer')));
    assert.equal(runCli(['run', 'cfg.json', '--json', '--out', 'done'], root).status, 0);
    const done = subfolders(path.join(root, 'done'))[0];
    fs.writeFileSync(path.join(root, 'cmp.json'), JSON.stringify(config('trannsformer', 2)));
    assert.equal(runCli(['compare', 'cmp.json', '--modes', 'original,trannsformer', '--json', '--out', 'cmp'], root).status, 0);
    const cmp = subfolders(path.join(root, 'cmp'))[0];
    const stopped = await stoppedRun(root);
    for (const f of ['model.tnsr', 'clusters.json', 'mapping.json', 'evaluation.json', 'snapshots.tnsr']) assert.ok(fs.existsSync(path.join(done, f)), f);

    const targets: { source: string; file: string; kind: 'json' | 'lines' | 'tnsr'; check: (dir: string) => void }[] = [
      { source: done, file: 'result.json', kind: 'json', check: (d) => refusesCleanly(d, 'runReport', () => runReport(d)) },
      { source: done, file: 'config.json', kind: 'json', check: (d) => refusesCleanly(d, 'runReport', () => runReport(d)) },
      { source: done, file: 'metrics.jsonl', kind: 'lines', check: (d) => refusesCleanly(d, 'runReport', () => runReport(d)) },
      { source: done, file: 'model.tnsr', kind: 'tnsr', check: checkModel },
      {
        source: done,
        file: 'clusters.json',
        kind: 'json',
        check: (d) => {
          checkModel(d);
          refusesCleanly(d, 'readClustersFor', () => readClustersFor(d, [40, 48, 24, 4]));
        },
      },
      { source: done, file: 'mapping.json', kind: 'json', check: (d) => refusesCleanly(d, 'runReport', () => runReport(d)) },
      { source: done, file: 'evaluation.json', kind: 'json', check: (d) => refusesCleanly(d, 'runReport', () => runReport(d)) },
      { source: done, file: 'snapshots.tnsr', kind: 'tnsr', check: () => undefined },
      { source: stopped, file: 'checkpoint.tnsr', kind: 'tnsr', check: checkCheckpoint },
      { source: cmp, file: 'compare.json', kind: 'json', check: (d) => refusesCleanly(d, 'compareReport', () => compareReport(d)) },
    ];
    const rng = new Rng(SEED, 11);
    const work = path.join(root, 'work');
    const counts: Record<string, number> = {};
    let slowest = 0;
    for (const t of targets) {
      const pristine = fs.readFileSync(path.join(t.source, t.file));
      // One copy of the folder per file kind; each case damages that one file (readers write nothing).
      fs.rmSync(work, { recursive: true, force: true });
      fs.cpSync(t.source, work, { recursive: true });
      for (let i = 0; i < PER_FILE; i++) {
        const where = `${t.file} mutation ${i} (FAULT_SEED=${SEED})`;
        const mutated = t.kind === 'tnsr' && rng.next() < 0.8 ? tnsrMutation(pristine, rng) : t.kind === 'json' && rng.next() < 0.6 ? Buffer.from(jsonMutation(pristine.toString('utf8'), rng)) : t.kind === 'lines' && rng.next() < 0.6 ? Buffer.from(linesMutation(pristine.toString('utf8'), rng)) : bytesMutation(pristine, rng);
        fs.writeFileSync(path.join(work, t.file), mutated);
        const t0 = performance.now();
        try {
          neverThrows(work);
          t.check(work);
        } catch (e) {
          assert.fail(`${where}: ${(e as Error).message}`);
        }
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        assert.ok(ms < 5000, `${where}: took ${ms.toFixed(0)} ms`);
        counts[t.file] = (counts[t.file] ?? 0) + 1;
      }
    }
    const rss = process.memoryUsage().rss / 2 ** 20;
    assert.ok(rss < 1500, `memory grew to ${rss.toFixed(0)} MiB`);
    console.log(`# mutated files: ${JSON.stringify(counts)}; slowest case ${slowest.toFixed(0)} ms; RSS ${rss.toFixed(0)} MiB`);

    // The CLI on a sample: evaluate and report print what is wrong, never a stack trace.
    const cliRng = new Rng(SEED, 12);
    for (let i = 0; i < 24; i++) {
      const t = targets[[3, 4, 0, 1][i % 4]];
      const dir = path.join(root, `cli${i}`);
      fs.cpSync(t.source, dir, { recursive: true });
      const pristine = fs.readFileSync(path.join(t.source, t.file));
      fs.writeFileSync(path.join(dir, t.file), t.kind === 'tnsr' ? tnsrMutation(pristine, cliRng) : Buffer.from(jsonMutation(pristine.toString('utf8'), cliRng)));
      for (const cmd of [['evaluate', dir, '--images', '20', '--timesteps', '5'], ['report', dir]]) {
        const r = runCli(cmd, root);
        assert.ok(r.status === 0 || r.status === 1 || r.status === 2, `${cmd[0]} on ${t.file} case ${i}: exit ${r.status}\n${r.stderr}`);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at .+:\d+:\d+/, `${cmd[0]} on ${t.file} case ${i} printed a stack trace:\n${r.stderr}`);
        if (r.status !== 0) assert.match(r.stderr, new RegExp(path.basename(dir)), `${cmd[0]} on ${t.file} case ${i}: the error does not name the folder:\n${r.stderr}`);
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
