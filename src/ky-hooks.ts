import ky, { type Options } from 'ky';
import { exponentialBackoff } from './backoff.ts';
import { gateOf, type Permit } from './circuit-breaker/admission.ts';
import { type CircuitBreaker, circuitBreaker } from './circuit-breaker/circuit-breaker.ts';
import type { CircuitBreakerOptions } from './circuit-breaker/options.ts';
import { systemClock } from './clock.ts';
import { CircuitOpenError } from './errors/circuit-open-error.ts';
import { bothListeners, type ResilienceEventListener, type RetryReason, redactUrl } from './events.ts';
import type { Outcome } from './outcome.ts';
import { transportFailure } from './response-check.ts';
import { createBudget } from './retry/budget.ts';
import { normaliseRetryOptions, type RetryOptions } from './retry/options.ts';
import { type Attempt, errorVerdict, giveUpReason, responseVerdict, type Verdict } from './retry/rules.ts';
import { func, invalid, nonNegativeInteger, optionsObject } from './validate.ts';

/** Options of `kyHooks()`. */
export interface KyHooksOptions {
  /**
   * How ky's own retry loop decides: limit, methods, statuses, backoff, `maxRetryAfter`, budget (the same
   * options as `retry()`); a number is the limit; `false` leaves ky's retry settings alone.
   * @default {}
   */
  retry?: Omit<RetryOptions, 'clock' | 'onRetry' | 'shouldRetry' | 'idempotencyKey'> | number | false;
  /** Circuit breaker options, a breaker to share, or `false` for no breaker. @default {} */
  circuitBreaker?: CircuitBreakerOptions | CircuitBreaker | false;
  /** Receives `'request'`, `'retry'`, `'budget-exhausted'` and the breaker's events. */
  onEvent?: ResilienceEventListener;
}

/** Per call state, found from the options object ky keeps for one call, or from an attempt's request. */
interface CallState {
  permit: Permit | undefined;
  start: number;
}

type Hooks = NonNullable<Options['hooks']>;
const KY_METHODS = ['get', 'put', 'head', 'delete', 'options', 'trace', 'query', 'post', 'patch'];

/**
 * ky options that keep ky's own retry loop but drive it with this package's rules:
 * - every attempt is gated by a circuit breaker (per origin by default) and its outcome recorded;
 * - a retried status waits for exactly the server-requested time (Retry-After or rate-limit headers, never
 *   jittered; above `maxRetryAfter` no retry), else for this package's backoff;
 * - the same retry rules as `retry()` (methods, statuses, server directives, rate-limit 403s, waits); the
 *   retry budget is shared by every call through these hooks.
 *
 * Prefer `kyResilience()` when ky may simply use the pipeline as its `fetch`; use these hooks when ky's
 * retry loop must stay (its `beforeRetry` hooks, its `timeout` per attempt).
 *
 * @example
 * ```ts
 * import ky from 'ky';
 * import { kyHooks } from 'resilient-fetch/ky';
 *
 * const api = ky.create({ prefix: 'https://api.example.com', ...kyHooks({ retry: { limit: 3 } }) });
 * const items = await api.get('items').json();
 * ```
 */
export function kyHooks(options: KyHooksOptions = {}): Options & { hooks: Hooks } {
  optionsObject('kyHooks: options', options);
  const onEvent = func('kyHooks: onEvent', options.onEvent);
  const clock = systemClock;
  const calls = new WeakMap<object, CallState>();
  const stateOf = (key: object): CallState => {
    let state = calls.get(key);
    if (!state) {
      state = { permit: undefined, start: clock.now() };
      calls.set(key, state);
    }
    return state;
  };
  const hooks: Required<Pick<Hooks, 'beforeRequest' | 'beforeRetry' | 'afterResponse' | 'beforeError'>> = {
    beforeRequest: [],
    beforeRetry: [],
    afterResponse: [],
    beforeError: [],
  };
  const result: Options & { hooks: Hooks } = { hooks };
  // One state per call, reachable from ky's per-call options and from each attempt's request.
  const track = (request: Request, kyOptions: object) => {
    const state = stateOf(kyOptions);
    calls.set(request, state);
    return state;
  };
  hooks.beforeRequest.push(({ request, options: kyOptions }) => void track(request, kyOptions));
  hooks.beforeRetry.push(({ request, options: kyOptions }) => void track(request, kyOptions));

  const breakerOption = options.circuitBreaker ?? {};
  if (breakerOption !== false) {
    const breaker =
      typeof breakerOption === 'function'
        ? breakerOption
        : circuitBreaker({ ...breakerOption, onEvent: bothListeners(onEvent, breakerOption.onEvent) });
    const gate =
      gateOf(breaker) ??
      invalid('kyHooks: circuitBreaker', 'options or a breaker from circuitBreaker()', breaker);
    const enter = async (request: Request, state: CallState) => {
      state.permit = await gate.admit(request, undefined);
    };
    const settle = (state: CallState | undefined, outcome: Outcome<Response>, aborted = false) => {
      const permit = state?.permit;
      if (!permit) return;
      state.permit = undefined;
      gate.settle(permit, outcome, aborted);
    };
    hooks.beforeRequest.push(async ({ request, options: kyOptions }) => {
      await enter(request, stateOf(kyOptions));
    });
    hooks.afterResponse.push(({ options: kyOptions, response }) => {
      settle(calls.get(kyOptions), { threw: false, value: response });
    });
    // ky reports a failed attempt only when it retries (beforeRetry) or gives up (beforeError).
    hooks.beforeRetry.push(async ({ request, options: kyOptions, error }) => {
      const state = stateOf(kyOptions);
      settle(state, { threw: true, error: unwrap(error) }, request.signal.aborted);
      await enter(request, state);
    });
    hooks.beforeError.push(({ request, options: kyOptions, error }) => {
      settle(calls.get(kyOptions), { threw: true, error: unwrap(error) }, request.signal.aborted);
      return error;
    });
  }

  if (options.retry !== false) {
    const raw =
      typeof options.retry === 'number'
        ? { limit: nonNegativeInteger('kyHooks: retry', options.retry) }
        : (options.retry ?? {});
    const retry = normaliseRetryOptions(raw, exponentialBackoff());
    const budget = raw.budget === false ? undefined : createBudget(raw.budget);
    const retryEvents = func('kyHooks: retry.onEvent', raw.onEvent);
    const emit = bothListeners(onEvent, retryEvents);
    const now = () => clock.now();
    const attemptOf = (request: Request): Attempt => ({
      method: request.method,
      keyed: request.headers.get('idempotency-key') !== null,
    });
    // The limit and the budget, as retry() applies them: true when this retry may be made.
    const mayRetry = (request: Request, verdict: Verdict, final: boolean) => {
      const giveUp = giveUpReason(verdict, final, 'limit', budget, clock.now());
      if (giveUp === 'budget')
        emit?.({ type: 'budget-exhausted', url: redactUrl(request.url), method: request.method });
      return verdict.kind === 'retry' && giveUp === undefined;
    };
    const announce = (
      request: Request,
      attempt: number,
      delay: number,
      reason: RetryReason,
      status?: number,
    ) =>
      emit?.({
        type: 'retry',
        attempt,
        delay,
        reason,
        ...(status === undefined ? {} : { status }),
        url: redactUrl(request.url),
        method: request.method,
        elapsed: clock.now() - (calls.get(request)?.start ?? clock.now()),
      });
    // ky asks `delay()` right after `shouldRetry` says yes, in the same order: the delays chosen (and
    // announced) in shouldRetry are handed over first in, first out.
    const chosen: number[] = [];

    hooks.beforeRequest.unshift(({ request }) => {
      budget?.deposit(clock.now());
      emit?.({ type: 'request', url: redactUrl(request.url), method: request.method });
    });
    // Retried statuses are decided here, where the response (and its headers) is at hand: a forced retry
    // carries the exact delay, the server's own when it asked for one.
    hooks.afterResponse.push(({ request, response, retryCount }) => {
      const final = retryCount >= retry.limit;
      const verdict = responseVerdict(retry, attemptOf(request), response, final, now);
      if (verdict.kind !== 'retry' || !mayRetry(request, verdict, final)) return;
      const delay = verdict.wait ?? retry.backoff(retryCount + 1);
      announce(request, retryCount + 1, delay, verdict.reason, response.status);
      return ky.retry({ delay, code: 'RESILIENT_FETCH_STATUS' });
    });
    result.retry = {
      limit: retry.limit,
      methods: KY_METHODS,
      statusCodes: [...retry.statusCodes],
      afterStatusCodes: [],
      retryOnTimeout: true,
      delay: (attempt) => chosen.shift() ?? retry.backoff(attempt),
      // Errors only: a retried status was already decided in afterResponse, so an HTTPError here is final.
      shouldRetry: ({ error, retryCount }) => {
        const request = (error as { request?: Request }).request;
        if (!request || (error as Error).name === 'HTTPError') return false;
        const verdict = errorVerdict(retry, attemptOf(request), unwrap(error));
        if (verdict.kind !== 'retry' || !mayRetry(request, verdict, retryCount > retry.limit)) return false;
        const delay = retry.backoff(retryCount);
        chosen.push(delay);
        announce(request, retryCount, delay, verdict.reason);
        return true;
      },
    };
  }
  return result;
}

/** ky wraps fetch's network `TypeError` in its `NetworkError` and reports its own timeouts as `TimeoutError`. */
function unwrap(error: Error): unknown {
  if (error instanceof CircuitOpenError) return error;
  // The original error keeps undici's `cause.code`, which tells a connection refused before sending.
  if (error.name === 'NetworkError')
    return transportFailure(error.cause) === 'network-error'
      ? error.cause
      : new TypeError(error.message, { cause: error });
  return error;
}
