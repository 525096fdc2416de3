/**
 * Errors a user can act on: each names *where* the problem is (a file, a JSON
 * path, a CLI flag) and *what* is wrong. The CLI prints them without a stack
 * trace; anything else that escapes is a bug and is printed with one.
 */
export class UserError extends Error {
  constructor(
    /** A file path, a JSON path such as `training.epochs`, or a flag such as `--backend`. */
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'UserError';
  }
}

/**
 * A file could not be written or read back (disk full, permissions, a damaged
 * file): the user can act on it, but it is not a usage error — runs that
 * meet it fail (exit status 1) with this message instead of a stack trace.
 */
export class IoError extends UserError {
  constructor(where: string, message: string) {
    super(where, message);
    this.name = 'IoError';
  }
}

/** A write the file system refused (disk full, I/O error, …), as opposed to a bad config or a damaged file: the work so far stands. */
export class WriteError extends IoError {
  constructor(
    where: string,
    message: string,
    /** The system's error code (ENOSPC, EIO, …), when there was one. */
    readonly code?: string,
  ) {
    super(where, message);
    this.name = 'WriteError';
  }
}

export const isWriteFailure = (e: unknown): e is WriteError => e instanceof WriteError;

/** The message of a Node file-system error without its syscall noise: "no space left on device (ENOSPC)". */
export function fsErrorMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'no such file or folder',
    EISDIR: 'is a folder',
    ENOTDIR: 'a parent is not a folder',
    EIO: 'input/output error',
  };
  if (err?.code && known[err.code]) return `${known[err.code]} (${err.code})`;
  return errorMessage(e);
}

/** Raised inside the training loop when the caller asked it to stop. */
export class StopRequested extends Error {
  constructor() {
    super('stop requested');
    this.name = 'StopRequested';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const reported = new WeakSet<object>();

/** Mark an error as already shown to the user (as an event), so the top level does not print it twice. */
export function markReported<T>(e: T): T {
  if (typeof e === 'object' && e !== null) reported.add(e);
  return e;
}

export function wasReported(e: unknown): boolean {
  return typeof e === 'object' && e !== null && reported.has(e);
}
