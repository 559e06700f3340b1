import { MAX_DELAY } from '../clock.ts';
import type { ResilienceEventListener } from '../events.ts';
import type { RetryBudgetOptions } from '../retry/options.ts';
import { retryDefaults } from '../retry/rules.ts';
import { func, type OptionSpecs, optionsObject, positiveInteger, readOptions, rule } from '../validate.ts';

/** Options of `hedge()`. Every field is optional; see each for its default. */
export interface HedgeOptions {
  /**
   * How long an attempt may go unanswered before another is sent, in ms; or `'auto'`: the 95th percentile of
   * the last 100 answer times (to response headers) of that origin through this `hedge()`, 2000 ms until 20
   * are known. Hedging after the 95th percentile keeps the extra load near 5% (Dean & Barroso, "The Tail at
   * Scale", 2013).
   * @default 'auto'
   */
  delay?: number | 'auto';
  /** Extra attempts per call. @default 1 */
  maxHedges?: number;
  /**
   * Methods hedged; an `Idempotency-Key` header changes nothing, and a `ReadableStream` body is never sent
   * twice. A `Request` input with a body is hedged through `clone()`.
   * @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY']
   */
  methods?: readonly string[];
  /**
   * Keeps hedges to a share of traffic: each call deposits, each hedge withdraws, with the retry budget's
   * options. With the defaults, 1000 calls to an always-slow upstream make at most 1200 requests. `false`
   * disables it.
   * @default { ratio: 0.1, minRetriesPerSecond: 10, ttl: 10_000 }
   */
  budget?: RetryBudgetOptions | false;
  /** The most origins whose answer times `'auto'` keeps; beyond it the least recently used is dropped. @default 1_000 */
  maxKeys?: number;
  /** Receives `'hedge'` events. */
  onEvent?: ResilienceEventListener;
}

/** The options after defaults and validation (the budget is built by the stage). */
export interface NormalisedHedgeOptions {
  delay: number | 'auto';
  maxHedges: number;
  methods: ReadonlySet<string>;
  maxKeys: number;
  onEvent: ResilienceEventListener | undefined;
}

const DELAY = rule(
  (d) => d === 'auto' || (typeof d === 'number' && d >= 0 && d <= MAX_DELAY),
  "'auto' or a finite number of ms between 0 and 2^31-1",
);

const SPECS: OptionSpecs<Omit<HedgeOptions, 'budget'>> = {
  delay: [DELAY, 'auto'],
  maxHedges: [positiveInteger, 1],
  methods: [
    rule((l) => Array.isArray(l) && l.every((m) => typeof m === 'string'), 'an array of method names'),
    retryDefaults.methods,
  ],
  maxKeys: [positiveInteger, 1_000],
  onEvent: [func],
};

/** Applies defaults and validates every option but `budget` once; errors name the option and the value. */
export function normaliseHedgeOptions(options: HedgeOptions): NormalisedHedgeOptions {
  optionsObject('hedge: options', options);
  const o = readOptions('hedge: ', options, SPECS);
  return { ...o, methods: new Set(o.methods.map((m) => m.toUpperCase())) };
}
