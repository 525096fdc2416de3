/**
 * A failure outside every handler of a command (an uncaught exception, an
 * unhandled promise rejection, an error that escaped `main`): what the CLI
 * prints before it exits with status 1. With `--json` the protocol gets one
 * `error` event whose message is the error's own first line — never a stack
 * frame — so a consumer (the extension) shows what went wrong; the stack goes
 * to stderr, for the log.
 */
import { IoError, isUserError } from './core/errors';
import type { EngineEvent } from './events';

/** The longest message an error event carries (the rest is in the stack on stderr). */
const MAX_MESSAGE = 500;

export type FatalOrigin = 'uncaughtException' | 'unhandledRejection' | 'main';

/** The first line of an error's message, bounded; a value that is not an Error is described, not dumped. */
export function fatalMessage(e: unknown): string {
  let text: string;
  if (e instanceof Error) text = e.message || e.name || 'Error';
  else if (typeof e === 'string') text = e;
  else if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') text = (e as { message: string }).message;
  else text = `a non-error value was thrown (${e === null ? 'null' : typeof e})`;
  const first = text.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  const line = first.trim().replace(/[^\u0020-\u007e\u0080-\uffff]/g, ' ');
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

/**
 * What to print for a fatal error: a line for stderr (the stack, for a bug),
 * with `json` an `error` event for stdout, and the exit status.
 */
export function fatalOutput(e: unknown, origin: FatalOrigin, json: boolean): { stdout?: string; stderr: string; exitCode: number } {
  const user = isUserError(e);
  // A user's error says what and where, possibly over several lines (every problem of a config): kept whole.
  const message = user ? (e.message.length > 20 * MAX_MESSAGE ? `${e.message.slice(0, 20 * MAX_MESSAGE - 1)}…` : e.message) : `internal error: ${fatalMessage(e)}`;
  const detail = e instanceof Error && e.stack ? e.stack : String(e);
  const stderr = user ? `error: ${message}\n` : `internal error (${origin}): ${detail}\n`;
  const event: EngineEvent = { type: 'error', message, ...(user ? { where: e.where } : {}) };
  // Usage and config errors end 2 from `main`; anything else (and anything outside main) ends 1.
  const exitCode = origin === 'main' && user && !(e instanceof IoError) ? 2 : 1;
  return { stderr, exitCode, ...(json ? { stdout: JSON.stringify(event) + '\n' } : {}) };
}
