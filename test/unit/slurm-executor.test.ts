/** The Slurm executor without a cluster: the batch script, submission order, flag checks, Slurm's task ranges, the Runs view's point states. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { batchScript, checkSlurmResources, describeSlurmFailure, expandTaskIds, killedBySlurm, runSlurmArray, shellQuote, slurmJobs, submissionGroups } from '../../src/runner/slurm';
import { main } from '../../src/cli';
import { loadConfigObject } from '../../src/engine/config/resolve';
import { planSweep } from '../../src/engine/experiment/sweepPlan';
import { computeFront } from '../../src/engine/experiment/sweep';
import { createSweepDir, thisProcess, writeFront, writeJobRecord, writeSweep } from '../../src/engine/store/sweepFolder';
import { pointStateSummary, sweepPointRows } from '../../src/extension/runsModel';
import { tmpDir } from '../helpers/files';
import type { SweepJobRecord, SweepRecord } from '../../src/engine/format/sweep';

test('the batch script runs the job at the task index, with the resources asked for, and survives odd paths', () => {
  const dir = tmpDir("trn slurm 'odd' ");
  const script = batchScript({
    dir,
    jobName: 'trannsformer-quick',
    command: '/usr/bin/node',
    argsBefore: ['/opt/my app/cli.js', 'sweep-job', dir],
    argsAfter: ['--json'],
    cwd: dir,
    resources: { cpus: 2, maxConcurrent: 3, partition: 'gpu', time: '1:00:00', mem: '4G' },
  });
  for (const line of ['#SBATCH --cpus-per-task=2', '#SBATCH --partition=gpu', '#SBATCH --time=1:00:00', '#SBATCH --mem=4G', '#SBATCH --ntasks=1']) assert.ok(script.includes(line), line);
  assert.equal(sbatchOptions(script).output, path.join(dir, 'slurm', 'logs', '%A_%a.out'));
  // Run it as Slurm would, with the command replaced by echo: task 1 runs the second argument, quoting intact.
  const file = path.join(dir, 'x.sbatch');
  fs.writeFileSync(file, script.replace('exec /usr/bin/node', 'exec /bin/echo'));
  const r = spawnSync('bash', [file, 'j00', 'j01'], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `/opt/my app/cli.js sweep-job ${dir} j01 --json`);
  const bad = spawnSync('bash', [file, 'j00'], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '5' } });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /array task 5 has no job id/);
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

/**
 * The `#SBATCH` options of a script as sbatch 22.05 reads them
 * (src/sbatch/opt.c, _get_argument): a backslash escapes the next character,
 * quotes group (blanks included), an unquoted `#` ends the line.
 */
function sbatchOptions(script: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of script.split('\n')) {
    if (!line.startsWith('#SBATCH')) continue;
    let arg = '';
    let quote = '';
    let escaped = false;
    for (const c of line.slice('#SBATCH'.length).trimStart()) {
      if (!quote && /\s/.test(c)) break;
      if (escaped) escaped = false;
      else if (c === '\\') {
        escaped = true;
        continue;
      } else if (quote) {
        if (c === quote) {
          quote = '';
          continue;
        }
      } else if (c === '"' || c === "'") {
        quote = c;
        continue;
      } else if (c === '#') break;
      arg += c;
    }
    const m = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/**
 * The file a batch task's output goes to, as slurmstepd 22.05 names it
 * (src/slurmd/common/fname.c; checked on the loopback cluster): with any
 * backslash in the name, backslashes are removed (`\\\\` keeps one) and
 * nothing is replaced; otherwise `%%` is `%` and `%A`, `%a`, `%j`, … are replaced.
 */
function slurmOutputFile(pattern: string, task: { array: number; index: number }): string {
  if (pattern.includes('\\')) return pattern.replace(/\\(.?)/g, '$1');
  return pattern.replace(/%(\d*)([%AajJNnstux])/g, (_all: string, _w: string, c: string) =>
    c === '%' ? '%' : c === 'A' ? String(task.array) : c === 'a' ? String(task.index) : c === 'j' || c === 'J' ? String(task.array + task.index + 1) : `<${c}>`,
  );
}

test('odd sweep folders (%, backslash, #, quotes, blanks): every task logs to its own file where the executor reads it, and runs in the working folder', () => {
  for (const odd of ['trn 100%a done ', 'trn back\\slash %j #1 "q" ', "trn it's"]) {
    const dir = tmpDir(odd);
    const cwd = tmpDir(`${odd}cwd `);
    const logs = path.join(dir, 'slurm', 'logs');
    fs.mkdirSync(logs, { recursive: true });
    const script = batchScript({ dir, jobName: 'trannsformer-a#b "c"\\d', command: '/usr/bin/node', argsBefore: ['cli.js', 'sweep-job', dir], argsAfter: ['--json'], cwd, resources: { cpus: 1, maxConcurrent: 2 } });
    const o = sbatchOptions(script);
    assert.equal(o['job-name'], 'trannsformer-a#b "c"\\d');
    // Run task 101_1 as slurmstepd would: its output appended to the file Slurm names, in some other folder.
    const file = path.join(dir, 'x.sbatch');
    fs.writeFileSync(file, script.replace('exec /usr/bin/node', 'pwd; exec /bin/echo'));
    const slurmFile = slurmOutputFile(o.output, { array: 101, index: 1 });
    assert.equal(path.dirname(slurmFile), logs, odd);
    const fd = fs.openSync(slurmFile, 'a');
    const r = spawnSync('bash', [file, 'j00', 'j01'], { stdio: ['ignore', fd, fd], cwd: os.tmpdir(), env: { ...process.env, SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_JOB_ID: '101' } });
    fs.closeSync(fd);
    assert.equal(r.status, 0, fs.readFileSync(slurmFile, 'utf8'));
    // Where the executor reads task 101_1's output: the task's lines, run in the working folder.
    const lines = fs.readFileSync(path.join(logs, '101_1.out'), 'utf8').split('\n');
    assert.match(lines[0], /^sweep job j01 on .* as Slurm task 101_1$/);
    assert.deepEqual(lines.slice(1, 3), [cwd, `cli.js sweep-job ${dir} j01 --json`]);
  }
  // A line break cannot be carried by a batch script: refused, naming what holds it.
  assert.throws(
    () => batchScript({ dir: '/tmp/a\nb', jobName: 't', command: 'node', argsBefore: [], argsAfter: [], cwd: '/tmp', resources: { cpus: 1, maxConcurrent: 1 } }),
    (e: Error & { where?: string }) => e.where === 'the sweep folder' && /line break/.test(e.message),
  );
});

test("the executor's own files are written whole: a failed write leaves no temporary file and names the file", async () => {
  const f = fakeSlurm({ sbatch: 'echo "101;cluster"', squeue: 'exit 0', sacct: `echo "101_0|COMPLETED|0:0|None"` });
  try {
    const dir = tmpDir();
    await runSlurmArray([{ id: 'a' }], fakeOpts(dir));
    const sdir = path.join(dir, 'slurm');
    assert.deepEqual(fs.readdirSync(sdir).sort(), ['logs', 'submissions.json', 'sweep.sbatch']);
    // submissions.json cannot be replaced (a folder in its place): the error names it and nothing is left behind.
    fs.rmSync(path.join(sdir, 'submissions.json'));
    fs.mkdirSync(path.join(sdir, 'submissions.json', 'x'), { recursive: true });
    const cancelled = path.join(dir, 'scancel.args');
    const g = fakeSlurm({ scancel: `echo "$@" > '${cancelled}'` });
    try {
      await assert.rejects(runSlurmArray([{ id: 'a' }], fakeOpts(dir)), (e: Error & { where?: string }) => e.where === 'slurm' && /submissions\.json: could not be written.*cancelled/.test(e.message));
    } finally {
      g.restore();
    }
    // What was submitted but could not be recorded is cancelled: a resume would not know of it.
    assert.equal(fs.readFileSync(cancelled, 'utf8').trim(), '101');
    assert.deepEqual(fs.readdirSync(sdir).sort(), ['logs', 'submissions.json', 'sweep.sbatch']);
  } finally {
    f.restore();
  }
});

test('submission groups: independent jobs in one array, dependents after what they need; cycles refused', () => {
  assert.deepEqual(submissionGroups([{ id: 'a' }, { id: 'b' }]).map((g) => [g.tasks.map((t) => t.id), g.after]), [[['a', 'b'], []]]);
  const g = submissionGroups([{ id: 'c', after: ['a'] }, { id: 'a' }, { id: 'd', after: ['a'] }, { id: 'e', after: ['c'] }, { id: 'f', after: ['done-before'] }]);
  assert.deepEqual(
    g.map((x) => [x.tasks.map((t) => t.id), x.after]),
    [
      [['a', 'f'], []],
      [['c', 'd'], ['a']],
      [['e'], ['c']],
    ],
  );
  assert.throws(() => submissionGroups([{ id: 'a', after: ['b'] }, { id: 'b', after: ['a'] }]), /cycle/);
  assert.throws(() => submissionGroups([{ id: 'a', after: ['a'] }]), /depends on itself/);
});

test('resource flags: bad values are refused with the flag named', () => {
  const d = { cpus: 1, maxConcurrent: 16 };
  assert.deepEqual(checkSlurmResources({ time: '2-12:00:00', mem: '1500M', partition: 'short,long' }, d), { partition: 'short,long', time: '2-12:00:00', mem: '1500M', cpus: 1, maxConcurrent: 16 });
  assert.throws(() => checkSlurmResources({ time: '2 hours' }, d), (e: Error & { where?: string }) => e.where === '--time' && /not a Slurm time limit/.test(e.message));
  assert.throws(() => checkSlurmResources({ mem: '4GB' }, d), (e: Error & { where?: string }) => e.where === '--mem');
  assert.throws(() => checkSlurmResources({ partition: 'a b' }, d), (e: Error & { where?: string }) => e.where === '--partition');
  assert.throws(() => checkSlurmResources({ cpus: 0 }, d), (e: Error & { where?: string }) => e.where === '--cpus');
});

test('the CLI: --executor must be local or slurm; Slurm flags need --executor slurm', async () => {
  await assert.rejects(main(['sweep', 'x.trannsformer.json', '--executor', 'pbs']), /must be local or slurm/);
  await assert.rejects(main(['sweep', 'x.trannsformer.json', '--partition', 'gpu']), (e: Error & { where?: string }) => e.where === '--partition' && /add --executor slurm/.test(e.message));
  await assert.rejects(main(['sweep', 'x.trannsformer.json', '--executor', 'slurm', '--cpus', '0']), (e: Error & { where?: string }) => e.where === '--cpus');
});

test("Slurm's task ranges and a failure in words", () => {
  assert.deepEqual(expandTaskIds('3'), [3]);
  assert.deepEqual(expandTaskIds('0%1'), [0]);
  assert.deepEqual(expandTaskIds('[2-4%2]'), [2, 3, 4]);
  assert.deepEqual(expandTaskIds('1,3-5'), [1, 3, 4, 5]);
  assert.deepEqual(expandTaskIds('N/A'), []);
  const m = describeSlurmFailure('j03', { slurmId: '12_3', state: 'TIMEOUT', exitCode: '0:15', log: '/s/slurm/logs/12_3.out', started: true, tail: 'x\nslurmstepd: error: *** JOB 15 CANCELLED DUE TO TIME LIMIT ***' });
  assert.equal(m, 'Slurm task 12_3 (job j03) ended TIMEOUT (exit 0:15); log: /s/slurm/logs/12_3.out — slurmstepd: error: *** JOB 15 CANCELLED DUE TO TIME LIMIT ***');
});

test("the Runs view's point states come from the job records: pending, running, done, failed, interrupted", () => {
  const root = tmpDir();
  const loaded = loadConfigObject({
    name: 'synth',
    dataset: { name: 'synthetic' },
    network: { layers: [64, 20, 4] },
    training: { epochs: 2 },
    sweep: { grid: { crossbar: [16, 32, 64], mode: ['original', 'pruning', 'trannsformer'] } },
  });
  const plan = planSweep(loaded);
  const dir = createSweepDir(root, 'synth', 'sweep');
  const rec = { format: 'trannsformer-sweep', formatVersion: 1, name: 'synth', kind: 'sweep', points: plan.points, jobs: plan.jobs, objectives: plan.objectives, accuracyLossLimit: 0.01, sharing: plan.sharing, status: 'running' } as unknown as SweepRecord;
  writeSweep(dir, rec);
  // j00 original (p00, p03 … shares sizes), done; j01 pruning failed; j02 running here; j03 a dead process's; the rest pending.
  const fig = { testAccuracy: 0.9, mpes: 3, utilisation: 0.5, area_mm2: 0.12, energy_uJ: 0.3 };
  const base = { owner: thisProcess(), startedAt: new Date().toISOString() };
  const jobs = plan.jobs;
  const records: SweepJobRecord[] = [
    { ...base, jobId: jobs[0].id, status: 'completed', priced: Object.fromEntries(jobs[0].pointIds.map((p) => [p, fig])) },
    { ...base, jobId: jobs[1].id, status: 'failed', error: { message: 'Slurm task 7_1 (job j01) ended OUT_OF_MEMORY; log: /x.out' } },
    { ...base, jobId: jobs[2].id, status: 'running' },
    { jobId: jobs[3].id, status: 'running', owner: { pid: 2 ** 22 + 17, hostname: thisProcess().hostname }, startedAt: base.startedAt },
  ];
  for (const r of records) writeJobRecord(dir, r);
  writeFront(dir, computeFront(rec, new Map(records.map((r) => [r.jobId, r]))));
  const rows = sweepPointRows(dir);
  const stateOf = (jobIndex: number) => [...new Set(rows.filter((r) => jobs[jobIndex].pointIds.includes(r.id)).map((r) => r.state))];
  assert.deepEqual(stateOf(0), ['done']);
  assert.deepEqual(stateOf(1), ['failed']);
  assert.deepEqual(stateOf(2), ['running']);
  assert.deepEqual(stateOf(3), ['interrupted']);
  assert.ok(jobs.length > 4);
  for (let i = 4; i < jobs.length; i++) assert.deepEqual(stateOf(i), ['pending']);
  assert.match(rows.find((r) => r.state === 'failed')!.description, /OUT_OF_MEMORY/);
  assert.match(rows.find((r) => r.state === 'done')!.description, /^done · 90\.00% · 0\.120 mm²/);
  assert.match(pointStateSummary(rows), /^\d+ done · \d+ running · \d+ pending · \d+ interrupted · \d+ failed$/);
});

/** Fake Slurm client commands on PATH (shell scripts), for the paths a small cluster without accounting does not take. */
function fakeSlurm(scripts: Record<string, string>): { dir: string; restore: () => void } {
  const bin = tmpDir('trn-fake-slurm-');
  for (const [name, body] of Object.entries(scripts)) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
    fs.chmodSync(path.join(bin, name), 0o755);
  }
  const old = process.env.PATH;
  process.env.PATH = `${bin}:${old}`;
  return { dir: bin, restore: () => (process.env.PATH = old) };
}

const fakeOpts = (dir: string) => ({ dir, jobName: 't', command: '/bin/true', argsBefore: [], argsAfter: [], cwd: dir, resources: { cpus: 1, maxConcurrent: 2 }, poll: { firstMs: 20, factor: 1, maxMs: 20 } });

test('final states from sacct, including tasks cancelled before they were split off the array', async () => {
  const f = fakeSlurm({
    sbatch: 'echo "101;cluster"',
    squeue: 'exit 0',
    sacct: `printf '101_0|COMPLETED|0:0|None\\n101_[1-2%%2]|CANCELLED by 0|0:0|None\\n101_3|OUT_OF_MEMORY|0:125|None\\n'`,
    scontrol: 'echo "scontrol must not be asked when sacct answers" >&2; exit 1',
  });
  try {
    const dir = tmpDir();
    const exits = new Map<string, string>();
    await runSlurmArray([{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }], { ...fakeOpts(dir), onExit: (id, x) => exits.set(id, `${x.slurmId} ${x.state} ${x.exitCode}`) });
    assert.deepEqual(Object.fromEntries(exits), { a: '101_0 COMPLETED 0:0', b: '101_1 CANCELLED 0:0', c: '101_2 CANCELLED 0:0', d: '101_3 OUT_OF_MEMORY 0:125' });
  } finally {
    f.restore();
  }
});

test('Slurm refusing or unreachable: clear errors, never a hang', async () => {
  let f = fakeSlurm({ sbatch: 'echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2; exit 1', squeue: 'exit 0', scancel: 'exit 0' });
  try {
    await assert.rejects(runSlurmArray([{ id: 'a' }], fakeOpts(tmpDir())), (e: Error & { where?: string }) => e.where === 'sbatch' && /Invalid partition name/.test(e.message));
  } finally {
    f.restore();
  }
  f = fakeSlurm({ sbatch: 'echo 7', squeue: 'echo "squeue: error: slurm_load_jobs error: Unable to contact slurm controller" >&2; exit 1' });
  try {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'slurm'));
    await assert.rejects(runSlurmArray([{ id: 'a' }], { ...fakeOpts(dir), maxQueryFailures: 3 }), (e: Error & { where?: string }) => e.where === 'squeue' && /failed 3 times in a row .*Unable to contact slurm controller.* may still run/.test(e.message));
  } finally {
    f.restore();
  }
});

test('checkpoint forking on Slurm: forked trainings go into an array that waits (afterok) for their parent; a parent already done is no dependency', async () => {
  const log = path.join(tmpDir(), 'sbatch.log');
  // Each sbatch call is logged and answered with the next array id (101, 102, …); everything then reads as completed.
  const f = fakeSlurm({
    sbatch: `n=$(($(wc -l < "${log}" 2>/dev/null || echo 0) + 101)); echo "$@" >> "${log}"; echo "$n;cluster"`,
    squeue: 'exit 0',
    sacct: `for a in 101 102; do for t in 0 1 2; do echo "\${a}_\${t}|COMPLETED|0:0|None"; done; done`,
    scancel: 'exit 0',
  });
  try {
    const raw = {
      name: 'fk',
      dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 200, testSize: 100 } },
      network: { layers: [48, 40, 5] },
      training: { epochs: 10 },
      transform: { mode: 'trannsformer', clusterStart: 4 },
      backend: 'wasm',
      sweep: { grid: { crossbar: [16, 24, 32] } },
    };
    const plan = planSweep(loadConfigObject(raw), { threads: 1 });
    const parent = plan.jobs.find((j) => j.fork?.role === 'parent')!;
    const children = plan.jobs.filter((j) => j.fork?.role === 'child').map((j) => j.id);
    assert.equal(children.length, 2);
    const run = (jobs: typeof plan.jobs) => {
      fs.rmSync(log, { force: true });
      const dir = tmpDir();
      const runner = slurmJobs({ resources: { cpus: 1, maxConcurrent: 2 }, jobName: 't', command: '/bin/true', baseArgs: [], cwd: dir, log: () => undefined, stopSweep: () => undefined, poll: { firstMs: 20, factor: 1, maxMs: 20 } });
      return runner({ sweepDir: dir, jobs, progress: () => undefined, ended: () => undefined }).then(() => fs.readFileSync(log, 'utf8').trim().split('\n'));
    };
    const both = await run(plan.jobs);
    assert.equal(both.length, 2, both.join('\n'));
    assert.match(both[0], new RegExp(`--array=0-0%\\d+ .* ${parent.id}$`));
    assert.doesNotMatch(both[0], /--dependency/);
    assert.match(both[1], new RegExp(`--array=0-1%2 --dependency=afterok:101_0 .* ${children.join(' ')}$`));
    // Resubmitted after the parent completed: the children alone, in one array without a dependency.
    const rest = await run(plan.jobs.filter((j) => j.fork?.role === 'child'));
    assert.equal(rest.length, 1);
    assert.doesNotMatch(rest[0], /--dependency/);
  } finally {
    f.restore();
  }
});

test('a task Slurm ended (out of memory, time limit, dead node) ends its job as killed, to resume from its checkpoint; a failed one as failed', async () => {
  const f = fakeSlurm({
    sbatch: 'echo "101;cluster"',
    squeue: 'exit 0',
    sacct: `printf '101_0|OUT_OF_MEMORY|0:125|None\\n101_1|FAILED|1:0|None\\n101_2|TIMEOUT|0:15|None\\n'`,
  });
  try {
    const raw = {
      name: 'oom',
      dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize: 200, testSize: 100 } },
      network: { layers: [48, 40, 5] },
      training: { epochs: 2 },
      transform: { mode: 'trannsformer' },
      backend: 'wasm',
      sweep: { grid: { mode: ['original', 'pruning'], 'training.learningRate': [0.1, 0.2] } },
    };
    const plan = planSweep(loadConfigObject(raw), { threads: 1 });
    const jobs = plan.jobs.slice(0, 3);
    assert.equal(jobs.length, 3);
    const dir = tmpDir();
    const ends = new Map<string, [string | undefined, string | undefined]>();
    const runner = slurmJobs({ resources: { cpus: 1, maxConcurrent: 3 }, jobName: 't', command: '/bin/true', baseArgs: [], cwd: dir, log: () => undefined, stopSweep: () => undefined, poll: { firstMs: 20, factor: 1, maxMs: 20 } });
    await runner({ sweepDir: dir, jobs, progress: () => undefined, ended: (id, failure, signal) => ends.set(id, [failure, signal]) });
    const [oom, failed, timeout] = jobs.map((j) => ends.get(j.id)!);
    assert.equal(oom[1], 'Slurm (OUT_OF_MEMORY)');
    assert.match(oom[0] ?? '', /OUT_OF_MEMORY/);
    assert.equal(failed[1], undefined, 'a task that failed is not a kill');
    assert.equal(timeout[1], 'Slurm (TIMEOUT)');
    assert.equal(killedBySlurm('COMPLETED'), undefined);
    assert.equal(killedBySlurm('NODE_FAIL'), 'Slurm (NODE_FAIL)');
  } finally {
    f.restore();
  }
});
