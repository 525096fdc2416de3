/**
 * Sweeps on a Slurm cluster, through Slurm itself: the jobs of a sweep go in
 * as job arrays (`sbatch --array=0-(n-1)%N --parsable`), each array task
 * running this same CLI on one job (`trannsformer sweep-job <dir> <id>
 * --json`) into the shared sweep folder. A job that needs another's results
 * (a forked TraNNsformer training needs its parent's checkpoint) goes into an
 * array submitted with `--dependency=afterok:<array>_<task>`.
 *
 * Everything the executor writes is under `<sweep folder>/slurm/`:
 *
 *   sweep.sbatch        the batch script (readable, reusable by hand: its
 *                       arguments are the job ids, task i runs argument i)
 *   logs/<A>_<a>.out    each task's output: its JSON events and stderr
 *   logs/slurm.out      Slurm's own messages, only when the folder's path holds
 *                       a backslash (see outputOption)
 *   submissions.json    every array submitted for this sweep (ids, jobs,
 *                       dependency), so a resubmission can refuse while an
 *                       earlier one is still queued
 *
 * Status comes from `squeue` while a task is queued or running (polled with
 * backoff: 1 s, growing to 15 s while nothing changes) and from `sacct` once
 * it has left the queue — or `scontrol show job` where the cluster keeps no
 * accounting. Progress is read from the tasks' logs (the same events the
 * local pool reads from its children's stdout). A stop (the signal) becomes
 * `scancel` of every array; each started task gets SIGTERM from Slurm and
 * closes its run folder as interrupted. The job records in the sweep folder
 * stay the truth about what finished: a resubmission submits only the
 * jobs not completed.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage, UserError } from '../engine/core/errors';
import { parseEventLine, type EngineEvent } from '../engine/events';
import type { JobRunner } from '../engine/experiment/sweep';
import { writeFileAtomic } from '../engine/store/runFolder';

/** What every array task asks Slurm for. */
export interface SlurmResources {
  partition?: string;
  /** Time limit in a Slurm format: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
  time?: string;
  /** CPUs per task (`--cpus-per-task`); the task trains with this many threads. */
  cpus: number;
  /** Memory per node (`--mem`), e.g. 2G or 1500M. */
  mem?: string;
  /** Tasks of one array running at once (the `%N` of `--array`). */
  maxConcurrent: number;
}

/** One task: a sweep job id, and the ids of tasks of the same submission whose success it needs first. */
export interface SlurmTask {
  id: string;
  after?: string[];
}

/** How a task left the queue. */
export interface SlurmExit {
  /** `<array id>_<index>`. */
  slurmId: string;
  /** Slurm's job state: COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, … (UNKNOWN when Slurm no longer knows the task). */
  state: string;
  /** Slurm's `exit:signal`, when known. */
  exitCode?: string;
  /** Slurm's reason (for a task that never ran: DependencyNeverSatisfied, …). */
  reason?: string;
  /** The task's output file. */
  log: string;
  /** Whether the task was seen running (or wrote output). */
  started: boolean;
  /** The last lines of its output that were not events (stderr). */
  tail: string;
}

export interface SlurmRunOptions {
  /** The sweep folder: the script, logs and submission record go into `<dir>/slurm/`. */
  dir: string;
  /** Slurm job name. */
  jobName: string;
  /** The program each task runs and its arguments before and after the job id. */
  command: string;
  argsBefore: string[];
  argsAfter: string[];
  /** Working folder of the tasks. */
  cwd: string;
  resources: SlurmResources;
  signal?: AbortSignal;
  /** Poll interval: first, growth factor while nothing changes, cap (ms). */
  poll?: { firstMs: number; factor: number; maxMs: number };
  /** After scancel, how long to wait for the tasks to leave the queue (ms). */
  cancelWaitMs?: number;
  /** Consecutive failed `squeue` calls before giving up. */
  maxQueryFailures?: number;
  /** Each Slurm command's time limit (ms). */
  commandTimeoutMs?: number;
  onSubmit?: (arrayId: string, taskIds: string[], command: string[]) => void;
  onStart?: (taskId: string, slurmId: string) => void;
  onEvent?: (taskId: string, e: EngineEvent) => void;
  onExit?: (taskId: string, exit: SlurmExit) => void;
}

export const SLURM_FOLDER = 'slurm';
export const SLURM_SCRIPT = 'sweep.sbatch';
const SUBMISSIONS = 'submissions.json';
const TAIL = 4000;
/** Each task's output in the logs folder, a Slurm filename pattern: `<array>_<task>.out`. */
const LOG_PATTERN = '%A_%a.out';

/** The executor's folder inside a sweep folder. */
export const slurmDir = (sweepDir: string) => path.join(sweepDir, SLURM_FOLDER);

// ---- flags ------------------------------------------------------------------

const TIME_RE = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|infinite|unlimited)$/i;
const MEM_RE = /^\d+[KMGT]?$/i;
const PARTITION_RE = /^[A-Za-z0-9_.+-]+(,[A-Za-z0-9_.+-]+)*$/;

/** Check the resource flags as the CLI and the extension get them; a bad one is a UserError naming the flag. */
export function checkSlurmResources(r: { partition?: string; time?: string; cpus?: number; mem?: string; maxConcurrent?: number }, defaults: { cpus: number; maxConcurrent: number }): SlurmResources {
  const partition = r.partition?.trim() || undefined;
  const time = r.time?.trim() || undefined;
  const mem = r.mem?.trim() || undefined;
  if (partition !== undefined && !PARTITION_RE.test(partition)) throw new UserError('--partition', `"${partition}" is not a Slurm partition name (letters, digits, . _ - +; several joined by commas)`);
  if (time !== undefined && !TIME_RE.test(time)) throw new UserError('--time', `"${time}" is not a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS`);
  if (mem !== undefined && !MEM_RE.test(mem)) throw new UserError('--mem', `"${mem}" is not a Slurm memory size: a whole number with an optional unit K, M, G or T (e.g. 2G)`);
  const cpus = r.cpus ?? defaults.cpus;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 1024) throw new UserError('--cpus', `must be a whole number from 1 to 1024 (got ${cpus})`);
  const maxConcurrent = r.maxConcurrent ?? defaults.maxConcurrent;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new UserError('--parallel', `must be a whole number of at least 1 (got ${maxConcurrent})`);
  return { partition, time, cpus, mem, maxConcurrent };
}

// ---- the batch script ---------------------------------------------------------

/** A word for bash, single-quoted when it needs to be. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * An `#SBATCH` option value as sbatch reads it back: it splits these lines at
 * blanks and cuts them at `#`, a backslash escapes the next character, and
 * quotes group. Any value other than letters, digits and `_./:=@%+,-` is
 * double-quoted with `\` and `"` escaped.
 */
export const sbatchValue = (s: string) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`);

/**
 * Where Slurm writes each task's output (`--output`, a filename pattern):
 * the logs folder with every `%` doubled (a `%` starts a replacement
 * symbol), then `<array>_<task>.out`. A backslash anywhere in a pattern turns
 * every replacement off and Slurm takes the name literally (backslashes
 * removed, `\\` for one): a logs folder with one gets a single file for all
 * tasks (appended to, for Slurm's own messages) and each task's script sends
 * its output to its own file.
 */
export function outputOption(logs: string): { pattern: string; selfLogged: boolean } {
  if (!logs.includes('\\')) return { pattern: path.join(logs.replace(/%/g, '%%'), LOG_PATTERN), selfLogged: false };
  return { pattern: path.join(logs, 'slurm.out').replace(/\\/g, '\\\\'), selfLogged: true };
}

/** Paths and words the script holds must be on one line: Slurm reads `#SBATCH` values up to the line's end and the comments would end early. */
function checkOneLine(what: string, s: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(s)) throw new UserError(what, `${JSON.stringify(s)} holds a line break or control character, which a Slurm batch script cannot carry: use a folder without one`);
}

/** The batch script: one array task runs the job named by its argument at the task's index. */
export function batchScript(o: Pick<SlurmRunOptions, 'dir' | 'jobName' | 'command' | 'argsBefore' | 'argsAfter' | 'cwd' | 'resources'>): string {
  const r = o.resources;
  checkOneLine('the sweep folder', o.dir);
  checkOneLine('the working folder', o.cwd);
  checkOneLine('the job name', o.jobName);
  for (const a of [o.command, ...o.argsBefore, ...o.argsAfter]) checkOneLine('the command', a);
  const logs = path.join(slurmDir(o.dir), 'logs');
  const out = outputOption(logs);
  const run = [o.command, ...o.argsBefore].map(shellQuote).join(' ') + ' "$job"' + o.argsAfter.map((a) => ` ${shellQuote(a)}`).join('');
  return [
    '#!/bin/bash',
    `# Written by \`trannsformer sweep --executor slurm\` for the sweep folder`,
    `#   ${o.dir}`,
    '# Each task of the job array trains one job of the sweep (a run folder in the',
    '# sweep folder) and prices its points; job-<id>.json in the sweep folder says',
    '# how it went, slurm/logs/<array>_<task>.out holds its output.',
    '# The job ids are the arguments: task i runs argument i. By hand, e.g.',
    `#   sbatch --array=0-1%${r.maxConcurrent} ${shellQuote(path.join(slurmDir(o.dir), SLURM_SCRIPT))} j00 j01`,
    '# `trannsformer sweep <config> --resume <sweep folder> --executor slurm`',
    '# submits exactly the jobs not finished yet.',
    `#SBATCH --job-name=${sbatchValue(o.jobName)}`,
    `#SBATCH --output=${sbatchValue(out.pattern)}`,
    ...(out.selfLogged ? ['#SBATCH --open-mode=append'] : []),
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${r.cpus}`,
    ...(r.partition ? [`#SBATCH --partition=${r.partition}`] : []),
    ...(r.time ? [`#SBATCH --time=${r.time}`] : []),
    ...(r.mem ? [`#SBATCH --mem=${r.mem}`] : []),
    'set -u',
    'jobs=("$@")',
    'task="${SLURM_ARRAY_TASK_ID:-}"',
    'if [ -z "$task" ] || [ "$task" -ge "${#jobs[@]}" ]; then',
    '  echo "array task ${task:-(none)} has no job id: submit with --array and one job id per task as arguments" >&2',
    '  exit 2',
    'fi',
    ...(out.selfLogged ? [`exec >>${shellQuote(logs)}/"\${SLURM_ARRAY_JOB_ID}_$task.out" 2>&1`] : []),
    'job="${jobs[$task]}"',
    // Not --chdir: its value is one more name Slurm might expand.
    `cd -- ${shellQuote(o.cwd)} || exit 2`,
    'echo "sweep job $job on $(hostname) as Slurm task ${SLURM_ARRAY_JOB_ID:-?}_$task" >&2',
    `exec ${run}`,
    '',
  ].join('\n');
}

// ---- Slurm commands -----------------------------------------------------------

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: string;
}

function runCommand(cmd: string, args: string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
      if (e.code === 'ENOENT') return resolve({ code: null, stdout, stderr, error: `${cmd} not found: is Slurm installed and on PATH?` });
      if (e.killed) return resolve({ code: null, stdout, stderr, error: `${cmd} did not answer within ${Math.round(timeoutMs / 1000)} s` });
      resolve({ code: typeof e.code === 'number' ? e.code : null, stdout, stderr, error: (stderr.trim() || e.message).split('\n').slice(-2).join(' | ') });
    });
  });
}

interface QueueEntry {
  state: string;
  reason?: string;
}

/** Tasks of these arrays still in the queue: `<array>_<index>` → state. Undefined when squeue failed. */
async function squeue(arrays: string[], timeoutMs: number): Promise<{ tasks: Map<string, QueueEntry> } | { error: string }> {
  const r = await runCommand('squeue', ['-h', '-r', '-j', arrays.join(','), '-o', '%i|%T|%r'], timeoutMs);
  const tasks = new Map<string, QueueEntry>();
  // An array Slurm has forgotten entirely: nothing of it is queued.
  if (r.code !== 0 && /invalid job id/i.test(r.stderr)) return { tasks };
  if (r.code !== 0) return { error: r.error ?? `squeue exited with ${r.code}` };
  for (const line of r.stdout.split('\n')) {
    const [id, state, reason] = line.trim().split('|');
    if (id && state) tasks.set(id, { state, reason: reason && reason !== 'None' ? reason : undefined });
  }
  return { tasks };
}

interface FinalState {
  state: string;
  exitCode?: string;
  reason?: string;
}

/** Final states of tasks that left the queue: from sacct, or from scontrol where accounting is off. */
async function finalStates(arrays: string[], timeoutMs: number, sacctOk: { value: boolean }): Promise<Map<string, FinalState>> {
  const out = new Map<string, FinalState>();
  if (sacctOk.value) {
    const r = await runCommand('sacct', ['-n', '-P', '-X', '-j', arrays.join(','), '-o', 'JobID,State,ExitCode,Reason'], timeoutMs);
    if (r.code === 0) {
      for (const line of r.stdout.split('\n')) {
        const [id, state, exitCode, reason] = line.trim().split('|');
        const m = /^(\d+)_(.+)$/.exec(id ?? '');
        // "12_3", or "12_[4-6%2]" for tasks cancelled before they were split off the array.
        if (m && state) for (const task of expandTaskIds(m[2])) out.set(`${m[1]}_${task}`, { state: state.split(' ')[0], exitCode, reason: reason && reason !== 'None' ? reason : undefined });
      }
      return out;
    }
    // "Slurm accounting storage is disabled" (no slurmdbd): ask the controller, which keeps finished jobs for MinJobAge.
    sacctOk.value = false;
  }
  for (const a of arrays) {
    const r = await runCommand('scontrol', ['-o', 'show', 'job', a], timeoutMs);
    if (r.code !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const field = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S+)`).exec(line)?.[1];
      const spec = field('ArrayTaskId');
      const state = field('JobState');
      if (!spec || !state) continue;
      const reason = field('Reason');
      // A record of tasks not split off yet (pending when cancelled) covers a range: "0%1", "2-4%2", "1,3-5".
      for (const task of expandTaskIds(spec)) out.set(`${field('ArrayJobId') ?? a}_${task}`, { state, exitCode: field('ExitCode'), reason: reason && reason !== 'None' ? reason : undefined });
    }
  }
  return out;
}

/** The task indices of an ArrayTaskId field ("3", "0%1", "2-4%2", "[1,3-5]"); empty when it is not one. */
export function expandTaskIds(spec: string): number[] {
  const body = spec.replace(/^\[|\]$/g, '').replace(/%\d+$/, '');
  const out: number[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (!m) return [];
    const [lo, hi, step] = [Number(m[1]), Number(m[2] ?? m[1]), Number(m[3] ?? 1)];
    if (hi - lo > 100_000 || step < 1) return [];
    for (let i = lo; i <= hi; i += step) out.push(i);
  }
  return out;
}

// ---- submission record ------------------------------------------------------------

interface Submission {
  arrayId: string;
  jobIds: string[];
  dependency?: string;
  submittedAt: string;
  command: string[];
}

function readSubmissions(dir: string): Submission[] {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(slurmDir(dir), SUBMISSIONS), 'utf8')) as { submissions?: Submission[] };
    return Array.isArray(v.submissions) ? v.submissions.filter((s) => typeof s?.arrayId === 'string' && Array.isArray(s.jobIds)) : [];
  } catch {
    return [];
  }
}

function recordSubmission(dir: string, s: Submission): void {
  const all = [...readSubmissions(dir), s];
  writeFileAtomic(path.join(slurmDir(dir), SUBMISSIONS), JSON.stringify({ format: 'trannsformer-slurm-submissions', formatVersion: 1, submissions: all }, null, 2) + '\n');
}

/** Arrays of an earlier submission for this sweep folder that still have tasks queued or running. */
export async function liveSubmissions(dir: string, timeoutMs = 30_000): Promise<{ arrayId: string; tasks: string[] }[]> {
  const subs = readSubmissions(dir);
  if (subs.length === 0) return [];
  const q = await squeue(subs.map((s) => s.arrayId), timeoutMs);
  if ('error' in q) throw new UserError(dir, `cannot check whether earlier Slurm submissions of this sweep (${subs.map((s) => s.arrayId).join(', ')}) still run: ${q.error}`);
  return subs
    .map((s) => ({ arrayId: s.arrayId, tasks: [...q.tasks.keys()].filter((id) => id.startsWith(`${s.arrayId}_`)).map((id) => `${id} ${q.tasks.get(id)!.state}`) }))
    .filter((s) => s.tasks.length > 0);
}

// ---- the executor --------------------------------------------------------------------

interface TaskState {
  id: string;
  arrayId: string;
  index: number;
  slurmId: string;
  log: string;
  started: boolean;
  ended: boolean;
  offset: number;
  partial: string;
  tail: string;
  /** Polls since the task left the queue without a final state. */
  missing: number;
  /** The start of its last output line. */
  recent: string;
}

/** Tasks in submission order: groups of equal dependencies, each after the groups it depends on. Throws on a cycle or an unknown id. */
export function submissionGroups(tasks: readonly SlurmTask[]): { tasks: SlurmTask[]; after: string[] }[] {
  const ids = new Set(tasks.map((t) => t.id));
  const groups = new Map<string, { tasks: SlurmTask[]; after: string[] }>();
  for (const t of tasks) {
    const after = [...new Set((t.after ?? []).filter((d) => ids.has(d)))].sort();
    if (after.includes(t.id)) throw new UserError(t.id, 'depends on itself');
    const key = after.join(',');
    if (!groups.has(key)) groups.set(key, { tasks: [], after });
    groups.get(key)!.tasks.push(t);
  }
  const placed = new Set<string>();
  const order: { tasks: SlurmTask[]; after: string[] }[] = [];
  const pending = [...groups.values()];
  while (pending.length) {
    const i = pending.findIndex((g) => g.after.every((d) => placed.has(d)));
    if (i < 0) throw new UserError(pending[0].tasks[0].id, `the dependencies form a cycle (${pending.map((g) => g.tasks.map((t) => t.id).join('+')).join(', ')})`);
    const [g] = pending.splice(i, 1);
    order.push(g);
    for (const t of g.tasks) placed.add(t.id);
  }
  return order;
}

/** States of a task that has not ended. */
const LIVE_STATES = /^(PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED|REQUEUE_HOLD|REQUEUE_FED|RESIZING|SIGNALING|STAGE_OUT|STOPPED)$/;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Submit the tasks as job arrays and watch them until every one has left the
 * queue (or, after a stop, until they are cancelled). Resolves when all have
 * ended; throws a UserError when Slurm cannot be reached or refuses a
 * submission (after cancelling what it did submit).
 */
export async function runSlurmArray(tasks: readonly SlurmTask[], o: SlurmRunOptions): Promise<void> {
  if (tasks.length === 0) return;
  const timeoutMs = o.commandTimeoutMs ?? 30_000;
  const poll = o.poll ?? { firstMs: 1000, factor: 1.5, maxMs: 15_000 };
  const groups = submissionGroups(tasks);
  const live = await liveSubmissions(o.dir, timeoutMs);
  if (live.length)
    throw new UserError(o.dir, `an earlier Slurm submission of this sweep is still queued or running (${live.map((l) => l.tasks.join(', ')).join('; ')}): wait for it, or scancel ${live.map((l) => l.arrayId).join(' ')}, then resume`);
  const sdir = slurmDir(o.dir);
  fs.mkdirSync(path.join(sdir, 'logs'), { recursive: true });
  const script = path.join(sdir, SLURM_SCRIPT);
  writeFileAtomic(script, batchScript(o));
  fs.chmodSync(script, 0o755);

  const byId = new Map<string, TaskState>();
  const arrays: string[] = [];
  const cancelAll = async () => {
    if (arrays.length === 0) return;
    const r = await runCommand('scancel', arrays, timeoutMs);
    if (r.code === 0) return;
    // scancel also complains about tasks that already ended: a problem only when some are still queued.
    const q = await squeue(arrays, timeoutMs);
    if ('error' in q || q.tasks.size > 0) throw new UserError('scancel', `could not cancel Slurm job ${arrays.join(', ')}: ${r.error ?? r.code}; cancel it by hand (scancel ${arrays.join(' ')})`);
  };
  for (const g of groups) {
    if (o.signal?.aborted) break;
    const cap = Math.min(o.resources.maxConcurrent, g.tasks.length);
    const dependency = g.after.length ? `afterok:${g.after.map((d) => byId.get(d)!.slurmId).join(':')}` : undefined;
    const args = ['--parsable', `--array=0-${g.tasks.length - 1}%${cap}`, ...(dependency ? [`--dependency=${dependency}`, '--kill-on-invalid-dep=yes'] : []), script, ...g.tasks.map((t) => t.id)];
    const r = await runCommand('sbatch', args, timeoutMs);
    const arrayId = /^(\d+)/.exec(r.stdout.trim())?.[1];
    if (r.code !== 0 || !arrayId) {
      await cancelAll().catch(() => undefined);
      throw new UserError('sbatch', `refused the sweep's job array: ${r.error ?? (r.stdout.trim() || `exit ${r.code}`)} (script: ${script})`);
    }
    arrays.push(arrayId);
    try {
      recordSubmission(o.dir, { arrayId, jobIds: g.tasks.map((t) => t.id), dependency, submittedAt: new Date().toISOString(), command: ['sbatch', ...args] });
    } catch (e) {
      // Unrecorded, a later resume could not tell these tasks still run: they go.
      await cancelAll().catch(() => undefined);
      throw new UserError('slurm', `${errorMessage(e)}; the job array${arrays.length === 1 ? '' : 's'} submitted (${arrays.join(', ')}) ${arrays.length === 1 ? 'was' : 'were'} cancelled`);
    }
    g.tasks.forEach((t, index) => {
      const slurmId = `${arrayId}_${index}`;
      byId.set(t.id, { id: t.id, arrayId, index, slurmId, log: path.join(sdir, 'logs', `${slurmId}.out`), started: false, ended: false, offset: 0, partial: '', tail: '', missing: 0, recent: '' });
    });
    o.onSubmit?.(arrayId, g.tasks.map((t) => t.id), ['sbatch', ...args]);
  }

  const readLog = (t: TaskState) => {
    let fd: number | undefined;
    try {
      fd = fs.openSync(t.log, 'r');
      const size = fs.fstatSync(fd).size;
      if (size <= t.offset) return;
      const buf = Buffer.alloc(Math.min(size - t.offset, 4 * 1024 * 1024));
      const n = fs.readSync(fd, buf, 0, buf.length, t.offset);
      t.offset += n;
      t.partial += buf.subarray(0, n).toString('utf8');
      let nl: number;
      while ((nl = t.partial.indexOf('\n')) >= 0) {
        const line = t.partial.slice(0, nl);
        t.partial = t.partial.slice(nl + 1);
        t.recent = line.slice(0, 40);
        const e = parseEventLine(line);
        if (e) o.onEvent?.(t.id, e);
        else if (line.trim()) t.tail = (t.tail + line + '\n').slice(-TAIL);
      }
    } catch {
      // No output yet (pending, or the file system has not caught up).
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  };
  const start = (t: TaskState) => {
    if (t.started) return;
    t.started = true;
    o.onStart?.(t.id, t.slurmId);
  };
  const end = (t: TaskState, f: FinalState) => {
    readLog(t);
    if (t.partial.trim()) t.tail = (t.tail + t.partial).slice(-TAIL);
    if (!t.started && fs.existsSync(t.log)) start(t);
    t.ended = true;
    o.onExit?.(t.id, { slurmId: t.slurmId, state: f.state, exitCode: f.exitCode, reason: f.reason, log: t.log, started: t.started, tail: t.tail.trim() });
  };

  const sacctOk = { value: true };
  const tick = Math.min(1000, poll.firstMs);
  let delay = poll.firstMs;
  let nextQuery = 0;
  let failures = 0;
  let cancelled = false;
  let cancelDeadline = Infinity;
  const all = [...byId.values()];
  const open = () => all.filter((t) => !t.ended);
  while (open().length) {
    if (o.signal?.aborted && !cancelled) {
      cancelled = true;
      cancelDeadline = Date.now() + (o.cancelWaitMs ?? 120_000);
      await cancelAll();
      delay = poll.firstMs;
      nextQuery = 0;
    }
    // Output first, every tick (a local read): progress shows at once; a task with output has started.
    for (const t of open()) {
      const before = t.offset;
      readLog(t);
      if (t.offset > 0 && !t.started) {
        start(t);
        // A task of a capped array started: the one before it has likely ended; ask now.
        nextQuery = 0;
      }
      // The run ended (its last events are written): ask Slurm soon instead of after the backoff.
      if (t.offset > before && /"type":"(finished|error)"/.test(t.recent)) {
        nextQuery = Math.min(nextQuery, Date.now() + poll.firstMs);
        delay = poll.firstMs;
      }
    }
    if (Date.now() >= nextQuery) {
      const q = await squeue(arrays, timeoutMs);
      let changed = false;
      if ('error' in q) {
        failures++;
        if (failures >= (o.maxQueryFailures ?? 10))
          throw new UserError('squeue', `failed ${failures} times in a row (${q.error}): the sweep's Slurm tasks (${arrays.join(', ')}) may still run; check with squeue, then resume the sweep`);
      } else {
        failures = 0;
        const gone: TaskState[] = [];
        for (const t of open()) {
          const e = q.tasks.get(t.slurmId);
          if (!e) gone.push(t);
          else if (!t.started && e.state !== 'PENDING') {
            start(t);
            changed = true;
          }
        }
        if (gone.length) {
          const finals = await finalStates(arrays, timeoutMs, sacctOk);
          for (const t of gone) {
            const f = finals.get(t.slurmId);
            if (f && !LIVE_STATES.test(f.state)) end(t, f);
            // Slurm forgets finished tasks (MinJobAge) and accounting may be off: after a few polls, end it as unknown.
            else if (!f && ++t.missing >= 3) end(t, { state: 'UNKNOWN', reason: 'left the queue and Slurm keeps no record of it' });
            changed = true;
          }
        }
      }
      delay = changed ? poll.firstMs : Math.min(poll.maxMs, delay * poll.factor);
      nextQuery = Date.now() + delay;
    }
    if (!open().length) break;
    if (cancelled && Date.now() > cancelDeadline) {
      for (const t of open()) end(t, { state: 'CANCELLING', reason: `still in the queue ${Math.round((o.cancelWaitMs ?? 120_000) / 1000)} s after scancel` });
      break;
    }
    await sleep(Math.max(50, Math.min(tick, nextQuery - Date.now())), cancelled ? undefined : o.signal);
  }
}

/** A failed task in words: job, Slurm task, state, exit, reason, log, last line of stderr. */
export function describeSlurmFailure(jobId: string, x: SlurmExit): string {
  const last = x.tail.split('\n').filter((l) => l.trim()).slice(-1)[0];
  return `Slurm task ${x.slurmId} (job ${jobId}) ended ${x.state}${x.exitCode && x.exitCode !== '0:0' ? ` (exit ${x.exitCode})` : ''}${x.reason ? `, reason ${x.reason}` : ''}; log: ${x.log}${last ? ` — ${last.slice(0, 200)}` : ''}`;
}

export interface SlurmJobsOptions {
  resources: SlurmResources;
  jobName: string;
  /** The CLI: node and its arguments up to the command (`[…execArgv, cli.js]`). */
  command: string;
  baseArgs: string[];
  cwd: string;
  /** Jobs a job needs first (ids); default none. */
  dependsOn?: (jobId: string) => string[];
  log: (level: 'info' | 'warning', message: string) => void;
  /** Stop the whole sweep (a task cancelled in Slurm by someone else). */
  stopSweep: () => void;
  poll?: SlurmRunOptions['poll'];
}

/** A sweep's job runner on Slurm (`executeSweep`'s `runJobs`). */
/**
 * A task the system ended, not its training: out of memory (the cgroup's
 * SIGKILL), a dead node, the time limit, preemption. Said as the "signal" of
 * the job's end, so that its run is interrupted and a resumed sweep continues
 * it from its checkpoint, as a local worker killed by a signal is.
 */
export function killedBySlurm(state: string): string | undefined {
  return ['OUT_OF_MEMORY', 'NODE_FAIL', 'TIMEOUT', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE'].includes(state) ? `Slurm (${state})` : undefined;
}

export function slurmJobs(s: SlurmJobsOptions): JobRunner {
  return async ({ sweepDir, jobs, signal, progress, ended }) => {
    const epochs = new Map(jobs.map((j) => [j.id, j.epochs]));
    const submitted = new Set(jobs.map((j) => j.id));
    const errors = new Map<string, string>();
    try {
      await runSlurmArray(
        // A forked training waits for its parent (which saves the checkpoint it starts from) when both are submitted now.
        jobs.map((j) => ({
          id: j.id,
          after: [...(s.dependsOn?.(j.id) ?? []), ...(j.fork?.role === 'child' && submitted.has(j.fork.parent) ? [j.fork.parent] : [])].filter((d) => submitted.has(d)),
        })),
        {
          dir: sweepDir,
          jobName: s.jobName,
          command: s.command,
          argsBefore: [...s.baseArgs, 'sweep-job', sweepDir],
          argsAfter: ['--json'],
          cwd: s.cwd,
          resources: s.resources,
          signal,
          poll: s.poll,
          onSubmit: (arrayId, ids, cmd) =>
            s.log('info', `submitted Slurm job array ${arrayId}: ${ids.length} task${ids.length === 1 ? '' : 's'} (${ids.join(', ')}), at most ${Math.min(s.resources.maxConcurrent, ids.length)} at once, ${s.resources.cpus} CPU${s.resources.cpus === 1 ? '' : 's'} each; ${cmd.map(shellQuote).join(' ')}`),
          onStart: (id) => progress(id, 0, epochs.get(id) ?? 1, 0),
          onEvent: (id, e) => {
            if (e.type === 'progress') progress(id, e.epoch, e.epochs, (e.epoch - 1 + e.batch / Math.max(1, e.batches)) / Math.max(1, e.epochs));
            else if (e.type === 'epoch') progress(id, e.metrics.epoch, epochs.get(id) ?? 1, e.metrics.epoch / (epochs.get(id) ?? 1));
            else if (e.type === 'error') errors.set(id, e.message);
          },
          onExit: (id, x) => {
            const ok = x.state === 'COMPLETED';
            // Cancelled by Slurm because the training it depends on (its fork parent) failed: a failure of its own, not a stop.
            const orphan = x.state === 'CANCELLED' && x.reason === 'DependencyNeverSatisfied';
            const why = ok ? undefined : orphan ? `${describeSlurmFailure(id, x)}: the training it starts from failed` : describeSlurmFailure(id, x);
            if (x.state === 'CANCELLED' && !orphan && !signal?.aborted) {
              s.log('warning', `${why}: cancelled in Slurm, stopping the sweep (resume it to run what is left)`);
              s.stopSweep();
            } else if (!ok && !signal?.aborted) s.log('warning', why!);
            // A task cancelled before it ran has nothing to close: its job stays pending for the resume.
            if (!x.started && signal?.aborted) return;
            ended(id, why && errors.has(id) ? `${errors.get(id)} (${why})` : why, killedBySlurm(x.state));
          },
        },
      );
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError('slurm', errorMessage(e));
    }
  };
}
