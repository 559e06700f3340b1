import { hasName } from '../errors/has-name.ts';
import type { GiveUpReason, RetryReason } from '../events.ts';
import { serverRequestedWait } from '../headers/server-wait.ts';
import { isBrokenTransport, transportFailure } from '../response-check.ts';
import type { NormalisedRetryOptions, RetryContext } from './options.ts';

/**
 * The HTTP retry rules, in the order they apply. `retry()` (through the engine) and `kyHooks()` both decide
 * here; each only adapts what it holds (a fetch call, a ky request) to `Attempt` and acts on the verdict.
 *
 * 1. Defaults: which methods and statuses are retried, how many times, how long a server wait may be.
 * 2. Server directives: `x-should-retry` / `stripe-should-retry` forbid a retry, or allow any failing one.
 * 3. Statuses: those in `statusCodes`; a 409 for a request with an Idempotency-Key; a rate-limit 403.
 * 4. Errors: fetch's network error and a per-attempt timeout; never a breaker's refusal or an unknown error.
 * 5. Methods: a request outside `methods` without an Idempotency-Key is retried only when the failure shows
 *    the server did not process it.
 * 6. Server waits: a server-given wait replaces the backoff; above `maxRetryAfter` the call gives up.
 * 7. `shouldRetry` has the last word, within the method rule.
 * 8. Then the limit, then the budget: the loop that makes the attempts applies them (the engine for
 *    `retry()`, ky's own loop with the budget in `kyHooks()`), after the verdict and before the wait.
 * 9. An abort ends the call: `'aborted'` for the caller's own signal, `'deadline'` for an outer timeout.
 */

/** How the rules judge one attempt's outcome. */
export type Verdict =
  /** A value that is not a failure: the call ends with it. */
  | { kind: 'done' }
  /** A failure that must not be retried: the call ends with it (an error rethrown unchanged). */
  | { kind: 'fail'; giveUp: GiveUpReason }
  /** A failure worth retrying; `wait` (ms) is a server-requested delay that replaces the backoff. */
  | { kind: 'retry'; reason: RetryReason; wait?: number };

export const DONE: Verdict = { kind: 'done' };
export const NOT_RETRYABLE: Verdict = { kind: 'fail', giveUp: 'not-retryable' };

// 1. Defaults ------------------------------------------------------------------------------------------------

/**
 * The defaults of `retry()`, deeply frozen, so a list can be extended rather than retyped:
 * `statusCodes: [...retryDefaults.statusCodes, 418]`.
 */
export const retryDefaults: {
  readonly limit: number;
  readonly methods: readonly string[];
  readonly statusCodes: readonly number[];
  readonly maxRetryAfter: number;
} = /* @__PURE__ */ Object.freeze({
  limit: 2,
  // RFC 9110 §9.2.2 idempotent methods, plus QUERY (safe, IETF httpbis safe-method-w-body draft).
  methods: /* @__PURE__ */ Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY']),
  // 529: "overloaded", as Anthropic's API sends it.
  statusCodes: /* @__PURE__ */ Object.freeze([408, 429, 500, 502, 503, 504, 529]),
  maxRetryAfter: 60_000,
});

/** What the rules need to know of the request an attempt sent. */
export interface Attempt {
  /** Upper case. */
  method: string;
  /** The request carries an `Idempotency-Key` header (its own, or one `idempotencyKey` made). */
  keyed: boolean;
}

// 2. Server directives ---------------------------------------------------------------------------------------

/**
 * `x-should-retry` (OpenAI, Anthropic and other Stainless-built APIs) and `stripe-should-retry` (Stripe): the
 * server knows better than a status code whether trying again can help. `undefined` when neither says.
 */
export function serverDirective(headers: Headers): boolean | undefined {
  const word = (headers.get('x-should-retry') ?? headers.get('stripe-should-retry'))?.trim().toLowerCase();
  return word === 'true' || (word === 'false' ? false : undefined);
}

// 3. Statuses ------------------------------------------------------------------------------------------------

/**
 * A 403 that is a rate limit, not a refusal: it carries `Retry-After`, or `x-ratelimit-remaining: 0` (GitHub's
 * primary and secondary limits). Any other 403 is a permission answer that no retry changes.
 */
export function isRateLimit403(response: Response): boolean {
  const { status, headers } = response;
  return (
    status === 403 &&
    (headers.get('retry-after') !== null || headers.get('x-ratelimit-remaining')?.trim() === '0')
  );
}

// 5. The method rule -----------------------------------------------------------------------------------------

/**
 * Statuses that say the server did not process the request: 408 (RFC 9110 §15.5.9: the server closed without
 * processing), 429 (RFC 6585 §4), 503 (RFC 9110 §15.6.4), 529 (overloaded), each only while retried at all.
 */
const UNPROCESSED = [408, 429, 503, 529];

/**
 * undici's `cause.code` for a connection that failed before the request was sent: refused, no such host, DNS
 * failure, connect timeout. A reset after sending (`ECONNRESET`, `UND_ERR_SOCKET`) leaves it unknown whether
 * the server processed the request; a browser gives no cause at all, which counts as unknown too.
 */
const NOT_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'];

const notSent = (error: unknown) => NOT_SENT.includes((error as { code?: string } | null)?.code as string);

/**
 * Rule 5: whether the request may be sent again after this failure (a `response`, else `error`). A request in
 * `methods` or with an Idempotency-Key may be, whatever the failure; any other only when the failure shows the
 * server did not process it: a status in `UNPROCESSED` (while in `statusCodes`), a rate-limit 403, the server's
 * `x-should-retry: true`, or a connection that failed before sending.
 */
function resendable(
  options: NormalisedRetryOptions,
  attempt: Attempt,
  response: Response | undefined,
  error?: unknown,
): boolean {
  if (attempt.keyed || options.methods.has(attempt.method)) return true;
  if (response) {
    const status = response.status;
    return (
      serverDirective(response.headers) === true ||
      (UNPROCESSED.includes(status) ? options.statusCodes.has(status) : isRateLimit403(response))
    );
  }
  if (transportFailure(error) !== 'network-error') return false;
  const cause = (error as { cause?: { errors?: unknown } | null } | null)?.cause;
  // Happy eyeballs: every address refused (an AggregateError of the attempts).
  const errors = cause?.errors;
  return notSent(cause) || (Array.isArray(errors) && errors.length > 0 && errors.every(notSent));
}

// 4. Errors --------------------------------------------------------------------------------------------------

/**
 * A circuit breaker's refusal (a `CircuitOpenError`, of this copy of the package or another), told by its name
 * and field as `isCircuitOpenError()` tells one, without carrying the class into a bundle that has no breaker.
 */
export function isCircuitRefusal(error: unknown): boolean {
  return hasName(error, 'CircuitOpenError', 'retryAfter');
}

/**
 * The verdict for an error of an attempt (rules 4 and 5). A breaker's refusal is no transport failure (its
 * name is its own), so it is not retried.
 */
export function errorVerdict(options: NormalisedRetryOptions, attempt: Attempt, error: unknown): Verdict {
  const failure = transportFailure(error);
  return !failure || isBrokenTransport(error) || !resendable(options, attempt, undefined, error)
    ? NOT_RETRYABLE
    : { kind: 'retry', reason: failure };
}

// 2, 3, 5 and 6. Responses -----------------------------------------------------------------------------------

/**
 * The verdict for a response (rules 2, 3, 5 and 6). `final` is true when no retry may follow, so the server
 * wait is not read; `now` is read only when it is (a success costs no clock read). A wait above
 * `maxRetryAfter` is not clamped: the call gives up with the response.
 */
export function responseVerdict(
  options: NormalisedRetryOptions,
  attempt: Attempt,
  response: Response,
  final: boolean,
  now: () => number,
): Verdict {
  const status = response.status;
  // Rule 3, before any directive. IETF Idempotency-Key draft: 409 = a request with this key is still being
  // processed; try again later. A rate-limit 403 is retried like a 429.
  const retried =
    options.statusCodes.has(status) ||
    (status === 409 ? attempt.keyed : options.statusCodes.has(429) && isRateLimit403(response));
  // A success is not read any further: a directive speaks only of failing responses.
  if (!retried && status < 400) return DONE;
  const directive = serverDirective(response.headers);
  if (directive === false || (!directive && !retried)) return retried ? NOT_RETRYABLE : DONE;
  if (!resendable(options, attempt, response)) return NOT_RETRYABLE;
  return withServerWait(options, response, final, now, 'status');
}

/**
 * Rule 6: a retry for `reason`, whose wait is the server's (replacing the backoff) unless it is longer than the
 * caller accepts. An error (no `response`) carries no wait.
 */
function withServerWait(
  options: NormalisedRetryOptions,
  response: Response | undefined,
  final: boolean,
  now: () => number,
  reason: RetryReason,
): Verdict {
  const wait = final || !response ? undefined : serverRequestedWait(response.headers, now());
  return wait! > options.maxRetryAfter
    ? { kind: 'fail', giveUp: 'retry-after-too-long' }
    : { kind: 'retry', reason, wait };
}

// 7. shouldRetry ---------------------------------------------------------------------------------------------

/**
 * Applies `shouldRetry`'s answer over the default verdict: `undefined` keeps it, `false` refuses a retry,
 * `true` asks for one, which the method rule may still refuse (a request that is not idempotent is sent again
 * only where rule 5 allows it, or where the server said `x-should-retry: true`).
 */
export async function overrideVerdict(
  options: NormalisedRetryOptions,
  attempt: Attempt,
  context: RetryContext,
  verdict: Verdict,
  final: boolean,
  now: () => number,
): Promise<Verdict> {
  const answer = await options.shouldRetry!(context);
  if (answer === undefined || answer === (verdict.kind === 'retry')) return verdict;
  if (answer === false) return NOT_RETRYABLE;
  const { response, error } = context;
  if (!resendable(options, attempt, response, error)) return verdict;
  return withServerWait(options, response, final, now, 'should-retry');
}

// 9. Aborts --------------------------------------------------------------------------------------------------

/**
 * The give-up reason when `signal` ended the call: an outer deadline aborts with a `TimeoutError` (ours, or
 * the platform's `AbortSignal.timeout()`); anything else is the caller's own abort. With no signal, only a
 * deadline can have ended it.
 */
export function abortReason(signal: AbortSignal | undefined): GiveUpReason {
  return !signal || (signal.reason as { name?: unknown } | null)?.name === 'TimeoutError'
    ? 'deadline'
    : 'aborted';
}
