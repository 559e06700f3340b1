import type { Hooks, Options } from 'ky';
import { coreOf } from './circuit-breaker/admission.ts';
import { type CircuitBreaker, circuitBreaker } from './circuit-breaker/circuit-breaker.ts';
import type { CircuitBreakerOptions } from './circuit-breaker/options.ts';
import { bothListeners, type ResilienceEventListener } from './events.ts';
import { retryHooks } from './ky-hooks-retry.ts';
import { globalFetch } from './resilient-fetch.ts';
import type { RetryOptions } from './retry/options.ts';
import { func, invalid, optionsObject } from './validate.ts';

/** Options of `kyHooks()`. */
export interface KyHooksOptions {
  /**
   * How ky's own retry loop decides by default: limit, methods, statuses, backoff, `maxRetryAfter`, budget
   * (the same options as `retry()`); a number is the limit; `false` leaves ky's retry settings alone. A call's
   * own ky `retry` options override these, with ky's meaning.
   * @default {}
   */
  retry?: Omit<RetryOptions, 'clock' | 'onRetry' | 'shouldRetry' | 'idempotencyKey'> | number | false;
  /** Circuit breaker options, a breaker to share, or `false` for no breaker. @default {} */
  circuitBreaker?: CircuitBreakerOptions | CircuitBreaker | false;
  /** Receives `'request'`, `'retry'`, `'budget-exhausted'` and the breaker's events. */
  onEvent?: ResilienceEventListener;
}

/**
 * ky options that keep ky's own retry loop but drive it with this package's rules:
 * - every attempt goes through a circuit breaker (per origin by default) as the pipeline's breaker stage sends
 *   one: admitted, its outcome recorded, its key function given the init ky passes to `fetch`, and bypassed
 *   by a call's `resilience: { circuitBreaker: false }`;
 * - ky's loop decides with this package's defaults (statuses, backoff, Retry-After and rate-limit headers,
 *   never jittered; above `maxRetryAfter` no retry), and the call's own ky `retry` options (`limit`,
 *   `methods`, `statusCodes`, `delay`, `jitter`, `backoffLimit`, `maxRetryAfter` as a cap, `retryOnTimeout`,
 *   `shouldRetry` with ky's `{ error, retryCount }`) override them with ky's meaning;
 * - the method rule of `retry()`: a POST or PATCH is retried with an `Idempotency-Key` header, after a failure
 *   the server did not process (408, 429, 503, 529, a rate-limit 403, a refused connection), or when the
 *   call's ky `methods` name it; the retry budget is shared by every call through these hooks.
 * ky's `beforeRetry` hooks see the `HTTPError` of a retried status, as in plain ky.
 *
 * Prefer `kyResilience()` when ky may simply use the pipeline as its `fetch`; use these hooks when ky's
 * retry loop must stay (its `beforeRetry` hooks, its `timeout` per attempt). Keep the returned `hooks`: pass
 * further hooks with `.extend()`, which appends them.
 *
 * @example
 * ```ts
 * import ky from 'ky';
 * import { kyHooks } from 'resilient-fetch/ky';
 *
 * const api = ky.create({ prefix: 'https://api.example.com', ...kyHooks({ retry: { limit: 3 } }) });
 * const items = await api.get('items').json();
 * const once = await api.get('items', { retry: 0 }).json(); // ky's own options still apply
 * ```
 */
export function kyHooks(options: KyHooksOptions = {}): Options & { hooks: Hooks } {
  optionsObject('kyHooks: options', options);
  const onEvent = func('kyHooks: onEvent', options.onEvent);
  const hooks: Required<Pick<Hooks, 'init' | 'beforeRequest'>> = { init: [], beforeRequest: [] };

  const breakerOption = options.circuitBreaker ?? {};
  if (breakerOption !== false) {
    const breaker =
      typeof breakerOption === 'function'
        ? breakerOption
        : circuitBreaker({ ...breakerOption, onEvent: bothListeners(onEvent, breakerOption.onEvent) });
    coreOf(breaker) ??
      invalid('kyHooks: circuitBreaker', 'options or a breaker from circuitBreaker()', breaker);
    // Each attempt goes through the breaker where it is sent, in the call's fetch: after every hook has run, so
    // an attempt that a hook stopped (`ky.stop`, a thrown error, a Response returned instead) holds no permit.
    hooks.init.push((kyOptions) => {
      kyOptions.fetch = breaker(kyOptions.fetch ?? globalFetch);
    });
  }

  if (options.retry !== false) retryHooks(options.retry, onEvent, hooks);
  return { hooks };
}
