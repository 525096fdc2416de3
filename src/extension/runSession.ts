/**
 * One background run: a Node process running the bundled engine CLI with
 * `--json`, its events parsed line by line, watched for its whole life.
 * Cancel sends SIGTERM (the CLI stops after the current batch and marks the
 * folder "interrupted") and SIGKILL after a grace period; a process that dies
 * without a `finished` event leaves its folder marked "failed". No `vscode`
 * import: the host logic is tested in plain Node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { parseEventLine, type EngineEvent } from '../engine/events';
import { FILES, readRun, writeFileAtomic } from '../engine/store/runFolder';

export type SessionKind = 'run' | 'compare';
export type SessionState = 'queued' | 'starting' | 'running' | 'cancelling' | 'completed' | 'interrupted' | 'failed';

export interface SessionOptions {
  kind: SessionKind;
  configFile: string;
  /** Parent folder of run folders. */
  outRoot: string;
  /** The engine CLI (dist/cli.js). */
  cliPath: string;
  /** Node executable; the editor's own runtime when empty. */
  nodePath?: string;
  cwd: string;
  /** Extra CLI arguments (e.g. --backend). */
  extraArgs?: string[];
  /** Milliseconds between SIGTERM and SIGKILL on cancel. */
  graceMs?: number;
}

export interface SessionExit {
  state: 'completed' | 'interrupted' | 'failed';
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What went wrong, for the user. */
  error?: string;
}

let nextId = 1;

export class RunSession extends EventEmitter {
  readonly id = nextId++;
  state: SessionState = 'starting';
  /** Run folders the engine reported (a compare has several). */
  readonly runDirs: string[] = [];
  lastProgress?: Extract<EngineEvent, { type: 'progress' }>;
  lastEpoch?: Extract<EngineEvent, { type: 'epoch' }>['metrics'];
  readonly done: Promise<SessionExit>;
  private child?: ChildProcess;
  private killTimer?: NodeJS.Timeout;
  private stderrTail: string[] = [];
  private finished = false;
  private errorEvent?: string;

  constructor(readonly options: SessionOptions) {
    super();
    this.done = new Promise((resolve) => this.once('exit', resolve));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get label(): string {
    return `${this.options.kind} ${path.basename(this.options.configFile)}`;
  }

  /** The command line, for the log (never the environment: it may hold secrets). */
  commandLine(): string[] {
    const o = this.options;
    return [o.nodePath || process.execPath, o.cliPath, o.kind, o.configFile, '--json', '--out', o.outRoot, ...(o.extraArgs ?? [])];
  }

  start(): this {
    const [exe, ...args] = this.commandLine();
    const env = { ...process.env };
    // Inside the editor the runtime may be Electron: make it behave as plain Node.
    if (!this.options.nodePath && process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
    const child = spawn(exe, args, { cwd: this.options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const event = parseEventLine(line);
        if (event) this.handle(event);
        else if (line.trim()) this.emit('log', line);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line.trim()) continue;
        this.stderrTail.push(line);
        if (this.stderrTail.length > 20) this.stderrTail.shift();
        this.emit('log', line);
      }
    });
    child.on('error', (e) => this.exit(null, null, `could not start ${exe}: ${e.message}`));
    child.on('exit', (code, signal) => this.exit(code, signal));
    return this;
  }

  private handle(e: EngineEvent): void {
    switch (e.type) {
      case 'started':
        this.runDirs.push(e.runDir);
        if (this.state === 'starting') this.state = 'running';
        break;
      case 'progress':
        this.lastProgress = e;
        break;
      case 'epoch':
        this.lastEpoch = e.metrics;
        break;
      case 'finished':
        if (this.options.kind === 'run') this.finished = true;
        break;
      case 'compared':
        this.finished = true;
        break;
      case 'error':
        this.errorEvent = e.message;
        break;
      case 'log':
        this.emit('log', e.message);
        break;
    }
    this.emit('event', e);
  }

  /** Stop gracefully: SIGTERM, then SIGKILL if it has not exited after the grace period. */
  cancel(): void {
    if (this.state === 'queued') {
      this.state = 'interrupted';
      this.emit('exit', { state: 'interrupted', code: null, signal: null } satisfies SessionExit);
      this.emit('changed');
      return;
    }
    if (!this.child || this.child.exitCode !== null || this.state === 'cancelling') return;
    this.state = 'cancelling';
    this.emit('changed');
    this.child.kill('SIGTERM');
    this.killTimer = setTimeout(() => this.child?.kill('SIGKILL'), this.options.graceMs ?? 10_000);
  }

  private exit(code: number | null, signal: NodeJS.Signals | null, startError?: string): void {
    if (this.state === 'completed' || this.state === 'interrupted' || this.state === 'failed') return;
    clearTimeout(this.killTimer);
    let state: SessionExit['state'];
    let error: string | undefined;
    if (startError) [state, error] = ['failed', startError];
    else if (code === 0 && this.finished) state = 'completed';
    else if (code === 130 || (this.state === 'cancelling' && signal !== 'SIGKILL')) state = 'interrupted';
    else {
      state = 'failed';
      error = this.errorEvent ?? (signal ? `the engine was killed (${signal})` : `the engine exited with code ${code}`);
      if (!this.errorEvent && this.stderrTail.length) error += `: ${this.stderrTail[this.stderrTail.length - 1]}`;
    }
    // A process that died without finishing leaves "running" behind: say what happened in the folder.
    for (const dir of this.runDirs) markUnfinished(dir, state, error ?? 'stopped');
    this.state = state;
    this.emit('exit', { state, code, signal, error } satisfies SessionExit);
    this.emit('changed');
  }
}

/** If a run folder still says "running" after its process exited, record the real outcome. */
export function markUnfinished(dir: string, state: SessionExit['state'], message: string): void {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result || rec.result.status !== 'running') return;
  const status = state === 'completed' ? 'failed' : state;
  const result = { ...rec.result, status, finishedAt: new Date().toISOString(), error: { message: `${message} (the engine exited without closing the run)` } };
  writeFileAtomic(path.join(dir, FILES.result), JSON.stringify(result, null, 2) + '\n');
}
