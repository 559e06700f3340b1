import { type CircuitBreaker, circuitBreaker } from './circuit-breaker/circuit-breaker.ts';
import type { CircuitBreakerOptions } from './circuit-breaker/options.ts';
import { compose } from './compose.ts';
import { bothListeners as both, type ResilienceEventListener } from './events.ts';
import type { RetryOptions } from './retry/options.ts';
import { retry } from './retry/retry.ts';
import { type Store, storeOption } from './store.ts';
import { timeout } from './timeout.ts';
import type { FetchLike, Middleware } from './types.ts';
import {
  deadline,
  func,
  invalid,
  isObject,
  nonNegativeInteger,
  type OptionSpecs,
  optionsObject,
  readOptions,
} from './validate.ts';

/** Options of `resilientFetch()`. Every field is optional; see each for its default. */
export interface ResilientFetchOptions {
  /**
   * The transport. By default the global `fetch`, looked up at call time, so msw and other patches of the
   * global made after this pipeline was built still apply.
   * @default (input, init) => globalThis.fetch(input, init)
   */
  fetch?: FetchLike;
  /** Deadline in ms for the whole call, retries and waits included; `false` for none. @default 30_000 */
  timeout?: number | false;
  /** Deadline in ms for each attempt; `false` for none. @default 10_000 */
  attemptTimeout?: number | false;
  /** Retry options, a number (= `limit`), or `false` to leave the retry stage out. @default {} */
  retry?: RetryOptions | number | false;
  /**
   * Circuit breaker options, a breaker built with `circuitBreaker()` (to share it between pipelines or
   * inspect it), or `false` to leave the breaker out.
   * @default {}
   */
  circuitBreaker?: CircuitBreakerOptions | CircuitBreaker | false;
  /** A limiter built with `rateLimit()`, placed between the breaker and the attempt timeout. */
  rateLimit?: Middleware | false;
  /** A stage built with `hedge()`, placed between retry and the breaker. */
  hedge?: Middleware | false;
  /** Called for every event of every stage. */
  onEvent?: ResilienceEventListener;
  /**
   * Shares the breaker's circuits and server cool-downs with other processes (`redisStore()` from
   * `resilient-fetch/redis`). For a breaker built with `circuitBreaker()`, give it there instead.
   */
  store?: Store;
}

/** A fetch built by `resilientFetch()`; `circuitBreaker` is its breaker, for `state()` and manual control. */
export type ResilientFetch = FetchLike & {
  /** The pipeline's breaker, absent when built with `circuitBreaker: false`. */
  readonly circuitBreaker?: CircuitBreaker;
};

/**
 * The standard pipeline around a transport, outermost first:
 * total `timeout` → `retry` → `hedge` → `circuitBreaker` → `rateLimit` → attempt `timeout` → transport.
 * A stage configured `false` is not in the chain, and per-request options cannot turn it back on.
 *
 * @example
 * ```ts
 * const fetchWithResilience = resilientFetch({ retry: { limit: 3 }, attemptTimeout: 5_000 });
 * const response = await fetchWithResilience('https://api.example.com/items');
 * ```
 */
export function resilientFetch(options: ResilientFetchOptions = {}): ResilientFetch {
  optionsObject('resilientFetch: options', options);
  // `undefined` is the default; anything else (`null` included) must be a valid value.
  const {
    fetch: transport,
    onEvent,
    timeout: total,
    attemptTimeout: attempt,
    retry: retryOptions,
    circuitBreaker: breakerOption,
    store,
    rateLimit: limiterStage,
    hedge: hedgeStage,
  } = readOptions<ResilientFetchOptions, Pipeline>('resilientFetch: ', options, SPECS);
  if (store && typeof breakerOption !== 'object') {
    invalid('resilientFetch: circuitBreaker', 'breaker options when store is given', breakerOption);
  }
  // A built `rateLimit()` or `hedge()` takes the pipeline's listener as a second argument, so its events
  // reach `onEvent` too (any other middleware ignores it).
  const shaping = (stage: Middleware | false | undefined) =>
    stage && ((next: FetchLike) => (stage as ShapingStage)(next, onEvent));

  // Outermost first; a stage turned off is `false` (or `undefined`) and left out.
  const stages = [
    total !== false && timeout(total, { key: 'timeout', onEvent }),
    retryOptions !== false && retry({ ...retryOptions, onEvent: both(onEvent, retryOptions.onEvent) }),
    shaping(hedgeStage),
    breakerOption !== false &&
      (typeof breakerOption === 'function'
        ? breakerOption
        : circuitBreaker({
            ...breakerOption,
            store: breakerOption.store ?? store,
            onEvent: both(onEvent, breakerOption.onEvent),
          })),
    shaping(limiterStage),
    attempt !== false && timeout(attempt, { key: 'attemptTimeout', onEvent }),
  ];
  const breaker = stages[3] as CircuitBreaker | false;

  const fetch = compose(...(stages.filter(Boolean) as Middleware[]))(transport);
  return breaker ? Object.assign(fetch, { circuitBreaker: breaker }) : fetch;
}

/**
 * The global fetch, looked up at call time. Late binding: msw patches `globalThis.fetch` at `listen()`, after
 * most pipelines are built.
 */
export function globalFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  return globalThis.fetch(input, init);
}

type ShapingStage = (next: FetchLike, onEvent?: ResilienceEventListener) => FetchLike;

/** The options after defaults and checks; a number for `retry` is its `limit`. */
interface Pipeline {
  fetch: FetchLike;
  onEvent: ResilienceEventListener | undefined;
  timeout: number | false;
  attemptTimeout: number | false;
  retry: RetryOptions | false;
  circuitBreaker: CircuitBreakerOptions | CircuitBreaker | false;
  store: Store | undefined;
  rateLimit: Middleware | false | undefined;
  hedge: Middleware | false | undefined;
}

const deadlineOrFalse = (where: string, value: unknown) => (value === false ? value : deadline(where, value));

const stageOrFalse = (where: string, value: unknown) => (value === false ? value : func(where, value, false));

const SPECS: OptionSpecs<ResilientFetchOptions> = {
  fetch: [func, globalFetch],
  onEvent: [func],
  timeout: [deadlineOrFalse, 30_000],
  attemptTimeout: [deadlineOrFalse, 10_000],
  retry: [
    (where: string, value: unknown) =>
      value === false || isObject(value)
        ? value
        : typeof value === 'number'
          ? { limit: nonNegativeInteger(where, value) }
          : invalid(where, 'an options object, a number or false', value),
    {},
  ],
  circuitBreaker: [
    (where: string, value: unknown) =>
      value === false || typeof value === 'function' || isObject(value)
        ? value
        : invalid(where, 'an options object, a circuit breaker or false', value),
    {},
  ],
  store: [storeOption],
  rateLimit: [stageOrFalse],
  hedge: [stageOrFalse],
};
