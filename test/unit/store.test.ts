import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeTensors, encodeTensors } from '../../src/engine/store/tensorFile';
import { createRunDir, listRuns, listSnapshots, markRunEnded, ownerAlive, packBits, readMetrics, readRun, readSnapshot, RunWriter, FILES } from '../../src/engine/store/runFolder';
import * as os from 'node:os';
import { validateConfig } from '../../src/engine/config/validate';
import { tmpDir } from '../helpers/files';

const config = () => validateConfig({ name: 't', dataset: { name: 'synthetic' }, network: { layers: [64, 4] }, training: { epochs: 2 } }).config!;

describe('tensor file', () => {
  test('round-trips float32, int32 and uint8 tensors with alignment', () => {
    const w = Float32Array.from([1.5, -2, 3.25]);
    const m = Uint8Array.from([1, 0, 1, 1, 0]);
    const p = Int32Array.from([7, -8]);
    const buf = encodeTensors(
      [
        { name: 'a', shape: [3], data: w },
        { name: 'mask', shape: [1, 5], data: m },
        { name: 'perm', shape: [2], data: p },
      ],
      { layers: [3, 1] },
    );
    const { tensors, meta } = decodeTensors(buf);
    assert.deepEqual(meta, { layers: [3, 1] });
    assert.deepEqual(tensors.get('a')!.data, w);
    assert.deepEqual(tensors.get('mask')!.data, m);
    assert.deepEqual(tensors.get('mask')!.shape, [1, 5]);
    assert.deepEqual(tensors.get('perm')!.data, p);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 4)), 'TNSR');
  });

  test('rejects a foreign file, a truncated file and a shape mismatch', () => {
    assert.throws(() => decodeTensors(new Uint8Array(20), 'x.tnsr'), /x\.tnsr: not a TNSR file/);
    const buf = encodeTensors([{ name: 'a', shape: [100], data: new Float32Array(100) }]);
    assert.throws(() => decodeTensors(buf.subarray(0, buf.length - 8), 'y.tnsr'), /y\.tnsr: truncated: tensor a/);
    assert.throws(() => encodeTensors([{ name: 'b', shape: [3, 3], data: new Float32Array(8) }]), /shape 3×3 does not match 8/);
  });
});

describe('run folders', () => {
  test('names are unique, the writer keeps result.json valid at every step', () => {
    const root = tmpDir();
    const when = new Date(2026, 0, 2, 3, 4, 5);
    const a = createRunDir(root, 'x', when);
    const b = createRunDir(root, 'x', when);
    assert.equal(path.basename(a), '20260102-030405-x');
    assert.equal(path.basename(b), '20260102-030405-x-2');
    const w = new RunWriter(a, config(), 'cfg.json');
    assert.equal(readRun(a).result!.status, 'running');
    assert.equal(readRun(a).stale, undefined, 'our own process is alive');
    w.epoch({ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.6, seconds: 1, trainSeconds: 1, samplesPerSecond: 10, keptFraction: [1] });
    w.epoch({ epoch: 2, trainLoss: 0.5, trainAccuracy: 0.7, testLoss: 0.8, testAccuracy: 0.55, seconds: 1, trainSeconds: 1, samplesPerSecond: 10, keptFraction: [1] });
    const r = w.finish('interrupted');
    assert.equal(r.epochsCompleted, 2);
    assert.deepEqual(r.best, { epoch: 1, testAccuracy: 0.6 });
    assert.equal(readRun(a).result!.status, 'interrupted');
    assert.equal(readMetrics(a).metrics.length, 2);
    assert.ok(!fs.readdirSync(a).some((f) => f.includes('.tmp-')), 'no temporary files left behind');
  });

  test('damaged folders are listed as corrupt with the reason, never thrown', () => {
    const root = tmpDir();
    const good = createRunDir(root, 'good', new Date(2026, 0, 1));
    new RunWriter(good, config()).finish('completed');
    const missing = path.join(root, '20260101-000001-missing');
    fs.mkdirSync(missing);
    const garbage = path.join(root, '20260101-000002-garbage');
    fs.mkdirSync(garbage);
    fs.writeFileSync(path.join(garbage, FILES.result), '{"format": "trannsformer-run", "stat');
    const foreign = path.join(root, '20260101-000003-foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, FILES.result), '{"hello": 1}');
    const runs = listRuns(root);
    assert.equal(runs.length, 4);
    const byName = new Map(runs.map((r) => [path.basename(r.dir), r]));
    assert.equal(byName.get(path.basename(good))!.state, 'ok');
    assert.match(byName.get('20260101-000001-missing')!.problem!, /result\.json is missing/);
    assert.match(byName.get('20260101-000002-garbage')!.problem!, /unreadable/);
    assert.match(byName.get('20260101-000003-foreign')!.problem!, /not a TraNNsformer run record/);
    assert.deepEqual(listRuns(path.join(root, 'nope')), []);
  });

  test('a run left "running" by a dead process is stale; a torn metrics line is skipped', () => {
    const root = tmpDir();
    const dir = createRunDir(root, 'crashed');
    const w = new RunWriter(dir, config());
    w.update({ pid: 2 ** 22 + 12345, owner: { pid: 2 ** 22 + 12345, hostname: os.hostname() } }); // no such process
    assert.equal(readRun(dir).stale, true);
    // A folder written before owners were recorded: its pid alone decides.
    w.update({ owner: undefined });
    assert.equal(readRun(dir).stale, true);
    fs.appendFileSync(path.join(dir, FILES.metrics), '{"epoch":1,"trainLoss":1}\n{"epoch":2,"tra');
    const m = readMetrics(dir);
    assert.equal(m.metrics.length, 1);
    assert.equal(m.skipped, 1);
  });
});

describe('who owns a running folder', () => {
  const running = (owner: Record<string, unknown> | undefined, pid = 0x7ffffff0) => {
    const dir = createRunDir(tmpDir(), 'owned');
    const w = new RunWriter(dir, config());
    const result = { ...w.result, pid, owner };
    fs.writeFileSync(path.join(dir, FILES.result), JSON.stringify(result));
    return dir;
  };

  test('a folder whose process is gone reads as stale, and markRunEnded closes it as interrupted', () => {
    const dir = running({ pid: 0x7ffffff0, hostname: os.hostname() });
    assert.equal(readRun(dir).stale, true);
    assert.equal(markRunEnded(dir, 'interrupted', 'its process is gone'), true);
    const rec = readRun(dir);
    assert.equal(rec.result!.status, 'interrupted');
    assert.match(rec.result!.error!.message, /its process is gone \(the engine exited without closing the run\)/);
    assert.equal(markRunEnded(dir, 'interrupted', 'again'), false);
  });

  test('a live owner is not touched; a reused pid (other start time) counts as dead; another machine cannot be judged', () => {
    const live = running({ pid: process.pid, hostname: os.hostname() }, process.pid);
    assert.equal(readRun(live).stale, undefined);
    assert.equal(markRunEnded(live, 'interrupted', 'x'), false);
    assert.equal(readRun(live).result!.status, 'running');
    if (fs.existsSync(`/proc/${process.pid}/stat`)) {
      const reused = running({ pid: process.pid, hostname: os.hostname(), startTime: '1' }, process.pid);
      assert.equal(readRun(reused).stale, true);
    }
    const remote = running({ pid: 0x7ffffff0, hostname: `${os.hostname()}-elsewhere` });
    assert.equal(readRun(remote).stale, undefined);
    assert.equal(ownerAlive(readRun(remote).result!), true);
  });

  test('a new run folder names its owner with this process', () => {
    const dir = createRunDir(tmpDir(), 'mine');
    const w = new RunWriter(dir, config());
    assert.equal(w.result.owner!.pid, process.pid);
    assert.equal(w.result.owner!.hostname, os.hostname());
  });
});

describe('connectivity snapshots', () => {
  test('bit-packed MSB first, several epochs in one file, read back exactly; a damaged file reads as none', () => {
    const dir = createRunDir(tmpDir(), 'snap');
    const w = new RunWriter(dir, config());
    const m = Uint8Array.from({ length: 21 }, (_, k) => (k % 3 === 0 ? 1 : 0));
    const bits = packBits(m);
    assert.equal(bits.length, 3);
    assert.equal(bits[0], 0b10010010);
    w.snapshot({ epoch: 1, reasons: ['first'], layers: [{ rows: 3, cols: 7, bits, clusters: [] }] });
    w.snapshot({ epoch: 4, reasons: ['clustering'], layers: [{ rows: 3, cols: 7, bits, clusters: [{ inputs: [0, 3], outputs: [0], quality: 1, valid: true }] }] });
    w.snapshot({ epoch: 4, reasons: ['epoch'], layers: [{ rows: 3, cols: 7, bits, clusters: [{ inputs: [0, 3], outputs: [0], quality: 1, valid: true }] }] });
    assert.deepEqual(listSnapshots(dir), [
      { epoch: 1, reasons: ['first'] },
      { epoch: 4, reasons: ['clustering', 'epoch'] },
    ]);
    const s = readSnapshot(dir, 4)!;
    assert.deepEqual(Array.from(s.layers[0].bits), Array.from(bits));
    assert.deepEqual(s.layers[0].clusters[0].inputs, [0, 3]);
    for (let k = 0; k < m.length; k++) assert.equal((s.layers[0].bits[k >> 3] >> (7 - (k & 7))) & 1, m[k]);
    assert.equal(readSnapshot(dir, 2), undefined);
    fs.writeFileSync(path.join(dir, FILES.snapshots), 'garbage');
    assert.deepEqual(listSnapshots(dir), []);
  });
});
