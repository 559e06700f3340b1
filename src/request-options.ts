import type { RetryOptions } from './retry/options.ts';
import { invalid } from './validate.ts';

/**
 * Options for one call, passed as `init.resilience` and read by the stages of the chain. Each is merged over
 * the options the stage was built with; `false` turns a stage off for this call. A stage built with `false`
 * is not in the chain, and a per-request option cannot turn it back on.
 *
 * @example
 * ```ts
 * await fetch(url, { resilience: { retry: { limit: 5 }, attemptTimeout: 500 } });
 * ```
 */
export interface ResilienceRequestOptions {
  /** Retry options merged over the stage's, a number (= `limit`), or `false` for no retries. */
  retry?: RequestRetryOptions | number | false;
  /** Total deadline in ms for this call, or `false` for none. */
  timeout?: number | false;
  /** Per-attempt deadline in ms, or `false` for none. */
  attemptTimeout?: number | false;
  /** `false` bypasses the circuit breaker for this call. */
  circuitBreaker?: false;
}

/** The retry options a single call may override (the budget stays the stage's own). */
export type RequestRetryOptions = Omit<RetryOptions, 'budget' | 'onEvent' | 'clock'>;

declare global {
  interface RequestInit {
    /** Per-request options for resilient-fetch stages. */
    resilience?: ResilienceRequestOptions;
  }
}

/**
 * The one way a stage reads its per-request option `name` from `init.resilience`: `undefined` when the call
 * gives none (nothing is allocated then), `false` when it turns the stage off, else what `read` makes of the
 * value: the stage's own check, and its merge over the factory options. `read` throws the same error the
 * factory would, naming `resilience.<name>`; the stage rejects that call with it.
 */
export function perRequest<T>(
  init: RequestInit | undefined,
  name: string,
  read: (where: string, value: unknown) => T,
): T | false | undefined {
  const value = (init?.resilience as Record<string, unknown> | undefined)?.[name];
  return value === undefined || value === false ? value : read(`resilience.${name}`, value);
}

/**
 * A `read` for `perRequest()` of a stage whose option is an object or a number: the object merged over the
 * factory's raw options, or the number as `numberKey`, normalised again as the factory normalises them.
 */
export function mergedOver<Raw extends object, Normalised>(
  raw: Raw,
  normalise: (options: Raw) => Normalised,
  numberKey: keyof Raw,
): (where: string, value: unknown) => Normalised {
  return (where, value) => {
    if (typeof value === 'number') return normalise({ ...raw, [numberKey]: value });
    if (typeof value !== 'object' || value === null) {
      invalid(where, 'an options object, a number or false', value);
    }
    return normalise({ ...raw, ...(value as Partial<Raw>) });
  };
}
