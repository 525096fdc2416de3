/**
 * One background run: a Node process running the bundled engine CLI with
 * `--json`, its events parsed line by line, watched for its whole life.
 * Cancel sends SIGTERM (the CLI stops after the current batch and marks the
 * folder "interrupted") and SIGKILL after a grace period; a process that dies
 * without a `finished` event leaves its folder marked "failed". No `vscode`
 * import: the host logic is tested in plain Node.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { parseEventLine, type EngineEvent } from '../engine/events';
import { markRunEnded } from '../engine/store/runFolder';

/** `resume` continues a run folder (`configFile` is then the run folder). */
export type SessionKind = 'run' | 'compare' | 'sweep' | 'resume';
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
  /** At most one live session per key in the runs folder, across windows (a run folder being resumed, say). */
  exclusiveKey?: string;
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
  /** A sweep's last progress: its plan (nothing done) from `sweep-started`, then each `sweep-progress`. */
  lastSweep?: Extract<EngineEvent, { type: 'sweep-progress' }>;
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
    if (o.kind === 'resume') return [o.nodePath || process.execPath, o.cliPath, 'resume', o.configFile, '--json', ...(o.extraArgs ?? [])];
    return [o.nodePath || process.execPath, o.cliPath, o.kind, o.configFile, '--json', '--out', o.outRoot, ...(o.extraArgs ?? [])];
  }

  start(): this {
    if (this.child || this.state === 'completed' || this.state === 'interrupted' || this.state === 'failed') return this; // never started twice
    const [exe, ...args] = this.commandLine();
    // Inside the editor the runtime may be Electron: engineEnv makes it behave as plain Node.
    const child = spawn(exe, args, { cwd: this.options.cwd, env: engineEnv(this.options.nodePath), stdio: ['ignore', 'pipe', 'pipe'] });
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
        if (this.options.kind === 'run' || this.options.kind === 'resume') this.finished = true;
        break;
      case 'compared':
        this.finished = true;
        break;
      case 'sweep-started':
        if (this.state === 'starting') this.state = 'running';
        this.lastSweep = { type: 'sweep-progress', jobsDone: 0, jobsTotal: e.todo, fraction: 0, etaSeconds: NaN, running: [] };
        break;
      case 'sweep-progress':
        this.lastSweep = e;
        break;
      case 'swept':
        // A sweep with failed points still completed (exit 1 says so); a stopped one exits 130.
        this.finished = e.status === 'completed';
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

  /** End a session that has not started: it never will (the reason is the exit's error). */
  refuse(reason: string): void {
    if (this.child || this.state === 'completed' || this.state === 'interrupted' || this.state === 'failed') return;
    this.state = 'failed';
    this.emit('exit', { state: 'failed', code: null, signal: null, error: reason } satisfies SessionExit);
    this.emit('changed');
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
      const said = this.errorEvent ? undefined : failureLine(this.stderrTail);
      if (said) error += `: ${said}`;
    }
    // A process that died without finishing leaves "running" behind: say what happened in the folder.
    for (const dir of this.runDirs) markUnfinished(dir, state, error ?? 'stopped');
    this.state = state;
    this.emit('exit', { state, code, signal, error } satisfies SessionExit);
    this.emit('changed');
  }
}

/**
 * What a process that died without an `error` event said about it: among the
 * last lines of its stderr, the last "error:"/"internal error" line, else the
 * last line that is not a stack frame ("    at f (file:1:2)", "^", source
 * excerpts Node prints) — not simply the last line, which is a stack frame.
 */
export function failureLine(stderrTail: readonly string[]): string | undefined {
  const lines = stderrTail.map((l) => l.trim()).filter((l) => l !== '');
  const isFrame = (l: string) =>
    /^at\s/.test(l) || /^\^+$/.test(l) || /^Node\.js v\d/.test(l) || /^\{|^\}$/.test(l) || /^\.\.\. \d+ lines? matching/.test(l) || /^\d+: 0x[0-9a-f]+\s/i.test(l) || /^-+ .* -+$/.test(l);
  const said = [...lines].reverse().find((l) => /^(internal )?error\b/i.test(l) || /^\w*Error(\s\[\w+\])?:/.test(l) || /^FATAL ERROR:/.test(l));
  const line = said ?? [...lines].reverse().find((l) => !isFrame(l));
  if (line === undefined) return undefined;
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** If a run folder still says "running" after its process exited, record the real outcome (through the store). */
export function markUnfinished(dir: string, state: SessionExit['state'], message: string): void {
  markRunEnded(dir, state === 'interrupted' ? 'interrupted' : 'failed', message);
}

/** The environment a child engine process gets: the editor's, with Electron made to behave as plain Node. */
function engineEnv(nodePath: string | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!nodePath && process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
  return env;
}

/**
 * Run a short engine CLI command (report, validate) in its own process and
 * collect its output; bounded by a timeout. The engine's code never runs in
 * the extension host.
 */
export function execEngine(o: { nodePath?: string; cliPath: string; args: string[]; cwd?: string; timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(o.nodePath || process.execPath, [o.cliPath, ...o.args], { cwd: o.cwd, env: engineEnv(o.nodePath), timeout: o.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: err && !stderr ? err.message : String(stderr) });
    });
  });
}
