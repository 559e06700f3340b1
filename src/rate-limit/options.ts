import type { ResilienceEventListener } from '../events.ts';
import {
  deadline,
  duration,
  func,
  invalid,
  nonNegativeInteger,
  type OptionSpecs,
  optionsObject,
  positiveInteger,
  readOptions,
  rule,
} from '../validate.ts';

/** Options of `rateLimit()`. Every field is optional; see each for its default. */
export interface RateLimitOptions {
  /**
   * One quota, queue and concurrency limit per key.
   * @default the request URL's origin, lower-cased (`https://api.example.com:8443`)
   */
  key?: (url: string, init: RequestInit | undefined) => string;
  /**
   * Adopt the quota servers announce: IETF `RateLimit` with `RateLimit-Policy`, `X-RateLimit-Remaining` with
   * `X-RateLimit-Reset`, OpenAI's `x-ratelimit-remaining-requests` with `x-ratelimit-reset-requests`; a
   * rate-limit 429 or 403 with `Retry-After` empties the quota until then.
   * @default true
   */
  learn?: boolean;
  /** A quota of your own, with `interval`: at most `requests` calls in any `interval` ms, per key. */
  requests?: number;
  /** The window of `requests`, in ms: each slot comes back `interval` ms after it was used. */
  interval?: number;
  /** Calls in flight at once per key (a bulkhead). @default Infinity */
  maxConcurrent?: number;
  /** Calls waiting per key, for quota or for a concurrency slot; one more is refused. @default 1_000 */
  maxQueue?: number;
  /**
   * The longest a call may wait, in ms. A call that would wait longer, or past its total deadline (inside
   * `resilientFetch()`: its `timeout`), is refused at once with `RateLimitError`.
   * @default 60_000
   */
  maxWait?: number;
  /**
   * The most keys whose state is kept; beyond it the least recently used key with nothing to remember is
   * dropped (approximately: a second-chance sweep, as the breaker's `maxCircuits`).
   * @default 1_000
   */
  maxKeys?: number;
  /** Receives `'rate-limit-wait'` and `'rate-limit-rejected'` events. */
  onEvent?: ResilienceEventListener;
}

/** The options after defaults and validation. */
export interface NormalisedRateLimitOptions {
  key: RateLimitOptions['key'];
  learn: boolean;
  requests: number | undefined;
  interval: number | undefined;
  maxConcurrent: number;
  maxQueue: number;
  maxWait: number;
  maxKeys: number;
  onEvent: ResilienceEventListener | undefined;
}

const concurrency = rule(
  (n) => n === Infinity || (Number.isInteger(n) && (n as number) >= 1),
  'a positive integer or Infinity',
  RangeError,
);

const SPECS: OptionSpecs<RateLimitOptions> = {
  key: [func],
  learn: [rule((b) => typeof b === 'boolean', 'a boolean'), true],
  requests: [positiveInteger],
  interval: [deadline],
  maxConcurrent: [concurrency, Infinity],
  maxQueue: [nonNegativeInteger, 1_000],
  maxWait: [duration, 60_000],
  maxKeys: [positiveInteger, 1_000],
  onEvent: [func],
};

/** Applies defaults and validates every option once; errors name the option and the value. */
export function normaliseRateLimitOptions(options: RateLimitOptions): NormalisedRateLimitOptions {
  optionsObject('rateLimit: options', options);
  const o = readOptions<RateLimitOptions, NormalisedRateLimitOptions>('rateLimit: ', options, SPECS);
  if ((o.requests === undefined) !== (o.interval === undefined)) {
    const given = o.requests === undefined ? 'interval' : 'requests';
    invalid(`rateLimit: ${given === 'interval' ? 'requests' : 'interval'}`, `set with ${given}`, undefined);
  }
  return o;
}
