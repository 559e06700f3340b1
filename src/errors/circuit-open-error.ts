import { hasName } from './has-name.ts';

/** The circuit for `key` is open (or half-open and full, or isolated): the call was refused without being sent. */
export class CircuitOpenError extends Error {
  override name = 'CircuitOpenError' as const;
  /** The circuit's key (by default the request's origin). */
  declare readonly key: string;
  /** ms until trial calls are allowed: `Infinity` while isolated, `0` when half-open is merely full. */
  declare readonly retryAfter: number;

  constructor(key: string, retryAfter: number, options?: ErrorOptions) {
    super(`Circuit for ${key} is open`, options);
    this.key = key;
    this.retryAfter = retryAfter;
  }
}

/** True for a `CircuitOpenError` of this package, from any realm or copy of the package. */
export function isCircuitOpenError(error: unknown): error is CircuitOpenError {
  return error instanceof CircuitOpenError || hasName(error, 'CircuitOpenError', 'retryAfter');
}
