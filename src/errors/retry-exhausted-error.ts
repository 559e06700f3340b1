import { hasName } from './has-name.ts';

/** Extra fields carried by a `RetryExhaustedError` from `retryAll()`. */
export interface RetryExhaustedDetails {
  /** Values of the operations that succeeded, in input order (`retryAll` only). */
  successful?: unknown[];
  /** Errors of the operations that failed, in input order (`retryAll` only). */
  failed?: unknown[];
}

/**
 * Every allowed attempt failed with a retryable error. `cause` is the last error, `attempts` how many were made.
 * (When the last attempt produced a `Response`, that response is returned instead: a 503 is a value.)
 */
export class RetryExhaustedError extends Error {
  override name = 'RetryExhaustedError' as const;
  /** Attempts made (for `retryAll()`, by all operations together). */
  declare readonly attempts: number;
  /** Values of the operations that succeeded, in input order (`retryAll` only). */
  declare readonly successful?: unknown[];
  /** Errors of the operations that failed, in input order (`retryAll` only). */
  declare readonly failed?: unknown[];

  constructor(attempts: number, cause: unknown, details?: RetryExhaustedDetails) {
    super(`Gave up after ${attempts} attempts`, { cause });
    // Object.assign() skips an undefined source.
    Object.assign(this, { attempts }, details);
  }
}

/** True for a `RetryExhaustedError` of this package, from any realm or copy of the package. */
export function isRetryExhaustedError(error: unknown): error is RetryExhaustedError {
  return error instanceof RetryExhaustedError || hasName(error, 'RetryExhaustedError', 'attempts');
}
