/**
 * Run TypeScript in a child process (through tsx) under a watchdog, so that a
 * hang or a runaway allocation in the code under test fails the test instead
 * of hanging or taking the machine down: the child is killed when it is
 * silent for longer than `silenceMs` (a case that never returns), runs past
 * `totalMs`, or its resident memory (polled from /proc) exceeds `maxRssBytes`.
 * The child prints one JSON object per line on stdout.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

export interface Isolated<T> {
  lines: T[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Why the watchdog killed the child, if it did. */
  killed?: string;
  maxRss: number;
}

function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function runIsolated<T>(
  script: string,
  args: string[],
  opts: { silenceMs: number; totalMs: number; maxRssBytes: number; cwd?: string },
): Promise<Isolated<T>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: T[] = [];
    let stderr = '';
    let buf = '';
    let killed: string | undefined;
    let maxRss = 0;
    let last = Date.now();
    const t0 = Date.now();
    const kill = (why: string) => {
      if (killed) return;
      killed = why;
      child.kill('SIGKILL');
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      last = Date.now();
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) lines.push(JSON.parse(line) as T);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 100_000) stderr += d;
    });
    const watch = setInterval(() => {
      const rss = child.pid !== undefined ? rssOf(child.pid) : undefined;
      if (rss !== undefined) maxRss = Math.max(maxRss, rss);
      if (rss !== undefined && rss > opts.maxRssBytes) kill(`resident memory ${(rss / 2 ** 20).toFixed(0)} MiB exceeded ${(opts.maxRssBytes / 2 ** 20).toFixed(0)} MiB`);
      else if (Date.now() - last > opts.silenceMs) kill(`silent for more than ${opts.silenceMs} ms (a case hangs)`);
      else if (Date.now() - t0 > opts.totalMs) kill(`ran longer than ${opts.totalMs} ms`);
    }, 50);
    child.on('close', (code, signal) => {
      clearInterval(watch);
      resolve({ lines, code, signal, stderr, killed, maxRss });
    });
  });
}
