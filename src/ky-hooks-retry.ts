import type { Hooks, RetryOptions as KyRetryOptions, ShouldRetryState } from 'ky';
import { defaultBackoff as fullJitter } from './backoff.ts';
import { MAX_DELAY, systemClock } from './clock.ts';
import { bothListeners, type ResilienceEventListener, redactUrl } from './events.ts';
import type { KyHooksOptions } from './ky-hooks.ts';
import { callRetry, kyOverride } from './ky-retry.ts';
import { transportFailure } from './response-check.ts';
import { createBudget } from './retry/budget.ts';
import { normaliseRetryOptions, type RetryContext, type RetryOptions } from './retry/options.ts';
import { type Attempt, errorVerdict, overrideVerdict, responseVerdict, type Verdict } from './retry/rules.ts';
import { func, nonNegativeInteger } from './validate.ts';

/**
 * The retry half of `kyHooks()`: ky's own loop, deciding every retry through the retry rules. The init hook
 * gives each call a ky `retry` whose `shouldRetry` judges the failure by the rules (with the call's own ky
 * options over this package's defaults) and whose `delay` returns the wait chosen there, so ky's own checks
 * (its statuses, Retry-After handling, 413, `retryOnTimeout`) never differ from the rules.
 */

const KY_METHODS = ['get', 'put', 'head', 'delete', 'options', 'trace', 'query', 'post', 'patch'];

/**
 * Adds to `hooks` ky's `init` hook that drives the loop of each call, and a first `beforeRequest` hook that
 * reports the call.
 */
export function retryHooks(
  option: Exclude<KyHooksOptions['retry'], false>,
  onEvent: ResilienceEventListener | undefined,
  hooks: Required<Pick<Hooks, 'init' | 'beforeRequest'>>,
): void {
  const raw =
    typeof option === 'number' ? { limit: nonNegativeInteger('kyHooks: retry', option) } : (option ?? {});
  const defaultBackoff = fullJitter(() => Math.random());
  const base = normaliseRetryOptions(raw, defaultBackoff);
  const budget = raw.budget === false ? undefined : createBudget(raw.budget);
  const emit = bothListeners(onEvent, func('kyHooks: retry.onEvent', raw.onEvent));

  // ky's init hook sees each call's options merged with the instance's, its `retry` among them: the call
  // gets a ky retry whose `shouldRetry` decides everything by the rules, so ky's own checks (statuses,
  // Retry-After, 413, `retryOnTimeout`) never differ from them.
  hooks.init.push((kyOptions) => {
    const call = callRetry(kyOptions.retry);
    // ky's `maxRetryAfter` from the call: a cap on a server's wait, as in ky, instead of a refusal.
    let cap = MAX_DELAY;
    let rules = base;
    /** ky's state of the failure being judged, and the call's own ky `shouldRetry`'s answer to it. */
    let state: ShouldRetryState;
    let answer: boolean | undefined;
    if (call) {
      // The rules for this call: this package's, with the call's own ky retry options over them.
      const override: RetryOptions = kyOverride(call, { ...raw }, base.backoff, Math.random);
      if (call.maxRetryAfter !== undefined) {
        cap = override.maxRetryAfter as number;
        // The cap is applied in `shouldRetry`: the rules must not refuse a longer wait first.
        override.maxRetryAfter = MAX_DELAY;
      }
      // The rules apply the call's ky `shouldRetry` as they apply `shouldRetry`, asked with ky's state.
      const ask = call.shouldRetry;
      if (ask) override.shouldRetry = async () => (answer = await ask(state));
      rules = normaliseRetryOptions(override, defaultBackoff);
    }
    const start = systemClock.now();
    /** The delay chosen by the last `shouldRetry` that said yes, for ky's `delay()` that follows it. */
    let chosen: number | undefined;
    budget?.deposit(start);
    kyOptions.retry = {
      limit: rules.limit,
      methods: KY_METHODS as KyRetryOptions['methods'],
      // A retry that `shouldRetry` did not decide (ky.retry() from an afterResponse hook) gets the backoff.
      delay: (attempt) => {
        const delay = chosen ?? rules.backoff(attempt);
        chosen = undefined;
        return delay;
      },
      /**
       * ky asks this for every failure while a retry remains (ky's limit check comes first): the verdict is
       * the rules', with the call's ky `shouldRetry` applied over it, ky's `maxRetryAfter` as a cap and
       * `retryOnTimeout: false` as a refusal.
       */
      shouldRetry: async (failure: ShouldRetryState): Promise<boolean> => {
        const { error, retryCount } = failure;
        const request = (error as { request?: Request }).request;
        // The call's method and headers as ky's options have them, for an error that carries no request.
        const attempt: Attempt = {
          method: request?.method ?? (kyOptions.method ?? 'GET').toUpperCase(),
          keyed: (request?.headers ?? new Headers(kyOptions.headers as HeadersInit)).has('idempotency-key'),
        };
        const now = systemClock.now();
        const response = error.name === 'HTTPError' ? (error as { response?: Response }).response : undefined;
        let verdict: Verdict = response
          ? responseVerdict(rules, attempt, response, false, () => now)
          : errorVerdict(
              rules,
              attempt,
              // The error the rules know: ky wraps fetch's network `TypeError` in its `NetworkError` (whose
              // cause keeps undici's `cause.code`, which tells a connection refused before sending) and
              // reports its own timeouts as `TimeoutError`.
              error.name !== 'NetworkError'
                ? error
                : transportFailure(error.cause) === 'network-error'
                  ? error.cause
                  : new TypeError(error.message, { cause: error }),
            );
        if (call?.shouldRetry) {
          state = failure;
          // Only what the rules read besides `shouldRetry`'s answer: ky's `shouldRetry` gets ky's state.
          const context = { response, error } as RetryContext;
          verdict = await overrideVerdict(rules, attempt, context, verdict, false, () => now);
        }
        if (verdict.kind !== 'retry') return false;
        // ky's `retryOnTimeout: false` refuses a timeout that the call's ky `shouldRetry` did not decide.
        if (verdict.reason === 'timeout' && answer === undefined && call?.retryOnTimeout === false) {
          return false;
        }
        const url = request ? redactUrl(request.url) : '';
        if (budget && !budget.withdraw(now)) {
          emit?.({ type: 'budget-exhausted', url, method: attempt.method });
          return false;
        }
        chosen = verdict.wait === undefined ? rules.backoff(retryCount) : Math.min(verdict.wait, cap);
        emit?.({
          type: 'retry',
          attempt: retryCount,
          delay: chosen,
          reason: verdict.reason,
          ...(response ? { status: response.status } : {}),
          url,
          method: attempt.method,
          elapsed: now - start,
        });
        return true;
      },
    };
  });
  hooks.beforeRequest.unshift(({ request }) => {
    emit?.({ type: 'request', url: redactUrl(request.url), method: request.method });
  });
}
