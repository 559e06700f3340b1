/**
 * How a closed circuit decides to open. A strategy is a tiny object per circuit; time is passed in as `now`
 * (epoch ms from the breaker's clock), never read from the platform, so tests drive it by hand.
 */
export interface Strategy {
  /** Records a successful call. */
  success(now: number): void;
  /** Records a failed call; returns true when the circuit should open. */
  failure(now: number): boolean;
  /** Forgets everything (the circuit closed again or was reset). */
  reset(): void;
  /** What to persist, or `undefined` when there is nothing to remember. Plain JSON, absolute times. */
  toJSON(): StrategySnapshot | undefined;
  /** Takes back what `toJSON()` returned, possibly in another process. Ignores data it does not recognise. */
  restore(data: StrategySnapshot): void;
}

/** A strategy's persisted state. */
export type StrategySnapshot =
  /** Consecutive failures so far. */
  | { consecutive: number }
  /** Rate mode: bucket width in ms and `[slot, successes, failures]` per live bucket (slot = ⌊epoch / width⌋). */
  | { width: number; buckets: Array<[number, number, number]> };
