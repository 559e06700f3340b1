import type { Backoff } from '../backoff.ts';
import type { Clock } from '../clock.ts';
import type { EventListener } from '../events.ts';

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
  /** Retries allowed as a share of calls. @default 0.1 */
  ratio?: number;
  /** Retries allowed per second regardless of traffic, so a quiet client still retries. @default 10 */
  minRetriesPerSecond?: number;
  /** The window, in ms, over which calls and retries are counted. @default 10_000 */
  ttl?: number;
}

/** Options of `retry()`. Every field is optional; see each for its default. */
export interface RetryOptions {
  /** Retries after the first attempt (so `limit + 1` attempts at most). @default 2 */
  limit?: number;
  /**
   * Methods retried. Any other method (POST, PATCH…) is retried only when the request carries an
   * `Idempotency-Key` header (RFC 9110 §9.2.2: a client SHOULD NOT retry a non-idempotent request blindly).
   * @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY']
   */
  methods?: readonly string[];
  /** Response statuses retried. @default [408, 429, 500, 502, 503, 504] */
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
   * Overrides the decision: `true` retries, `false` does not, `undefined` falls back to the default rules.
   * Idempotency, the limit and the budget still apply.
   */
  shouldRetry?: (context: RetryContext) => boolean | undefined | Promise<boolean | undefined>;
  /** Called before each wait, with the context and the chosen delay in ms. */
  onRetry?: (context: RetryContext, delay: number) => void;
  /**
   * The budget that keeps retries to a share of traffic, shared by every call through this stage.
   * `false` disables it.
   * @default { ratio: 0.1, minRetriesPerSecond: 10, ttl: 10_000 }
   */
  budget?: RetryBudgetOptions | false;
  /** Receives `'request'`, `'attempt'`, `'retry'`, `'success'`, `'give-up'` and `'budget-exhausted'` events. */
  onEvent?: EventListener;
  /** Time and randomness, for tests. @default systemClock */
  clock?: Clock;
}
