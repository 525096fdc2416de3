/**
 * A pool of engine processes under one core budget: each task is one CLI
 * process (`trannsformer … --json`) that uses `threads` cores; tasks start
 * while the threads of the running ones plus theirs fit in `cores` (a task
 * wider than the budget runs alone) and at most `maxProcesses` run at once.
 * Every process is watched for its whole life: its JSON events are parsed
 * and passed on, the tail of its stderr is kept for the error message, and
 * a stop (the signal) sends SIGTERM to every child, which closes its run
 * folder as interrupted. No vscode: used by `trannsformer sweep` and the
 * extension alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parseEventLine, type EngineEvent } from '../engine/events';

export interface PoolTask {
  id: string;
  /** Arguments after the command's own (e.g. `['sweep-job', dir, id, '--json']`). */
  args: string[];
  /** Cores the task's process uses. */
  threads: number;
}

export interface PoolOptions {
  /** The program (node) and the arguments that run the CLI (`[…execArgv, cli.js]`). */
  command: string;
  baseArgs: string[];
  cores: number;
  maxProcesses: number;
  cwd?: string;
  signal?: AbortSignal;
  onStart?: (taskId: string, pid: number | undefined) => void;
  onEvent?: (taskId: string, e: EngineEvent) => void;
  /** A task's process ended: its exit code (or the signal that killed it) and the last lines of its stderr. */
  onExit?: (taskId: string, exit: { code: number | null; signal: NodeJS.Signals | null; stderr: string }) => void;
}

const STDERR_TAIL = 4000;

/** Run every task; resolves when all have ended (or, after a stop, when every started one has). */
export function runPool(tasks: readonly PoolTask[], opts: PoolOptions): Promise<void> {
  const queue = [...tasks];
  const running = new Map<string, { child: ChildProcess; threads: number }>();
  let used = 0;
  return new Promise<void>((resolve) => {
    const stop = () => {
      queue.length = 0;
      for (const { child } of running.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      if (running.size === 0) resolve();
    };
    const fits = (t: PoolTask) => running.size === 0 || (running.size < opts.maxProcesses && used + t.threads <= opts.cores);
    const launch = () => {
      if (opts.signal?.aborted) return stop();
      while (queue.length && fits(queue[0])) {
        const task = queue.shift()!;
        // A process group of its own: a terminal's Ctrl-C reaches the parent only, which stops each child once (SIGTERM).
        const child = spawn(opts.command, [...opts.baseArgs, ...task.args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        running.set(task.id, { child, threads: task.threads });
        used += task.threads;
        opts.onStart?.(task.id, child.pid);
        let buf = '';
        child.stdout!.setEncoding('utf8');
        child.stdout!.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const e = parseEventLine(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
            if (e) opts.onEvent?.(task.id, e);
          }
        });
        let stderr = '';
        child.stderr!.setEncoding('utf8');
        child.stderr!.on('data', (chunk: string) => {
          stderr = (stderr + chunk).slice(-STDERR_TAIL);
        });
        let done = false;
        const finish = (code: number | null, signal: NodeJS.Signals | null) => {
          if (done) return;
          done = true;
          running.delete(task.id);
          used -= task.threads;
          opts.onExit?.(task.id, { code, signal, stderr });
          if (queue.length && !opts.signal?.aborted) launch();
          else if (opts.signal?.aborted) stop();
          if (running.size === 0 && (queue.length === 0 || opts.signal?.aborted)) resolve();
        };
        child.on('error', (err) => {
          stderr += `\n${err.message}`;
          finish(null, null);
        });
        child.on('close', finish);
      }
      if (running.size === 0 && queue.length === 0) resolve();
    };
    opts.signal?.addEventListener('abort', stop, { once: true });
    launch();
  });
}
