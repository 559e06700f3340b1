import type { Hooks, RetryOptions as KyRetryOptions, Options, ShouldRetryState } from 'ky';
import { type Backoff, exponentialBackoff } from './backoff.ts';
import { type CircuitBreaker, circuitBreaker } from './circuit-breaker/circuit-breaker.ts';
import type { CircuitBreakerOptions } from './circuit-breaker/options.ts';
import { ADMIT, type Outcome, type Permit } from './circuit-breaker/permit.ts';
import { MAX_DELAY, systemClock } from './clock.ts';
import { CircuitOpenError } from './errors/circuit-open-error.ts';
import { bothListeners, type EventListener, redactUrl } from './events.ts';
import { callRetry, kyBackoff, kyMaxRetryAfter, kyMethods } from './ky-retry.ts';
import { transportFailure } from './response-check.ts';
import { createBudget } from './retry/budget.ts';
import {
  type NormalisedRetryOptions,
  normaliseRetryOptions,
  type RetryContext,
  type RetryOptions,
} from './retry/options.ts';
import {
  type Attempt,
  errorVerdict,
  giveUpReason,
  NOT_RETRYABLE,
  overrideVerdict,
  responseVerdict,
  type Verdict,
} from './retry/rules.ts';
import { func, nonNegativeInteger, optionsObject } from './validate.ts';

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
  onEvent?: EventListener;
}

/** Per call state of the breaker, found from the options object ky keeps for one call. */
interface CallState {
  permit: Permit | undefined;
}

/** What one call decided in ky's `shouldRetry`, for ky's `delay()` that follows it. */
interface RetryState {
  rules: NormalisedRetryOptions;
  /** ky's `maxRetryAfter` from the call: a cap on a server's wait, as in ky, instead of a refusal. */
  cap: number | undefined;
  ask: KyRetryOptions['shouldRetry'];
  retryOnTimeout: boolean | undefined;
  /** The call's method and headers as ky's options had them, for an error that carries no request. */
  method: string;
  headers: Options['headers'];
  start: number;
  /** The delay chosen by the last `shouldRetry` that said yes. */
  delay: number | undefined;
}

type AllHooks = Required<
  Pick<Hooks, 'init' | 'beforeRequest' | 'beforeRetry' | 'afterResponse' | 'beforeError'>
>;
const KY_METHODS = ['get', 'put', 'head', 'delete', 'options', 'trace', 'query', 'post', 'patch'];

/**
 * ky options that keep ky's own retry loop but drive it with this package's rules:
 * - every attempt is gated by a circuit breaker (per origin by default) and its outcome recorded;
 * - ky's loop decides with this package's defaults (statuses, backoff, Retry-After and rate-limit headers,
 *   never jittered; above `maxRetryAfter` no retry), and the call's own ky `retry` options (`limit`,
 *   `methods`, `statusCodes`, `delay`, `jitter`, `backoffLimit`, `maxRetryAfter` as a cap, `retryOnTimeout`,
 *   `shouldRetry` with ky's `{ error, retryCount }`) override them with ky's meaning;
 * - POST/PATCH are retried only with an `Idempotency-Key` header (or when the call's ky `methods` name them);
 *   the retry budget is shared by every call through these hooks.
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
  const clock = systemClock;
  const hooks: AllHooks = {
    init: [],
    beforeRequest: [],
    beforeRetry: [],
    afterResponse: [],
    beforeError: [],
  };

  const breakerOption = options.circuitBreaker ?? {};
  if (breakerOption !== false) {
    const breaker =
      typeof breakerOption === 'function'
        ? breakerOption
        : circuitBreaker({ ...breakerOption, onEvent: bothListeners(onEvent, breakerOption.onEvent) });
    const calls = new WeakMap<object, CallState>();
    const stateOf = (key: object): CallState => {
      let state = calls.get(key);
      if (!state) {
        state = { permit: undefined };
        calls.set(key, state);
      }
      return state;
    };
    const enter = async (request: Request, state: CallState) => {
      state.permit = await breaker[ADMIT](request, undefined);
    };
    const settle = (state: CallState | undefined, outcome: Outcome) => {
      const permit = state?.permit;
      if (!permit) return;
      state.permit = undefined;
      permit.settle(outcome);
    };
    hooks.beforeRequest.push(async ({ request, options: kyOptions }) => {
      await enter(request, stateOf(kyOptions));
    });
    hooks.afterResponse.push(({ options: kyOptions, response }) => {
      settle(calls.get(kyOptions), { response });
    });
    // ky reports a failed attempt only when it retries (beforeRetry) or gives up (beforeError).
    hooks.beforeRetry.push(async ({ request, options: kyOptions, error }) => {
      const state = stateOf(kyOptions);
      settle(state, { error: unwrap(error), aborted: request.signal.aborted });
      await enter(request, state);
    });
    hooks.beforeError.push(({ request, options: kyOptions, error }) => {
      settle(calls.get(kyOptions), { error: unwrap(error), aborted: request.signal.aborted });
      return error;
    });
  }

  if (options.retry !== false) {
    const raw =
      typeof options.retry === 'number'
        ? { limit: nonNegativeInteger('kyHooks: retry', options.retry) }
        : (options.retry ?? {});
    const defaultBackoff = exponentialBackoff();
    const base = normaliseRetryOptions(raw, defaultBackoff);
    const budget = raw.budget === false ? undefined : createBudget(raw.budget);
    const emit = bothListeners(onEvent, func('kyHooks: retry.onEvent', raw.onEvent));

    /** The rules for one call: this package's, with the call's own ky retry options over them. */
    const rulesFor = (call: KyRetryOptions | undefined, cap: number | undefined): NormalisedRetryOptions => {
      if (call === undefined) return base;
      const override: RetryOptions = { ...raw };
      // ky's `maxRetryAfter` caps a server's wait (applied in `decide`): the rules must not refuse it first.
      if (cap !== undefined) override.maxRetryAfter = MAX_DELAY;
      if (call.limit !== undefined) override.limit = call.limit;
      const methods = kyMethods(call);
      if (methods) override.methods = methods;
      if (call.statusCodes !== undefined) override.statusCodes = call.statusCodes;
      const backoff: Backoff | undefined = kyBackoff(call, base.backoff, Math.random);
      if (backoff) override.backoff = backoff;
      return normaliseRetryOptions(override, defaultBackoff);
    };

    /**
     * ky asks this for every failure while a retry remains (ky's limit check comes first): the verdict is the
     * rules', with the call's ky `shouldRetry` applied over it as the rules apply `shouldRetry`, ky's
     * `maxRetryAfter` as a cap and `retryOnTimeout: false` as a refusal.
     */
    const decide = async (state: RetryState, { error, retryCount }: ShouldRetryState): Promise<boolean> => {
      const { rules } = state;
      const request = (error as { request?: Request }).request;
      const attempt: Attempt = {
        method: request?.method ?? state.method,
        keyed: (request?.headers ?? new Headers(state.headers as HeadersInit)).has('idempotency-key'),
      };
      const now = clock.now();
      const response = error.name === 'HTTPError' ? (error as { response?: Response }).response : undefined;
      let verdict: Verdict = response
        ? responseVerdict(rules, attempt, response, false, now)
        : errorVerdict(rules, attempt, unwrap(error));
      const url = request ? redactUrl(request.url) : '';
      const ask = state.ask;
      let answer: boolean | undefined;
      if (ask) {
        const context: RetryContext = {
          attempt: retryCount,
          elapsed: now - state.start,
          method: attempt.method,
          url: request?.url ?? '',
          ...(response ? { response } : { error }),
        };
        const asked = { ...rules, shouldRetry: async () => (answer = await ask({ error, retryCount })) };
        verdict = await overrideVerdict(asked, attempt, context, verdict, false, now);
      }
      if (verdict.kind === 'retry' && verdict.reason === 'timeout' && answer === undefined) {
        if (state.retryOnTimeout === false) verdict = NOT_RETRYABLE;
      }
      if (giveUpReason(verdict, false, 'limit', budget, now) === 'budget') {
        emit?.({ type: 'budget-exhausted', url, method: attempt.method });
        return false;
      }
      if (verdict.kind !== 'retry') return false;
      const wait = verdict.wait === undefined ? undefined : Math.min(verdict.wait, state.cap ?? MAX_DELAY);
      const delay = wait ?? rules.backoff(retryCount);
      state.delay = delay;
      emit?.({
        type: 'retry',
        attempt: retryCount,
        delay,
        reason: verdict.reason,
        ...(response ? { status: response.status } : {}),
        url,
        method: attempt.method,
        elapsed: now - state.start,
      });
      return true;
    };

    // ky's init hook sees each call's options merged with the instance's, its `retry` among them: the call
    // gets a ky retry whose `shouldRetry` decides everything by the rules, so ky's own checks (statuses,
    // Retry-After, 413, `retryOnTimeout`) never differ from them.
    hooks.init.push((kyOptions) => {
      const call = callRetry(kyOptions.retry);
      const cap = call ? kyMaxRetryAfter(call) : undefined;
      const rules = rulesFor(call, cap);
      const state: RetryState = {
        rules,
        cap,
        ask: func('ky retry.shouldRetry', call?.shouldRetry),
        retryOnTimeout: call?.retryOnTimeout,
        method: (kyOptions.method ?? 'GET').toUpperCase(),
        headers: kyOptions.headers,
        start: clock.now(),
        delay: undefined,
      };
      budget?.deposit(state.start);
      kyOptions.retry = {
        limit: rules.limit,
        methods: KY_METHODS as KyRetryOptions['methods'],
        backoffLimit: Number.POSITIVE_INFINITY,
        // A retry that `shouldRetry` did not decide (ky.retry() from an afterResponse hook) gets the backoff.
        delay: (attempt) => {
          const delay = state.delay ?? rules.backoff(attempt);
          state.delay = undefined;
          return delay;
        },
        shouldRetry: (kyState) => decide(state, kyState),
      };
    });
    hooks.beforeRequest.unshift(({ request }) => {
      emit?.({ type: 'request', url: redactUrl(request.url), method: request.method });
    });
  }
  return { hooks };
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
