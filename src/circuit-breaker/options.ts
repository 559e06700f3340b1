import type { Clock } from '../clock.ts';
import type { EventListener } from '../events.ts';

/** What `isFailure` is given: the attempt's response, or its error. */
export interface CircuitOutcome {
  response?: Response;
  error?: unknown;
}

/** Options of `circuitBreaker()`. Every field is optional; see each for its default. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (count mode). @default 5 */
  failureThreshold?: number;
  /**
   * A ratio 0–1. When set, the breaker opens on the failure rate over `samplingDuration`, once
   * `minimumThroughput` calls were seen in that window (rate mode), instead of on consecutive failures.
   */
  failureRateThreshold?: number;
  /** The sliding window of rate mode, in ms. @default 30_000 */
  samplingDuration?: number;
  /** Calls needed in the window before rate mode may open the circuit. @default 20 */
  minimumThroughput?: number;
  /** ms an open circuit stays open before it lets trial calls through (half-open). @default 30_000 */
  recoveryTimeout?: number;
  /** Trial calls allowed at once while half-open; others are rejected. @default 1 */
  halfOpenMaxCalls?: number;
  /** Successful trial calls that close the circuit. @default 1 */
  successThreshold?: number;
  /** One circuit per key. @default the request URL's origin */
  key?: (url: string, init: RequestInit | undefined) => string;
  /**
   * Whether an outcome counts as a failure. The caller's abort and the total deadline are never counted.
   * @default network errors, attempt timeouts and status ≥ 500
   */
  isFailure?: (outcome: CircuitOutcome) => boolean;
  /** Receives `'circuit-state'` and `'circuit-rejected'` events. */
  onEvent?: EventListener;
  /** Time, for tests. @default systemClock */
  clock?: Clock;
}
