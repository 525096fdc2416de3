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
