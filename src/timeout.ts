import { startTimer } from './clock.ts';
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

/**
 * The abort hooks of calls running below a timeout stage, kept on the signal that stage passes down. A
 * nested stage (the attempt timeout under the total one) finds them there and hooks in directly instead of
 * adding an `abort` listener to that signal: an `EventTarget` listener costs more to add and remove than
 * the rest of the stage. Only the stage that made the signal aborts it, and it runs these hooks right after.
 */
const hooks = Symbol('resilient-fetch.timeout.hooks');
/** `null`: made by a timeout stage, no hooks yet (the array is made by the first call below that needs it). */
type HookedSignal = AbortSignal & { [hooks]?: Array<() => void> | null };

function withDeadline(
  next: FetchLike,
  input: string | URL | Request,
  init: RequestInit | undefined,
  limit: number,
  key: string,
  onEvent: EventListener | undefined,
): Promise<Response> {
  const caller: HookedSignal | undefined = requestSignal(input, init);
  if (caller?.aborted) return Promise.reject(caller.reason);
  const controller = new AbortController();
  const signal: HookedSignal = controller.signal;
  signal[hooks] = null;
  const ours = caller !== undefined && caller[hooks] !== undefined;

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const timer = startTimer(() => {
      settle();
      const error = new TimeoutError(limit);
      onEvent?.({
        type: 'timeout',
        timeout: limit,
        key,
        url: redactUrl(requestUrl(input)),
        method: requestMethod(input, init),
      });
      abort(error);
    }, limit);
    const abort = (reason: unknown) => {
      controller.abort(reason);
      const below = signal[hooks];
      signal[hooks] = null;
      if (below) for (const hook of below) hook();
      reject(reason);
    };
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      if (!ours) caller?.removeEventListener('abort', onCallerAbort);
      else {
        const above = caller![hooks];
        // Gone when the stage above already ran its hooks (it aborted, and this is one of them).
        if (above) above.splice(above.indexOf(onCallerAbort) >>> 0, 1);
      }
    };
    const onCallerAbort = () => {
      settle();
      abort(caller!.reason);
    };
    if (!ours) caller?.addEventListener('abort', onCallerAbort);
    else {
      const above = caller![hooks];
      if (above) above.push(onCallerAbort);
      else caller![hooks] = [onCallerAbort];
    }

    let pending: Promise<Response>;
    try {
      pending = next(input, init ? { ...init, signal } : { signal });
    } catch (error) {
      settle();
      reject(error);
      return;
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
