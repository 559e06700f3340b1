import { hasName } from './has-name.ts';

/**
 * A deadline passed before the response headers arrived. The downstream request's signal is aborted with this
 * error. Its `name` is `'TimeoutError'`, like the error of the platform's `AbortSignal.timeout()`.
 */
export class TimeoutError extends Error {
  override name = 'TimeoutError' as const;
  /** The deadline that passed, in ms. */
  declare readonly timeout: number;

  constructor(timeout: number, options?: ErrorOptions) {
    super(`Request timed out after ${timeout} ms`, options);
    this.timeout = timeout;
  }
}

/** True for a `TimeoutError` of this package, from any realm or copy of the package. */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return error instanceof TimeoutError || hasName(error, 'TimeoutError', 'timeout');
}
