import { type AdmissionProbe, PROBE } from '../admission-probe.ts';
import { defaultBackoff as fullJitter } from '../backoff.ts';
import { redactUrl } from '../events.ts';
import { hasHeader, requestHeaders, requestMethod, requestSignal, requestUrl } from '../request-info.ts';
import { mergedOver, perRequest } from '../request-options.ts';
import type { FetchLike, Middleware } from '../types.ts';
import { clockOption, func } from '../validate.ts';
import { replayOf } from './body.ts';
import { createBudget } from './budget.ts';
import { execute } from './engine.ts';
import { type HttpCall, httpAttempts } from './http-attempts.ts';
import { type NormalisedRetryOptions, normaliseRetryOptions, type RetryOptions } from './options.ts';

/**
 * Marks the init a retry stage passes downstream. A retry stage that sees it (a resilient fetch used as the
 * transport of another, or installed globally under one) passes the call straight through, so retries never
 * multiply across layers (AWS Builders' Library: 3 retries at each of 5 layers is 243× the load).
 * A registered symbol, so two copies of the package agree on it.
 */
export const RETRYING: symbol = Symbol.for('resilient-fetch.retrying');

/**
 * Retries failed calls with backoff and jitter, honouring Retry-After and rate-limit headers and the server's
 * own `x-should-retry`, within a retry budget shared by every call through the stage. The rules, in order,
 * are in `rules.ts`: idempotent methods are retried on any retryable failure; POST, PATCH… with an
 * `Idempotency-Key` header, or when the failure shows the server did not process the request (a 429, 503,
 * 529, rate-limit 403, or a connection refused before sending). The last response is returned as is (a 503
 * is a value); an error that was retried until the end rejects with `RetryExhaustedError`.
 *
 * @throws {TypeError|RangeError} for a bad option, naming it.
 * @example
 * ```ts
 * const fetchWithRetry = retry({ limit: 3, onRetry: (c, delay) => console.log(c.attempt, delay) })(fetch);
 * const response = await fetchWithRetry('https://example.com/data', { resilience: { retry: { limit: 5 } } });
 * ```
 */
export function retry(options: RetryOptions = {}): Middleware {
  // The default backoff draws from the stage's clock, so an injected clock makes delays reproducible.
  const defaultBackoff = fullJitter(() => clock.random());
  const normalise = (raw: RetryOptions) => normaliseRetryOptions(raw, defaultBackoff);
  // Checks that `options` is an options object before any field is read.
  const normalised = normalise(options);
  const clock = clockOption('retry: clock', options.clock);
  const onEvent = func('retry: onEvent', options.onEvent);
  const budget = options.budget === false ? undefined : createBudget(options.budget);
  const merge = mergedOver(options, normalise, 'limit');

  return function retryMiddleware(next: FetchLike): FetchLike {
    const attempts = httpAttempts(next, clock, budget, onEvent);

    return function retryFetch(input, init) {
      if ((init as Record<symbol, unknown> | undefined)?.[RETRYING]) return next(input, init);
      let resolved: NormalisedRetryOptions | false | undefined;
      try {
        resolved = perRequest(init, 'retry', merge) ?? normalised;
      } catch (error) {
        return Promise.reject(error);
      }
      const now = clock.now();
      budget?.deposit(now);
      if (resolved === false) return next(input, init);

      const method = requestMethod(input, init);
      // The headers it would send: init's, else the `Request` input's.
      const headers = requestHeaders(input, init);
      let keyed = hasHeader(headers, 'idempotency-key');
      // RFC 9110 §9.2.2: a non-idempotent request is sent again blindly only with an Idempotency-Key; without
      // one the rules retry it only where the failure shows the server did not process it (rules.ts).
      if (resolved.limit && !keyed && resolved.idempotencyKey && !resolved.methods.has(method)) {
        // A copy of them, with the key.
        const withKey = new Headers(headers);
        withKey.set('idempotency-key', resolved.idempotencyKey());
        init = { ...init, headers: withKey };
        keyed = true;
      }
      const replay = resolved.limit ? replayOf(input, init) : 'none';
      // A stream body is sent once: the call may not retry at all, and says so when it would.
      const stream = replay === 'not-replayable';
      const limit = stream ? 0 : resolved.limit;
      const call: HttpCall = {
        limit,
        refusal: stream ? replay : 'limit',
        backoff: resolved.backoff,
        signal: requestSignal(input, init),
        start: now,
        attempts: 0,
        input,
        init: {
          ...init,
          [RETRYING]: true,
          // Only a call that may retry asks the breaker below about its next attempt.
          [PROBE]: limit ? ({} satisfies AdmissionProbe) : undefined,
        },
        options: resolved,
        method,
        keyed,
        clone: replay === 'clone',
        url: onEvent ? redactUrl(requestUrl(input)) : '',
        context: undefined,
      };
      onEvent?.({ type: 'request', url: call.url, method });
      return execute(attempts, call);
    };
  };
}
