import { addDeadline, cancelDeadline, type Deadline } from './deadlines.ts';
import { TimeoutError } from './errors/timeout-error.ts';
import { type EventListener, redactUrl } from './events.ts';
import { requestMethod, requestSignal, requestUrl } from './request-info.ts';
import type { FetchLike, Middleware } from './types.ts';
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
  onEvent?: EventListener;
}

/**
 * Aborts the downstream request when `ms` pass before its response headers arrive, and rejects with a
 * `TimeoutError`. Placed outside `retry()` it is a deadline for the whole call, waits included; inside it, a
 * deadline per attempt.
 *
 * - The caller's own abort rejects at once with the caller's reason, never with a `TimeoutError`.
 * - Once the `Response` is returned the timer is gone: it never aborts a body the caller is still reading.
 *   (An abort of the caller's signal after that point no longer reaches the body through this stage either:
 *   cancel an unwanted body with `response.body?.cancel()`.)
 * - One `AbortController` and one timer per call, both released when the call settles; the listener on the
 *   caller's signal is removed then too, so a long-lived signal shared by many calls accumulates nothing.
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
  if (typeof key !== 'string' || key === '') invalid('timeout: key', 'a non-empty string', key);
  const onEvent = func('timeout: onEvent', options.onEvent);

  return (next) =>
    function timeoutFetch(input, init) {
      let limit = ms;
      const override = (init?.resilience as Record<string, unknown> | undefined)?.[key];
      if (override !== undefined) {
        if (override === false) return next(input, init);
        try {
          limit = deadline(`resilience.${key}`, override);
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return withDeadline(next, input, init, limit, key, onEvent);
    };
}

function withDeadline(
  next: FetchLike,
  input: string | URL | Request,
  init: RequestInit | undefined,
  limit: number,
  key: string,
  onEvent: EventListener | undefined,
): Promise<Response> {
  const caller = requestSignal(input, init);
  if (caller?.aborted) return Promise.reject(caller.reason);
  const controller = new AbortController();

  return new Promise<Response>((resolve, reject) => {
    let deadline: Deadline | undefined;
    let settled = false;
    const settle = () => {
      settled = true;
      if (deadline !== undefined) cancelDeadline(deadline);
      caller?.removeEventListener('abort', onCallerAbort);
    };
    const onCallerAbort = () => {
      settle();
      controller.abort(caller!.reason);
      reject(caller!.reason);
    };
    caller?.addEventListener('abort', onCallerAbort);

    let pending: Promise<Response>;
    try {
      pending = next(input, init ? { ...init, signal: controller.signal } : { signal: controller.signal });
    } catch (error) {
      settle();
      reject(error);
      return;
    }
    // Registered once `next` has returned: an inner stage registers first, so in a chain of timeouts the
    // shorter inner deadline is armed before the longer outer one, and the shared timer is set once.
    if (!settled) {
      deadline = addDeadline(limit, () => {
        settle();
        const error = new TimeoutError(limit);
        onEvent?.({
          type: 'timeout',
          timeout: limit,
          key,
          url: redactUrl(requestUrl(input)),
          method: requestMethod(input, init),
        });
        controller.abort(error);
        reject(error);
      });
    }
    Promise.resolve(pending).then(
      (response) => {
        if (settled) {
          // A transport that ignored the abort answered after the deadline: free the connection.
          response?.body?.cancel().catch(() => {});
          return;
        }
        settle();
        resolve(response);
      },
      (error) => {
        if (settled) return;
        settle();
        reject(error);
      },
    );
  });
}
