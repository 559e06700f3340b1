import type { NormalisedBreakerOptions } from './options.ts';
import type { Strategy } from './strategy.ts';

/** The window is kept as this many buckets: memory stays fixed whatever the traffic. */
export const BUCKETS = 10;

/**
 * The breaker's options it reads: the failure ratio 0–1 at or above which the circuit opens, the window in
 * ms, and the calls in the window before the ratio is trusted.
 */
export type SamplingStrategyOptions = {
  failureRateThreshold: number;
} & Pick<NormalisedBreakerOptions, 'samplingDuration' | 'minimumThroughput'>;

/**
 * Opens when failures / calls over the last `samplingDuration` ms reach `failureRateThreshold`, once
 * `minimumThroughput` calls were seen. The window slides bucket by bucket (a tenth of the duration each), as
 * resilience4j's time-based window and cockatiel's SamplingBreaker do, so it covers between 90% and 100% of it.
 * Buckets are numbered by absolute slot (⌊epoch ms / width⌋), which keeps a persisted window meaningful on
 * another machine.
 */
export function samplingStrategy({
  failureRateThreshold: threshold,
  samplingDuration: duration,
  minimumThroughput,
}: SamplingStrategyOptions): Strategy {
  const width = duration / BUCKETS;
  const slots = Array<number>(BUCKETS).fill(-Infinity);
  const successes = Array<number>(BUCKETS).fill(0);
  const failures = Array<number>(BUCKETS).fill(0);

  /** The bucket index for `now`, emptied first when it last held an older slot. */
  const bucket = (now: number): number => {
    const slot = Math.floor(now / width);
    const i = ((slot % BUCKETS) + BUCKETS) % BUCKETS;
    if (slots[i] !== slot) {
      slots[i] = slot;
      successes[i] = 0;
      failures[i] = 0;
    }
    return i;
  };

  return {
    success(now) {
      successes[bucket(now)]!++;
    },
    failure(now) {
      failures[bucket(now)]!++;
      const oldest = Math.floor(now / width) - BUCKETS;
      let calls = 0;
      let failed = 0;
      for (let i = 0; i < BUCKETS; i++) {
        if (slots[i]! > oldest) {
          calls += successes[i]! + failures[i]!;
          failed += failures[i]!;
        }
      }
      return calls >= minimumThroughput && failed / calls >= threshold;
    },
    reset() {
      slots.fill(-Infinity);
    },
    state: { width, slots, successes, failures },
  };
}
