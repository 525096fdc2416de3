/** Running `trannsformer sweep … --json` from tests: its events as they come, bounded in time. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { parseEventLine, type EngineEvent } from '../../src/engine/events';

export const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

export interface SweepExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: EngineEvent[];
  stderr: string;
}

/** Start a sweep; resolves when it exits (SIGKILLed after 15 minutes), after `onEvent` may have acted on each event. */
export function startSweep(args: string[], cwd: string, onEvent: (e: EngineEvent, kill: (s: NodeJS.Signals) => void) => void = () => undefined): Promise<SweepExit> {
  const child = spawn(process.execPath, [CLI, 'sweep', ...args, '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  let stderr = '';
  const events: EngineEvent[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => {
    buf += c;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const e = parseEventLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (e) {
        events.push(e);
        onEvent(e, (s) => child.kill(s));
      }
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), 900_000);
  return new Promise<SweepExit>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, events, stderr });
    }),
  );
}
