/**
 * The CLI on damaged records: a result.json whose configFile is not a path
 * (evaluate, resume), a metrics line that is `null` (resume), a sweep.json
 * whose points or jobs are not records (sweep --resume). Each ends with a
 * message naming the file and no stack trace; the null line is skipped like
 * a torn one and the run resumes. The CLI runs from source (tsx): no build.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { executeRun } from '../../src/engine/experiment/run';
import { executeSweep } from '../../src/engine/experiment/sweep';
import { writeJobRecord, thisProcess } from '../../src/engine/store/sweepFolder';
import type { EngineEvent } from '../../src/engine/events';
import { ROOT } from './isolated';
import { tmpDir } from '../helpers/files';

const config = {
  name: 'damaged',
  dataset: { name: 'synthetic', synthetic: { inputSize: 16, classes: 3, trainSize: 600, testSize: 90 } },
  network: { layers: [16, 12, 3] },
  training: { epochs: 3, batchSize: 20 },
  transform: { mode: 'original', crossbar: 16 },
  hardware: { snnImages: 20, timesteps: 8 },
  backend: 'wasm',
};

/** The CLI from source, run in the repository (where tsx resolves); paths given absolute. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.signal, null, `${args.join(' ')}: killed`);
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const noStack = (out: string, what: string) => {
  assert.doesNotMatch(out, /\n\s+at .+:\d+:\d+/, `${what}: a stack trace:\n${out}`);
  assert.doesNotMatch(out, /TypeError|Cannot read properties/, `${what}: a raw TypeError:\n${out}`);
};

/** A run stopped after its first epoch. */
async function stoppedRun(root: string): Promise<string> {
  const controller = new AbortController();
  const emit = (e: EngineEvent) => {
    if (e.type === 'epoch') controller.abort();
  };
  const { dir } = await executeRun({ loaded: loadConfigObject(config, root), outRoot: root, emit, signal: controller.signal });
  return dir;
}

test('evaluate and resume on a result.json whose configFile is not a path: the file named, no stack trace', { timeout: 300_000 }, async () => {
  const root = tmpDir('trn-cli-damaged-');
  try {
    const dir = await stoppedRun(root);
    const file = path.join(dir, 'result.json');
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const bad of [123, { path: 'x' }, ['a']]) {
      fs.writeFileSync(file, JSON.stringify({ ...r, configFile: bad }));
      for (const cmd of ['resume', 'evaluate']) {
        const { code, out } = cli([cmd, dir]);
        assert.notEqual(code, 0, `${cmd} ${JSON.stringify(bad)}: ${out}`);
        assert.match(out, /result\.json is damaged: configFile is not a path/, `${cmd} ${JSON.stringify(bad)}`);
        assert.ok(out.includes(dir), `${cmd}: the folder is not named: ${out}`);
        noStack(out, `${cmd} ${JSON.stringify(bad)}`);
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('resume on a metrics.jsonl holding a null line: skipped like a torn line, the run resumes', { timeout: 300_000 }, async () => {
  const root = tmpDir('trn-cli-null-');
  try {
    const dir = await stoppedRun(root);
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), 'null\n3\n"x"\n{}\n');
    const { code, out } = cli(['resume', dir]);
    noStack(out, 'resume');
    assert.equal(code, 0, out);
    const epochs = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch);
    assert.deepEqual(epochs, [1, 2, 3]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('sweep --resume on a sweep.json whose points or jobs are not records: sweep.json named, no stack trace', { timeout: 300_000 }, async () => {
  const root = tmpDir('trn-cli-sweep-');
  try {
    const cfg = { ...config, sweep: { grid: { crossbar: [16, 32] } } };
    fs.writeFileSync(path.join(root, 'cfg.json'), JSON.stringify(cfg));
    const loaded = loadConfigObject(cfg, root);
    const out = await executeSweep({
      loaded,
      outRoot: root,
      emit: () => {},
      runJobs: async ({ sweepDir, jobs, ended }) => {
        // Nothing trains: one job closed by hand, the rest left for the resume.
        writeJobRecord(sweepDir, { jobId: jobs[0].id, status: 'interrupted', owner: thisProcess(), startedAt: '' });
        ended(jobs[0].id);
      },
    });
    const file = path.join(out.dir, 'sweep.json');
    const rec = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const [name, edit] of [
      ['jobs [null]', (r: Record<string, unknown>) => (r.jobs = [null])],
      ['points [null]', (r: Record<string, unknown>) => (r.points = [null])],
      ['points [1, "x"]', (r: Record<string, unknown>) => (r.points = [1, 'x'])],
      ['jobs with no pointIds', (r: Record<string, unknown>) => (r.jobs = (r.jobs as Record<string, unknown>[]).map((j) => ({ ...j, pointIds: 7 })))],
    ] as const) {
      const damaged = { ...rec };
      edit(damaged);
      fs.writeFileSync(file, JSON.stringify(damaged));
      const { code, out: text } = cli(['sweep', path.join(root, 'cfg.json'), '--resume', out.dir]);
      assert.notEqual(code, 0, `${name}: ${text}`);
      assert.ok(text.includes(file), `${name}: sweep.json is not named: ${text}`);
      noStack(text, name);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
