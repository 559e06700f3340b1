import type { Backoff } from '../backoff.ts';
import type { Clock } from '../clock.ts';
import type { ResilienceEventListener } from '../events.ts';
import {
  duration,
  func,
  nonNegativeInteger,
  type OptionSpecs,
  optionsObject,
  readOptions,
  rule,
} from '../validate.ts';
import { retryDefaults } from './rules.ts';

/** What `shouldRetry`, `onRetry` and `backoff` learn about the attempt that just ended. */
export interface RetryContext {
  /** Attempts made so far, counting the one that just ended (1 after the first). */
  attempt: number;
  /** ms since the call started. */
  elapsed: number;
  /** The request method, upper case. */
  method: string;
  /** The request URL. */
  url: string;
  /** The response of the attempt that just ended, when it produced one. */
  response?: Response;
  /** The error of the attempt that just ended, when it failed. */
  error?: unknown;
  /** The wait the server asked for (Retry-After or rate-limit headers), in ms, when it asked. */
  retryAfter?: number;
  /** The delay used before the previous retry, in ms. */
  previousDelay?: number;
}

/** Options of the retry budget shared by all calls through one `retry()` stage. */
export interface RetryBudgetOptions {
  /** Retries allowed as a share of the calls made within `ttl`. @default 0.1 */
  ratio?: number;
  /**
   * Retries allowed per second regardless of traffic, so a quiet client still retries: a reserve of
   * `minRetriesPerSecond · ttl / 1000` retries per window.
   * @default 10
   */
  minRetriesPerSecond?: number;
  /** The sliding window, in ms, over which calls and retries are counted (at least 10). @default 10_000 */
  ttl?: number;
}

/** Options of `retry()`. Every field is optional; see each for its default. */
export interface RetryOptions {
  /** Retries after the first attempt (so `limit + 1` attempts at most). @default 2 */
  limit?: number;
  /**
   * Methods retried on any retryable failure. Any other method (POST, PATCH…) is retried when the request
   * carries an `Idempotency-Key` header, or when the failure shows the server did not process it: a 408, 429,
   * 503 or 529 (each while in `statusCodes`), a rate-limit 403, or a connection that failed before the request
   * was sent (undici's `cause.code` `ECONNREFUSED`, `ENOTFOUND`, `EAI_AGAIN`, `UND_ERR_CONNECT_TIMEOUT`).
   * RFC 9110 §9.2.2: a client SHOULD NOT retry a non-idempotent request blindly.
   * @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY']
   */
  methods?: readonly string[];
  /**
   * Response statuses retried (529: overloaded, as Anthropic sends it). A 403 with `Retry-After` or
   * `x-ratelimit-remaining: 0` is a rate limit, retried like a 429 while 429 is listed. A response with
   * `x-should-retry` or `stripe-should-retry` is retried as that header says (`true`: any status ≥ 400).
   * Extend the defaults with `[...retryDefaults.statusCodes, 418]`.
   * @default [408, 429, 500, 502, 503, 504, 529]
   */
  statusCodes?: readonly number[];
  /** Delay before retry number `attempt` (1 for the first). @default exponentialBackoff() with full jitter */
  backoff?: Backoff;
  /**
   * The longest server-requested wait (Retry-After or rate-limit headers) honoured, in ms. A longer one is not
   * clamped: the call gives up at once and returns that response.
   * @default 60_000
   */
  maxRetryAfter?: number;
  /**
   * Overrides the decision, server directives included: `true` retries, `false` does not, `undefined` falls
   * back to the default rules. The method rule (see `methods`), the limit, the budget, `maxRetryAfter` and a
   * stream body sent once still apply.
   */
  shouldRetry?: (context: RetryContext) => boolean | undefined | Promise<boolean | undefined>;
  /** Called before each wait, with the context and the chosen delay in ms. */
  onRetry?: (context: RetryContext, delay: number) => void;
  /**
   * Opt-in retries for POST, PATCH and other methods not in `methods`: when such a request carries no
   * `Idempotency-Key` header, one is generated per call (`true`: `crypto.randomUUID()`, or your function) and
   * sent unchanged on every attempt, so the server can tell a retry from a new request
   * (IETF httpapi Idempotency-Key draft). The server must support the header for this to be safe.
   * @default false
   * @example
   * ```ts
   * const post = retry({ idempotencyKey: true })(fetch);
   * await post('https://api.example.com/payments', { method: 'POST', body: '{"amount":10}' });
   * ```
   */
  idempotencyKey?: boolean | (() => string);
  /**
   * The budget that keeps retries to a share of traffic, shared by every call through this stage (per-request
   * overrides included). With the defaults, 1000 calls to an upstream that fails every request make at most
   * 1200 attempts. `false` disables it.
   * @default { ratio: 0.1, minRetriesPerSecond: 10, ttl: 10_000 }
   */
  budget?: RetryBudgetOptions | false;
  /** Receives `'request'`, `'attempt'`, `'retry'`, `'success'`, `'give-up'` and `'budget-exhausted'` events. */
  onEvent?: ResilienceEventListener;
  /** Time and randomness, for tests. @default systemClock */
  clock?: Clock;
}

/** Options after validation, as the retry stage uses them. */
export interface NormalisedRetryOptions {
  limit: number;
  methods: ReadonlySet<string>;
  statusCodes: ReadonlySet<number>;
  backoff: Backoff;
  maxRetryAfter: number;
  shouldRetry: RetryOptions['shouldRetry'];
  onRetry: RetryOptions['onRetry'];
  idempotencyKey: (() => string) | undefined;
}

const randomKey = () => crypto.randomUUID();

const listOf = (test: (item: unknown) => boolean, what: string) =>
  rule((list) => Array.isArray(list) && list.every(test), what);

/** The options a call may override, with their checks and defaults. */
const SPECS: OptionSpecs<Omit<RetryOptions, 'budget' | 'onEvent' | 'clock'>> = {
  limit: [nonNegativeInteger, retryDefaults.limit],
  methods: [listOf((m) => typeof m === 'string', 'an array of method names'), retryDefaults.methods],
  statusCodes: [
    listOf(
      (s) => Number.isInteger(s) && (s as number) >= 100 && (s as number) <= 599,
      'an array of HTTP status codes (100-599)',
    ),
    retryDefaults.statusCodes,
  ],
  backoff: [func],
  maxRetryAfter: [duration, retryDefaults.maxRetryAfter],
  shouldRetry: [func],
  onRetry: [func],
  // Absent: no key (`undefined`, like `false`).
  idempotencyKey: [rule((k) => typeof k === 'boolean' || typeof k === 'function', 'a boolean or a function')],
};

/**
 * Validates the per-call options of the retry stage (those a request may override), naming the bad option.
 * `defaultBackoff` is the stage's own, built once on its clock.
 */
export function normaliseRetryOptions(
  options: RetryOptions,
  defaultBackoff: Backoff,
): NormalisedRetryOptions {
  optionsObject('retry: options', options);
  const o = readOptions('retry: ', options, SPECS);
  const key = o.idempotencyKey;
  return {
    ...o,
    methods: new Set(o.methods.map((m) => m.toUpperCase())),
    statusCodes: new Set(o.statusCodes),
    backoff: o.backoff ?? defaultBackoff,
    idempotencyKey: key === true ? randomKey : key || undefined,
  };
}
