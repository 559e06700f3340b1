import type { RetryOptions } from './retry/options.ts';

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

/** The per-request options of a call, if any. */
export function requestOptions(init: RequestInit | undefined): ResilienceRequestOptions | undefined {
  return init?.resilience;
}

/**
 * Resolves one stage's options for one call: the stage's normalised options when the call overrides nothing
 * (no allocation on that path), `false` when the call turns the stage off, otherwise the override merged over
 * the stage's raw options and normalised again (so a bad per-request value gets the same clear error).
 */
export function resolveStage<Raw extends object, Normalised>(
  override: Partial<Raw> | number | false | undefined,
  raw: Raw,
  normalised: Normalised,
  normalise: (options: Raw) => Normalised,
  numberKey?: keyof Raw,
): Normalised | false {
  if (override === undefined) return normalised;
  if (override === false) return false;
  if (typeof override === 'number' && numberKey !== undefined) {
    return normalise({ ...raw, [numberKey]: override });
  }
  return normalise({ ...raw, ...(override as Partial<Raw>) });
}
