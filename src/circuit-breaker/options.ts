import { type Clock, systemClock } from '../clock.ts';
import type { ResilienceEventListener } from '../events.ts';
import { type Store, storeOption } from '../store.ts';
import {
  clockOption,
  deadline,
  duration,
  func,
  type OptionSpecs,
  oneOf,
  optionsObject,
  positiveInteger,
  ratio,
  readOptions,
} from '../validate.ts';
import type { CoolDownMode } from './cool-down.ts';

/** What `isFailure` is given: the attempt's response, or its error. */
export type CircuitOutcome =
  /** The attempt produced a response. */
  | { response: Response; error?: undefined }
  /** The attempt failed with an error (any value). */
  | { response?: undefined; error: unknown };

/** Options of `circuitBreaker()`. Every field is optional; see each for its default. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (count mode). @default 5 */
  failureThreshold?: number;
  /**
   * A ratio 0–1. When set, the breaker opens on the failure rate over `samplingDuration`, once
   * `minimumThroughput` calls were seen in that window (rate mode), instead of on consecutive failures.
   * @example `{ failureRateThreshold: 0.5, samplingDuration: 10_000, minimumThroughput: 50 }`
   */
  failureRateThreshold?: number;
  /** The sliding window of rate mode, in ms (kept in 10 buckets, so memory does not grow with traffic). @default 30_000 */
  samplingDuration?: number;
  /** Calls needed in the window before rate mode may open the circuit. @default 20 */
  minimumThroughput?: number;
  /** ms an open circuit stays open before it lets trial calls through (half-open). @default 30_000 */
  recoveryTimeout?: number;
  /** Trial calls allowed at once while half-open; others are rejected. @default 1 */
  halfOpenMaxCalls?: number;
  /** Successful trial calls that close the circuit. @default 1 */
  successThreshold?: number;
  /**
   * One circuit per key.
   * @default the request URL's origin, lower-cased (`https://api.example.com:8443`)
   * @example `key: (url) => new URL(url).hostname` (one circuit per host, whatever the port or scheme)
   */
  key?: (url: string, init: RequestInit | undefined) => string;
  /**
   * Whether an outcome counts as a failure. A response it does not call a failure counts as a success; an
   * error it does not call a failure counts as neither (it says nothing about the server's health). The
   * caller's abort, the total deadline and a `CircuitOpenError` from an inner breaker are never given to it:
   * they count as neither.
   * @default network errors (`TypeError`), timeouts (`TimeoutError`) and status ≥ 500
   * @example `isFailure: ({ response, error }) => error !== undefined || response!.status === 503`
   */
  isFailure?: (outcome: CircuitOutcome) => boolean;
  /**
   * What a server cool-down (a 429, 503, 529 or rate-limit 403 with `Retry-After` or `retry-after-ms`; reset
   * headers alone do not start one) does to the other calls of that circuit.
   * @default 'wait'
   */
  coolDown?: CoolDownMode;
  /**
   * The longest server cool-down, in ms, that the breaker applies to other calls. A longer one is left to
   * the call that received it (as `retry`'s `maxRetryAfter` does); the breaker's failure counting still sees
   * the 503s that follow.
   * @default 60_000
   */
  maxCoolDown?: number;
  /**
   * The most circuits kept. Beyond it the least recently used closed circuit with no call in flight is
   * dropped (approximately: a second-chance sweep, not an exact order). Isolated circuits are never dropped.
   * @default 1_000
   */
  maxCircuits?: number;
  /**
   * Shares circuit state and server cool-downs with other processes (`redisStore()` from
   * `resilient-fetch/redis`); see the README's "Many processes".
   */
  store?: Store;
  /** Receives `'circuit-state'`, `'circuit-rejected'` and `'circuit-cool-down'` events. */
  onEvent?: ResilienceEventListener;
  /** Time and randomness, for tests. @default systemClock */
  clock?: Clock;
}

/** The options after defaults and validation. */
export interface NormalisedBreakerOptions {
  failureThreshold: number;
  failureRateThreshold: number | undefined;
  samplingDuration: number;
  minimumThroughput: number;
  recoveryTimeout: number;
  halfOpenMaxCalls: number;
  successThreshold: number;
  key: ((url: string, init: RequestInit | undefined) => string) | undefined;
  isFailure: ((outcome: CircuitOutcome) => boolean) | undefined;
  coolDown: CoolDownMode;
  maxCoolDown: number;
  maxCircuits: number;
  store: Store | undefined;
  onEvent: ResilienceEventListener | undefined;
  clock: Clock;
}

const COOL_DOWN = oneOf(['wait', 'fail-fast', false], "'wait', 'fail-fast' or false");

/** Every option, with its check and default. */
const SPECS: OptionSpecs<CircuitBreakerOptions> = {
  failureThreshold: [positiveInteger, 5],
  failureRateThreshold: [ratio],
  samplingDuration: [deadline, 30_000],
  minimumThroughput: [positiveInteger, 20],
  recoveryTimeout: [duration, 30_000],
  halfOpenMaxCalls: [positiveInteger, 1],
  successThreshold: [positiveInteger, 1],
  key: [func],
  isFailure: [func],
  coolDown: [COOL_DOWN, 'wait'],
  maxCoolDown: [duration, 60_000],
  maxCircuits: [positiveInteger, 1_000],
  store: [storeOption],
  onEvent: [func],
  clock: [clockOption, systemClock],
};

/** Applies defaults and validates every option once; errors name the option and the value. */
export function normaliseBreakerOptions(options: CircuitBreakerOptions): NormalisedBreakerOptions {
  optionsObject('circuitBreaker: options', options);
  return readOptions<CircuitBreakerOptions, NormalisedBreakerOptions>('circuitBreaker: ', options, SPECS);
}
