/**
 * A run whose disk fills up: a clear error naming the file and "no space
 * left on device", exit status 1, the folder closed as failed — or, when
 * not even its first files fit, no run folder at all (folders are created
 * whole) — nothing corrupted, no temporary or staging file left behind.
 *
 * Needs a small tmpfs: mounted here when the tests run as root (CI does);
 * skipped, saying why, elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseEventLine, type EngineEvent } from '../../src/engine/events';
import { leftoverTempFiles, readMetrics, readRun, subfolders } from '../../src/engine/store/runFolder';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

const config = (layers: number[]) => ({
  name: 'full',
  dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 2000, testSize: 300, noise: 0.5 } },
  network: { layers, init: { distribution: 'he' } },
  training: { epochs: 4, batchSize: 50, learningRate: 0.1 },
  transform: { mode: 'trannsformer', crossbar: 16 },
  backend: 'wasm',
});

/** Mount a tmpfs of `kib` KiB; undefined (with the reason) where this process may not mount. */
function smallDisk(kib: number): { dir: string; unmount: () => void } | string {
  if (process.getuid?.() !== 0) return 'needs root to mount a small tmpfs';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tnsr-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return `mount failed: ${r.stderr.trim() || r.error?.message}`;
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function run(cfgDir: string, layers: number[], out: string) {
  fs.writeFileSync(path.join(cfgDir, 'cfg.json'), JSON.stringify(config(layers)));
  const r = spawnSync(process.execPath, [CLI, 'run', 'cfg.json', '--json', '--out', out], { cwd: cfgDir, encoding: 'utf8', timeout: 120_000 });
  const events = r.stdout.split('\n').map(parseEventLine).filter((e): e is EngineEvent => !!e);
  return { ...r, events, error: events.find((e): e is Extract<EngineEvent, { type: 'error' }> => e.type === 'error') };
}

for (const c of [
  // 300 KiB: config, result and the first metrics fit; the first checkpoint (~1 MB) does not.
  { name: 'the disk fills during training', kib: 300, layers: [48, 256, 256, 5], closed: true },
  // One page: the run folder's first files cannot all be written, so it never takes its name.
  { name: 'the disk is full from the start', kib: 4, layers: [48, 40, 5], closed: false },
]) {
  test(`full disk: ${c.name} — a clear error, exit 1, nothing corrupt, nothing leaked`, { timeout: 180_000 }, (t) => {
    const disk = smallDisk(c.kib);
    if (typeof disk === 'string') {
      t.skip(disk);
      return;
    }
    const cfgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tnsr-full-cfg-'));
    try {
      const r = run(cfgDir, c.layers, path.join(disk.dir, 'runs'));
      assert.equal(r.status, 1, `exit status\n${r.stderr}`);
      assert.ok(r.error, `an error event\n${r.stdout.slice(-1000)}`);
      assert.match(r.error.message, /no space left on device \(ENOSPC\)/);
      assert.match(r.error.message, new RegExp(`^${disk.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/runs/`), 'the message names the file (or the folder)');
      assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at .+:\d+:\d+/, 'no stack trace');
      const dirs = subfolders(path.join(disk.dir, 'runs'));
      // No staging folder is left behind either way.
      assert.deepEqual(fs.readdirSync(path.join(disk.dir, 'runs')).filter((n) => n.startsWith('.')), [], 'no staging folder left');
      if (!c.closed) {
        // Run folders are created whole (staged, then renamed): a run that cannot write its first files leaves none.
        assert.deepEqual(dirs, [], 'no half-made run folder');
        return;
      }
      assert.equal(dirs.length, 1);
      assert.deepEqual(leftoverTempFiles(dirs[0]), [], 'no temporary files left behind');
      const rec = readRun(dirs[0]);
      assert.equal(rec.state, 'ok', rec.problem);
      assert.equal(rec.result?.status, 'failed', 'the folder says the run failed');
      assert.match(rec.result?.error?.message ?? '', /ENOSPC/);
      assert.equal(readMetrics(dirs[0]).skipped, 0, 'metrics.jsonl intact');
    } finally {
      disk.unmount();
      fs.rmSync(cfgDir, { recursive: true, force: true });
    }
  });
}
