/**
 * `resilient-fetch/ky`: this package inside ky 2. `ky` is an optional peer dependency; the core never imports it.
 *
 * @packageDocumentation
 */
import { type Hooks, HTTPError, type InitHook, NetworkError, type Options } from 'ky';
import { type Backoff, defaultBackoff } from './backoff.ts';
import type { CircuitBreaker } from './circuit-breaker/circuit-breaker.ts';
import { callRetry, KY_UNSET_LIMIT, type KyRetryOptions, kyOverride } from './ky-retry.ts';
import type { RequestRetryOptions, ResilienceRequestOptions } from './request-options.ts';
import { type ResilientFetch, type ResilientFetchOptions, resilientFetch } from './resilient-fetch.ts';
import { transportFailure } from './response-check.ts';
import type { RetryContext, RetryOptions } from './retry/options.ts';
import { retryDefaults } from './retry/rules.ts';
import type { FetchLike } from './types.ts';

declare module 'ky' {
  interface Options {
    /** Per-request options for resilient-fetch stages; ky forwards them to its `fetch`. */
    resilience?: ResilienceRequestOptions;
  }
}

/** What `kyResilience()` returns: ky options to spread into `ky.create()` or `.extend()`. */
export interface KyResilienceOptions extends Options {
  fetch: ResilientFetch;
  retry: 0;
  timeout: false;
  hooks: Hooks & { init: InitHook[] };
}

/** Where the init hook leaves a call's ky `retry` for the pipeline, inside the forwarded `resilience`. */
const FROM_KY: unique symbol = Symbol('resilient-fetch.ky-retry');

interface Handover {
  retry: KyRetryOptions;
  /** The call's ky options, for the `HTTPError` handed to ky's `shouldRetry`. */
  options: Options;
}

type ForwardedResilience = ResilienceRequestOptions & { [FROM_KY]?: Handover };

/**
 * ky options that make `resilientFetch(options)` ky's `fetch`. ky's own retry loop is off for every call
 * (limit 0, whatever the call or an `.extend()` says) and its timeout is `false`, so nothing is retried twice
 * and ky's deadline does not cut through the pipeline's waits (the pipeline's `timeout` and `attemptTimeout`
 * take over). A ky `retry` option on the call or the instance is handed to the pipeline's retry stage for
 * that call, with ky's meaning: `{ retry: 3 }` makes at most 4 attempts, `{ retry: 0 }` one; a call's ky
 * `timeout` becomes its `attemptTimeout`. ky's `beforeRetry` hooks do not run (there is no ky loop).
 * `ky.get(url, { resilience: {...} })` reaches the pipeline and wins over the ky `retry` option, field by field.
 *
 * Keep the returned `hooks` (pass further hooks with `.extend()`, which appends them): its `init` hook is what
 * hands a call's ky `retry` over to the pipeline.
 *
 * @example
 * ```ts
 * import ky from 'ky';
 * import { kyResilience } from 'resilient-fetch/ky';
 *
 * const api = ky.create({ prefix: 'https://api.example.com', ...kyResilience({ retry: { limit: 3 } }) });
 * const items = await api.get('items', { resilience: { attemptTimeout: 2_000 } }).json();
 * const once = await api.get('items', { retry: 0 }).json(); // one attempt, as in ky
 * ```
 */
export function kyResilience(options: ResilientFetchOptions = {}): KyResilienceOptions {
  const pipeline = resilientFetch(options);
  const retry: RetryOptions =
    typeof options.retry === 'number' ? { limit: options.retry } : options.retry || {};
  const random = () => (retry.clock ?? Math).random();
  // What a ky `backoffLimit` alone caps: the stage's backoff.
  const backoff: Backoff = retry.backoff ?? defaultBackoff(random);

  const kyFetch: FetchLike = function kyResilientFetch(input, init) {
    // The call's `resilience` is the init hook's copy: its retry options for the pipeline become its ky `retry`
    // mapped, with its own `resilience.retry` over them.
    const resilience = init?.resilience as ForwardedResilience | undefined;
    const handover = resilience?.[FROM_KY];
    if (handover && resilience.retry !== false) {
      try {
        const ky = handover.retry;
        const merged: RequestRetryOptions = kyOverride(ky, {}, backoff, random);
        const own = resilience.retry;
        Object.assign(merged, typeof own === 'number' ? { limit: own } : own);
        if ((ky.shouldRetry || ky.retryOnTimeout === false) && merged.shouldRetry === undefined) {
          const limit = merged.limit ?? retry.limit ?? retryDefaults.limit;
          merged.shouldRetry = askLikeKy(ky, handover.options, input as Request, limit);
        }
        resilience.retry = merged;
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return pipeline(input, init);
  };
  if (pipeline.circuitBreaker) {
    (kyFetch as { circuitBreaker?: CircuitBreaker }).circuitBreaker = pipeline.circuitBreaker;
  }

  return { fetch: kyFetch, retry: KY_UNSET_LIMIT, timeout: false, hooks: { init: [handOverRetry] } };
}

/**
 * ky's init hook sees each call's options merged with the instance's: it takes the `retry` and `timeout` they
 * give and turns ky's loop and deadline off for the call. ky does not forward its own options to `fetch`, so
 * they travel in `resilience`, which it does forward.
 */
function handOverRetry(options: Options): void {
  const retry = callRetry(options.retry);
  // Unset rather than 0, so that a second kyResilience() in an `.extend()` chain does not read a limit of 0.
  options.retry = KY_UNSET_LIMIT;
  const timeout = options.timeout;
  if (!retry && typeof timeout !== 'number') return;
  const resilience: ForwardedResilience = { ...options.resilience };
  if (typeof timeout === 'number') {
    options.timeout = false;
    // ky's `timeout` is per attempt: the pipeline's `attemptTimeout`, unless the call's `resilience` sets one.
    if (resilience.attemptTimeout === undefined) resilience.attemptTimeout = timeout;
  }
  if (retry) resilience[FROM_KY] = { retry, options };
  options.resilience = resilience;
}

/**
 * The pipeline's `shouldRetry` for a call that brought ky's `shouldRetry` or `retryOnTimeout: false`, asked
 * as ky asks it (ky's `Ky.ts`): only about a failure, only while a retry remains, with ky's
 * `{ error, retryCount }`; a boolean decides (within the method rule of the retry rules), anything else keeps
 * the rules, and then `retryOnTimeout: false` refuses a timeout.
 */
function askLikeKy(
  ky: KyRetryOptions,
  options: Options,
  request: Request,
  limit: number,
): (context: RetryContext) => Promise<boolean | undefined> | undefined {
  return ({ attempt, response, error: thrown }) => {
    if (attempt > limit || response?.ok) return undefined;
    // The error ky would hand its `shouldRetry`: an `HTTPError` for a failed status, a `NetworkError` for
    // fetch's network `TypeError`, any other error as it is (a timeout keeps the name `TimeoutError` that ky's
    // `isTimeoutError()` checks).
    const error = response
      ? new HTTPError(response, request, options as never)
      : transportFailure(thrown) === 'network-error'
        ? new NetworkError(request, { cause: thrown as Error })
        : thrown instanceof Error
          ? thrown
          : new Error(String(thrown), { cause: thrown });
    return Promise.resolve(ky.shouldRetry?.({ error, retryCount: attempt })).then((answer) =>
      typeof answer === 'boolean'
        ? answer
        : ky.retryOnTimeout === false && error.name === 'TimeoutError'
          ? false
          : undefined,
    );
  };
}

export type { KyHooksOptions } from './ky-hooks.ts';
export { kyHooks } from './ky-hooks.ts';
