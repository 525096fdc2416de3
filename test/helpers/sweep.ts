/** Running `trannsformer sweep … --json` from tests: its events as they come, bounded in time. */
import { spawn } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEventLine, type EngineEvent } from '../../src/engine/events';
import { tmpDir } from './files';

export const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

/** A fresh folder holding `config` as `<file>` (default sweep.trannsformer.json). */
export function writeSweepConfig(config: object, file = 'sweep.trannsformer.json', prefix?: string): { dir: string; cfg: string } {
  const dir = tmpDir(prefix);
  const cfg = path.join(dir, file);
  fs.writeFileSync(cfg, JSON.stringify(config, null, 2));
  return { dir, cfg };
}

/** The one sweep folder a sweep made under `root`. */
export function sweepFolder(root: string): string {
  const names = fs.readdirSync(root).filter((n) => n.endsWith('-sweep'));
  assert.equal(names.length, 1, `one sweep folder in ${root}: ${names.join(', ')}`);
  return path.join(root, names[0]);
}

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

/** A point's figures without its training time (wall-clock: differs between two runs of the same sweep). */
export function untimed<T extends { trainSeconds?: number } | undefined>(figures: T): T {
  if (!figures) return figures;
  const { trainSeconds: _t, ...rest } = figures;
  return rest as T;
}
