/**
 * Resume checks what it continues. A small run is stopped mid-epoch; its
 * folder is copied and each copy damaged one way — 70+ tampered checkpoints
 * (loop fields out of range or inconsistent, an all-zero or foreign shuffle
 * state, another run's checkpoint, flipped data bytes, shifted or overlapping
 * tensor extents, a 3e38 weight, truncations, a link to /dev/zero) and 25+
 * edits of config.json. Each resume either refuses, leaving every file of
 * the folder as it was (not marked failed), or ends exactly as the
 * uninterrupted run: the same model.tnsr bytes, metrics, clusters, mapping.
 * The same judgement as kill-resume.test.ts, in process (no build needed).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { errorMessage } from '../../src/engine/core/errors';
import { permutation, Rng } from '../../src/engine/core/rng';
import { executeRun } from '../../src/engine/experiment/run';
import { resumeRun } from '../../src/engine/experiment/resume';
import { readMetrics, readRun } from '../../src/engine/store/runFolder';
import { decodeTensors, encodeTensors, type NamedTensor } from '../../src/engine/store/tensorFile';
import type { EngineEvent } from '../../src/engine/events';
import { tmpDir } from '../helpers/files';

const EPOCHS = 4;
const baseConfig = (seed = 3) => ({
  name: 'tamper',
  dataset: { name: 'synthetic', synthetic: { inputSize: 32, classes: 4, trainSize: 3000, testSize: 300, noise: 0.9 } },
  network: { layers: [32, 48, 24, 4], init: { distribution: 'he' } },
  training: { epochs: EPOCHS, batchSize: 25, learningRate: 0.1, seed },
  transform: { mode: 'trannsformer', crossbar: 16, clusterStart: 2, clusterPruneStart: 3 },
  hardware: { evaluate: false },
  backend: 'wasm',
});

const quiet = (): ((e: EngineEvent) => void) => () => undefined;

/** A run stopped a little into epoch 3 (its checkpoint mid-epoch, when the timing allows). */
async function stoppedRun(root: string, seed = 3): Promise<string> {
  const controller = new AbortController();
  const emit = (e: EngineEvent) => {
    if (e.type === 'epoch' && e.metrics.epoch === 2) setTimeout(() => controller.abort(), 15);
  };
  const { dir, result } = await executeRun({ loaded: loadConfigObject(baseConfig(seed), root), outRoot: root, emit, signal: controller.signal });
  assert.equal(result.status, 'interrupted');
  return dir;
}

/** What must match the uninterrupted run. */
function outcome(dir: string) {
  const r = readRun(dir);
  return {
    status: r.result?.status,
    model: fs.readFileSync(path.join(dir, 'model.tnsr')).toString('base64'),
    metrics: readMetrics(dir).metrics.map((m) => ({ epoch: m.epoch, trainLoss: m.trainLoss, testAccuracy: m.testAccuracy, keptFraction: m.keptFraction, transform: m.transform })),
    clusters: fs.readFileSync(path.join(dir, 'clusters.json'), 'utf8'),
    mapping: r.result?.mapping,
    epochs: `${r.result?.epochsCompleted}/${r.result?.epochsPlanned}`,
  };
}

/** Every file of the folder and its bytes' hash (links by their target): what a refused resume must leave as it was. */
function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, n);
    const st = fs.lstatSync(p);
    out[n] = st.isSymbolicLink() ? `link ${fs.readlinkSync(p)}` : st.isFile() ? createHash('sha256').update(fs.readFileSync(p)).digest('hex') : 'other';
  }
  return out;
}

type Cp = { tensors: Map<string, NamedTensor>; meta: Record<string, unknown> };
type Edit = { name: string; apply: (dir: string) => void; accept?: boolean };

const CP = 'checkpoint.tnsr';
const readCp = (dir: string): Cp => decodeTensors(fs.readFileSync(path.join(dir, CP)));
const writeCp = (dir: string, cp: Cp) => fs.writeFileSync(path.join(dir, CP), encodeTensors([...cp.tensors.values()], cp.meta));
/** Change the decoded checkpoint and write it again (a fresh, matching checksum: only the content checks can refuse it). */
const meta = (name: string, f: (cp: Cp, loop: Record<string, unknown>) => void): Edit => ({
  name,
  apply: (dir) => {
    const cp = readCp(dir);
    f(cp, cp.meta.loop as Record<string, unknown>);
    writeCp(dir, cp);
  },
});
const tensor = (name: string, t: string, f: (d: NamedTensor['data']) => void): Edit =>
  meta(name, (cp) => {
    const x = cp.tensors.get(t)!;
    f(x.data);
  });
/** Rewrite the .tnsr header, keeping the data bytes (and so the recorded checksum). */
function header(name: string, f: (h: { tensors: { name: string; offset: number; byteLength: number; dtype: string; shape: number[] }[]; meta: Record<string, unknown>; crc32?: number }) => void): Edit {
  return {
    name,
    apply: (dir) => {
      const buf = fs.readFileSync(path.join(dir, CP));
      const hlen = buf.readUInt32LE(8);
      const dataStart = Math.ceil((12 + hlen) / 8) * 8;
      const h = JSON.parse(buf.subarray(12, 12 + hlen).toString('utf8'));
      f(h);
      const hb = Buffer.from(JSON.stringify(h));
      const start = Math.ceil((12 + hb.length) / 8) * 8;
      const out = Buffer.alloc(start + buf.length - dataStart);
      buf.copy(out, 0, 0, 8);
      out.writeUInt32LE(hb.length, 8);
      hb.copy(out, 12);
      buf.copy(out, start, dataStart);
      fs.writeFileSync(path.join(dir, CP), out);
    },
  };
}
const bytes = (name: string, f: (b: Buffer) => Buffer): Edit => ({ name, apply: (dir) => fs.writeFileSync(path.join(dir, CP), f(fs.readFileSync(path.join(dir, CP)))) });
const config = (name: string, f: (c: Record<string, Record<string, unknown>>) => void, accept = false): Edit => ({
  name: `config.json: ${name}${accept ? ' (accepted)' : ''}`,
  accept,
  apply: (dir) => {
    const file = path.join(dir, 'config.json');
    const c = JSON.parse(fs.readFileSync(file, 'utf8'));
    f(c);
    fs.writeFileSync(file, JSON.stringify(c, null, 2) + '\n');
  },
});

function checkpointEdits(other: string, refModel: string, n: number): Edit[] {
  const edits: Edit[] = [];
  const loopSet = (k: string, v: unknown) => meta(`loop.${k} = ${JSON.stringify(v)}`, (_cp, l) => (l[k] = v));
  for (const v of [99, 5, -1, 1.5, '2', null]) edits.push(loopSet('epochsCompleted', v));
  edits.push(meta('epochsCompleted − 1 (shuffle state of a later epoch)', (_c, l) => (l.epochsCompleted = (l.epochsCompleted as number) - 1)));
  edits.push(meta('epochsCompleted + 1', (_c, l) => (l.epochsCompleted = (l.epochsCompleted as number) + 1)));
  for (const v of [1e6, -1, 120, 0.5]) edits.push(loopSet('batchesIntoEpoch', v));
  edits.push(meta('batchesIntoEpoch + 1', (_c, l) => (l.batchesIntoEpoch = (l.batchesIntoEpoch as number) + 1)));
  for (const v of [[0, 0, 0, 0], [1, 2, 3, 4], [1, 2, 3], ['a', 1, 2, 3], 'x']) edits.push(loopSet('shuffle', v));
  edits.push(
    meta("shuffle state of the next epoch", (_c, l) => {
      const rng = new Rng(3, 0x5f1e);
      for (let e = 0; e <= (l.epochsCompleted as number); e++) permutation(n, rng);
      l.shuffle = rng.state();
    }),
  );
  for (const v of [-1, null, 'x']) edits.push(loopSet('lossSum', v));
  edits.push(meta('correct > seen', (_c, l) => (l.correct = (l.seen as number) + 1)));
  edits.push(loopSet('correct', -1));
  edits.push(meta('seen + 1', (_c, l) => (l.seen = (l.seen as number) + 1)));
  edits.push(loopSet('seen', n + 1));
  edits.push(loopSet('seen', 1e9));
  edits.push(meta('kind "model"', (cp) => (cp.meta.kind = 'model')));
  edits.push(meta('another network', (cp) => (cp.meta.layers = [32, 48, 24, 5])));
  edits.push(meta('no loop', (cp) => delete cp.meta.loop));
  edits.push(meta('another run (created at another time)', (cp) => (cp.meta.runCreatedAt = '2020-01-01T00:00:00.000Z')));
  edits.push(
    meta('recorded config differs (learning rate)', (cp) => {
      const rc = cp.meta.runConfig as { training: { learningRate: number } } | undefined;
      if (rc) rc.training.learningRate = 0.2;
    }),
  );
  edits.push(meta('schedule.prevTrainLoss "x"', (cp) => ((cp.meta.schedule as Record<string, unknown>).prevTrainLoss = 'x')));
  edits.push(meta('schedule of 2 layers', (cp) => (cp.meta.schedule as { layers: unknown[] }).layers.pop()));
  edits.push(meta('schedule pruneTh null', (cp) => ((cp.meta.schedule as { layers: Record<string, unknown>[] }).layers[0].pruneTh = null)));
  edits.push(meta('schedule missing', (cp) => delete cp.meta.schedule));
  edits.push(meta('a cluster claims more members', (cp) => ((cp.meta.schedule as { layers: { clusters: { inputs: number }[] }[] }).layers.find((l) => l.clusters.length)!.clusters[0].inputs += 1)));
  // Still this run's state: must resume to the same result.
  edits.push(meta('(harmless) no recorded config (older checkpoint)', (cp) => delete cp.meta.runConfig));
  edits.push(meta('(harmless) no run identity (older checkpoint)', (cp) => delete cp.meta.runCreatedAt));
  edits.push(meta('(harmless) another name in meta', (cp) => (cp.meta.name = 'renamed')));
  edits.push(meta('(harmless) an extra tensor', (cp) => cp.tensors.set('extra', { name: 'extra', shape: [2], data: new Uint8Array(2) })));
  edits.push(header('(harmless) no checksum (older file)', (h) => delete h.crc32));
  edits.push({ name: '(harmless) no checkpoint: trains again from its seed', apply: (dir) => fs.rmSync(path.join(dir, CP)) });
  // Tensors (a fresh checksum: the value checks must refuse them).
  edits.push(tensor('W/0 holds 3e38', 'W/0', (d) => (d[5] = 3e38)));
  edits.push(tensor('W/1 holds -2e4', 'W/1', (d) => (d[0] = -2e4)));
  edits.push(tensor('W/0 holds NaN', 'W/0', (d) => (d[1] = NaN)));
  edits.push(tensor('V/1 holds 1e5', 'V/1', (d) => (d[3] = 1e5)));
  edits.push(tensor('V/2 holds Infinity', 'V/2', (d) => (d[0] = Infinity)));
  edits.push(tensor('mask/0 holds 2', 'mask/0', (d) => (d[7] = 2)));
  edits.push(tensor('pmap/1 holds 3', 'pmap/1', (d) => (d[0] = 3)));
  edits.push(tensor('clusters/0 holds −1', 'clusters/0', (d) => d.length && (d[0] = -1)));
  edits.push(meta('W/0 one row short', (cp) => {
    const t = cp.tensors.get('W/0')!;
    cp.tensors.set('W/0', { ...t, shape: [t.shape[0] - 1, t.shape[1]], data: (t.data as Float32Array).slice(t.shape[1]) });
  }));
  edits.push(meta('W/0 as int32', (cp) => {
    const t = cp.tensors.get('W/0')!;
    cp.tensors.set('W/0', { ...t, data: new Int32Array(t.data.length) });
  }));
  edits.push(meta('mask/2 missing', (cp) => cp.tensors.delete('mask/2')));
  // Header: the data bytes (and checksum) kept.
  edits.push(header('second tensor shifted by 8 bytes', (h) => (h.tensors[1].offset += 8)));
  edits.push(header('second tensor overlapping the first', (h) => (h.tensors[1].offset = h.tensors[0].offset)));
  edits.push(header('two tensors swapped in place', (h) => ([h.tensors[0].offset, h.tensors[3].offset] = [h.tensors[3].offset, h.tensors[0].offset])));
  edits.push(header('a byte length doubled', (h) => (h.tensors[0].byteLength *= 2)));
  edits.push(header('checksum off by one', (h) => (h.crc32 = ((h.crc32 ?? 0) + 1) >>> 0)));
  edits.push(header('offset negative', (h) => (h.tensors[2].offset = -8)));
  // Bytes.
  const rng = new Rng(20261202, 1);
  for (let k = 0; k < 12; k++) {
    const at = rng.next();
    edits.push(
      bytes(`data byte flipped at ${(at * 100).toFixed(1)} % of the data`, (b) => {
        const hlen = b.readUInt32LE(8);
        const start = Math.ceil((12 + hlen) / 8) * 8;
        const i = start + Math.floor(at * (b.length - start));
        b[i] ^= 1 << k % 8;
        return b;
      }),
    );
  }
  edits.push(bytes('truncated to half', (b) => b.subarray(0, b.length >> 1)));
  edits.push(bytes('truncated by one byte', (b) => b.subarray(0, b.length - 1)));
  edits.push(bytes('11 bytes', (b) => b.subarray(0, 11)));
  edits.push(bytes('empty', () => Buffer.alloc(0)));
  edits.push(bytes('8 zero bytes appended', (b) => Buffer.concat([b, Buffer.alloc(8)])));
  edits.push(bytes('magic changed', (b) => (b.write('TNSX', 0), b)));
  edits.push(bytes('version 2', (b) => (b.writeUInt32LE(2, 4), b)));
  edits.push(bytes('header length 2^31', (b) => (b.writeUInt32LE(2 ** 31, 8), b)));
  edits.push(bytes('a header digit changed', (b) => {
    const i = b.indexOf('"offset":', 12) + 9;
    b[i] = b[i] === 0x39 ? 0x31 : b[i] + 1;
    return b;
  }));
  edits.push({ name: 'a link to /dev/zero', apply: (dir) => (fs.rmSync(path.join(dir, CP)), fs.symlinkSync('/dev/zero', path.join(dir, CP))) });
  edits.push({ name: 'a folder', apply: (dir) => (fs.rmSync(path.join(dir, CP)), fs.mkdirSync(path.join(dir, CP))) });
  edits.push({ name: 'a FIFO', apply: (dir) => (fs.rmSync(path.join(dir, CP)), spawnSync('mkfifo', [path.join(dir, CP)])) });
  edits.push({ name: 'the finished model.tnsr of the run', apply: (dir) => fs.writeFileSync(path.join(dir, CP), Buffer.from(refModel, 'base64')) });
  edits.push({ name: "another run's checkpoint of the same shape (another seed)", apply: (dir) => fs.copyFileSync(path.join(other, CP), path.join(dir, CP)) });
  edits.push({ name: "another run's checkpoint with this run's identity", apply: (dir) => {
    const own = readCp(dir).meta;
    const cp = readCp(other);
    cp.meta.runCreatedAt = own.runCreatedAt;
    cp.meta.runConfig = own.runConfig;
    writeCp(dir, cp);
  } });
  return edits;
}

function configEdits(): Edit[] {
  const t = (k: string, v: unknown) => config(`training.${k} = ${JSON.stringify(v)}`, (c) => (c.training[k] = v));
  const x = (k: string, v: unknown) => config(`transform.${k} = ${JSON.stringify(v)}`, (c) => (c.transform[k] = v));
  return [
    t('learningRate', 0.2),
    t('epochs', 6),
    t('epochs', 2),
    t('batchSize', 30),
    t('seed', 4),
    t('momentum', 0.8),
    t('checkpointEvery', 2),
    t('evalBatchSize', 100),
    t('workers', 2),
    x('mode', 'pruning'),
    x('crossbar', 32),
    x('clusterStart', 1),
    x('pruneRateScale', 0.002),
    x('tolerance', 0.1),
    x('qualityMax', 0.6),
    config('network.layers[1] = 40', (c) => ((c.network.layers as number[])[1] = 40)),
    config('network.dropout = 0.2', (c) => (c.network.dropout = 0.2)),
    config('network.output = softmax', (c) => (c.network.output = 'softmax')),
    config('dataset noise', (c) => ((c.dataset.synthetic as Record<string, unknown>).noise = 0.5)),
    config('dataset trainSize', (c) => ((c.dataset.synthetic as Record<string, unknown>).trainSize = 2000)),
    config('hardware.evaluate = true', (c) => (c.hardware.evaluate = true)),
    config('hardware.preset', (c) => (c.hardware.preset = 'puma-32nm')),
    config('backend = onnx', (c) => ((c as Record<string, unknown>).backend = 'onnx')),
    config('name', (c) => ((c as Record<string, unknown>).name = 'renamed')),
    config('training removed (invalid)', (c) => delete (c as Record<string, unknown>).training),
    config('epochs −1 (invalid)', (c) => (c.training.epochs = -1)),
    { name: 'config.json: not JSON', apply: (dir) => fs.writeFileSync(path.join(dir, 'config.json'), '{') },
    {
      name: 'config.json edited and result.json fingerprint edited to match',
      apply: (dir) => {
        const file = path.join(dir, 'config.json');
        const c = JSON.parse(fs.readFileSync(file, 'utf8'));
        c.training.learningRate = 0.3;
        const text = JSON.stringify(c, null, 2) + '\n';
        fs.writeFileSync(file, text);
        const rfile = path.join(dir, 'result.json');
        const r = JSON.parse(fs.readFileSync(rfile, 'utf8'));
        r.configSha256 = createHash('sha256').update(JSON.stringify(c)).digest('hex');
        fs.writeFileSync(rfile, JSON.stringify(r));
      },
    },
    config('(harmless) reformatted only', () => undefined),
    // Speed only: accepted, the numbers are the uninterrupted run's.
    config('training.evalBatchSize = 150', (c) => (c.training.evalBatchSize = 150), true),
  ];
}

test('tampered checkpoints and edited configs: each resume refuses without touching the folder, or ends exactly as the uninterrupted run', { timeout: 900_000 }, async () => {
  const root = tmpDir('trn-tamper-');
  try {
    const ref = await executeRun({ loaded: loadConfigObject(baseConfig(), root), outRoot: path.join(root, 'ref'), emit: quiet() });
    const want = outcome(ref.dir);
    assert.equal(want.status, 'completed');
    const pristine = await stoppedRun(path.join(root, 'stopped'));
    const other = await stoppedRun(path.join(root, 'other'), 4);
    const loop = readCp(pristine).meta.loop as { epochsCompleted: number; batchesIntoEpoch: number };
    const n = baseConfig().dataset.synthetic.trainSize;
    const cpEdits = checkpointEdits(other, want.model, n);
    const cfgEdits = configEdits();
    assert.ok(cpEdits.length >= 60 && cfgEdits.length >= 20, `${cpEdits.length} checkpoint variants, ${cfgEdits.length} config edits`);
    const failures: string[] = [];
    const counts = { refused: 0, exact: 0 };
    const exactOthers: string[] = [];
    const messages: string[] = [];
    let k = 0;
    for (const edit of [...cpEdits, ...cfgEdits]) {
      const dir = path.join(root, 'trials', `t${k++}`);
      fs.cpSync(pristine, dir, { recursive: true });
      edit.apply(dir);
      const before = filesOf(dir);
      let refusal: string | undefined;
      try {
        const { result } = await resumeRun({ dir, emit: quiet(), acceptConfigChange: edit.accept });
        if (result.status !== 'completed') refusal = `ended ${result.status}: ${result.error?.message}`;
      } catch (e) {
        refusal = errorMessage(e);
      }
      if (process.env.TAMPER_VERBOSE) messages.push(`${edit.name} → ${refusal ?? 'exact'}`);
      if (refusal !== undefined) {
        counts.refused++;
        const after = filesOf(dir);
        if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${edit.name}: refused (${refusal.slice(0, 200)}) but the folder changed: ${Object.keys({ ...before, ...after }).filter((f) => before[f] !== after[f]).join(', ')}`);
        if (!/checkpoint\.tnsr|config\.json|result\.json/.test(refusal)) failures.push(`${edit.name}: the refusal names no file: ${refusal}`);
        if (edit.name.includes('(harmless)') || edit.accept) failures.push(`${edit.name}: refused, but it should resume: ${refusal}`);
      } else {
        counts.exact++;
        if (!edit.name.includes('(harmless)') && !edit.accept) exactOthers.push(edit.name);
        const got = outcome(dir);
        for (const key of Object.keys(want) as (keyof typeof want)[])
          if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) failures.push(`${edit.name}: resumed, but ${key} differs from the uninterrupted run`);
        if (edit.accept) {
          const change = readRun(dir).result?.resumes?.at(-1)?.configChange;
          if (!change || change.fields.join() !== 'training.evalBatchSize') failures.push(`${edit.name}: the accepted change is not recorded: ${JSON.stringify(change)}`);
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log(`# stopped after epoch ${loop.epochsCompleted} + ${loop.batchesIntoEpoch} batches; ${cpEdits.length} checkpoint variants and ${cfgEdits.length} config edits: ${JSON.stringify(counts)}; resumed exactly though not marked harmless: ${exactOthers.join('; ') || 'none'}`);
    if (messages.length) console.log(messages.join('\n'));
    assert.deepEqual(failures, []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a config edit is refused naming the fields that differ', async () => {
  const root = tmpDir('trn-tamper-msg-');
  try {
    const dir = await stoppedRun(root);
    config('', (c) => ((c.training.learningRate = 0.2), (c.transform.crossbar = 32))).apply(dir);
    await assert.rejects(resumeRun({ dir, emit: quiet() }), (e: Error) => {
      assert.match(e.message, /config\.json: was changed since the run started \(training\.learningRate, transform\.crossbar\).*--accept-config-change/);
      return true;
    });
    assert.equal(readRun(dir).result?.status, 'interrupted');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
