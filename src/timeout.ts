import { Deadline } from './deadline.ts';
import type { ResilienceEventListener } from './events.ts';
import { perRequest } from './request-options.ts';
import type { Middleware } from './types.ts';
import { deadline, func, invalid, optionsObject } from './validate.ts';

/** Options of `timeout()`. */
export interface TimeoutOptions {
  /**
   * The per-request option this stage reads from `init.resilience`: a number overrides `ms` for that call,
   * `false` turns the deadline off for it.
   * @default 'timeout'
   */
  key?: string;
  /** Receives a `'timeout'` event whenever the deadline passes. */
  onEvent?: ResilienceEventListener;
}

/**
 * Aborts the downstream request when `ms` pass before its response headers arrive, and rejects with a
 * `TimeoutError`. Placed outside `retry()` it is a deadline for the whole call, waits included; inside it, a
 * deadline per attempt.
 *
 * - The caller's own abort rejects at once with the caller's reason, never with a `TimeoutError`.
 * - Once the `Response` is returned the timer is gone: it never aborts a body the caller is still reading.
 *   The caller's signal still does, as with plain `fetch`: aborting it while the body is being read errors
 *   the body stream with the caller's reason and closes the connection (a chat UI's "stop" on a streamed
 *   completion). The listener on the caller's signal goes when the body ends, errors or is cancelled.
 * - One `AbortController` per call. Nested stages (the attempt deadline under the total one) share one timer
 *   per call, armed for the nearest deadline; it is cleared when the call settles, and so is the listener on
 *   the caller's signal, so a long-lived signal shared by many calls accumulates nothing.
 *
 * @param ms deadline in ms, `0 < ms ≤ 2^31−1`.
 * @throws {RangeError} for a negative, zero, NaN, infinite or too large `ms`.
 * @example
 * ```ts
 * const fetchWithDeadline = timeout(5_000)(globalThis.fetch);
 * await fetchWithDeadline('https://example.com', { resilience: { timeout: 1_000 } });
 * ```
 */
export function timeout(ms: number, options: TimeoutOptions = {}): Middleware {
  deadline('timeout: ms', ms);
  optionsObject('timeout: options', options);
  const key = options.key ?? 'timeout';
  if (!key || typeof key !== 'string') invalid('timeout: key', 'a non-empty string', key);
  const onEvent = func('timeout: onEvent', options.onEvent);

  return (next) =>
    function timeoutFetch(input, init) {
      // A bad per-request value, or a signal that throws when read, is a rejection, as with fetch.
      try {
        const limit = perRequest(init, key, deadline);
        if (limit !== false) return new Deadline(limit ?? ms, key, onEvent, input, init).run(next);
      } catch (error) {
        return Promise.reject(error);
      }
      return next(input, init);
    };
}
