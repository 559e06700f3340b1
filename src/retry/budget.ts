import {
  duration,
  nonNegativeInteger,
  type OptionSpecs,
  optionsObject,
  ratio,
  readOptions,
  rule,
} from '../validate.ts';
import type { RetryBudgetOptions } from './options.ts';

/**
 * A retry budget in the shape of Finagle's `RetryBudget`: over a sliding window of `ttl` ms, retries may not
 * exceed `minRetriesPerSecond · ttl/1000` (a reserve, so a quiet client still retries) plus `ratio` times the
 * calls made in the window. Retries themselves deposit nothing, so a failing upstream cannot feed its own storm.
 *
 * With the defaults (ratio 0.1, 10 per second, ttl 10 s), 1000 calls against an upstream that fails every
 * request make at most 100 + 0.1 · 1000 = 200 retries, so 1200 attempts, whatever their timing within the
 * window; once the window has passed quietly, the reserve is whole again.
 *
 * Pure arithmetic, `now` passed in: the window is kept as `BUCKETS` counters of `ttl / BUCKETS` ms each, so a
 * deposit or withdrawal is O(1) with no allocation. A counter expires with its bucket, never later than `ttl`
 * after the event it counts.
 */
export interface RetryBudget {
  /** Records one call. */
  deposit(now: number): void;
  /** Takes one retry from the budget; `false` when none is left. */
  withdraw(now: number): boolean;
}

const BUCKETS = 10;

/** The budget options with their defaults; the retry stage documents them. */
const SPECS: OptionSpecs<RetryBudgetOptions> = {
  ratio: [ratio, 0.1],
  minRetriesPerSecond: [nonNegativeInteger, 10],
  ttl: [
    rule((ms) => duration('retry: budget.ttl', ms) >= BUCKETS, `at least ${BUCKETS} ms`, RangeError),
    10_000,
  ],
};

/** Builds a budget from validated options. */
export function createBudget(options: RetryBudgetOptions | undefined): RetryBudget {
  optionsObject('retry: budget', options);
  const { ratio: share, minRetriesPerSecond: perSecond, ttl } = readOptions('retry: budget.', options, SPECS);
  const reserve = Math.floor((perSecond * ttl) / 1000);
  const width = ttl / BUCKETS;
  const calls = new Float64Array(BUCKETS);
  const retries = new Float64Array(BUCKETS);
  let current = -Infinity; // index of the newest bucket
  let totalCalls = 0;
  let totalRetries = 0;

  const slotOf = (index: number) => ((index % BUCKETS) + BUCKETS) % BUCKETS;

  function advance(now: number): number {
    const index = Math.floor(now / width);
    // Clear the buckets that fell out of the window (all of them after a long quiet spell).
    if (current < index - BUCKETS) current = index - BUCKETS;
    while (current < index) {
      const slot = slotOf(++current);
      totalCalls -= calls[slot]!;
      totalRetries -= retries[slot]!;
      calls[slot] = retries[slot] = 0;
    }
    // A clock that stepped back counts into the newest bucket.
    return slotOf(current);
  }

  return {
    deposit(now) {
      calls[advance(now)]!++;
      totalCalls++;
    },
    withdraw(now) {
      const slot = advance(now);
      // Integer arithmetic on whole retries: floating error must never grant one retry too many.
      if (totalRetries >= reserve + Math.floor(totalCalls * share + 1e-9)) return false;
      retries[slot]!++;
      totalRetries++;
      return true;
    },
  };
}
