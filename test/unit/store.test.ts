import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeTensors, encodeTensors } from '../../src/engine/store/tensorFile';
import { createRunDir, listRuns, readMetrics, readRun, RunWriter, FILES } from '../../src/engine/store/runFolder';
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
    w.update({ pid: 2 ** 22 + 12345 }); // no such process
    assert.equal(readRun(dir).stale, true);
    fs.appendFileSync(path.join(dir, FILES.metrics), '{"epoch":1,"trainLoss":1}\n{"epoch":2,"tra');
    const m = readMetrics(dir);
    assert.equal(m.metrics.length, 1);
    assert.equal(m.skipped, 1);
  });
});
