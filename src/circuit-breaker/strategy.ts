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
  /** What it counts, as plain data: snapshots (`snapshot.ts`) read and write it, nothing else does. */
  readonly state: StrategyState;
}

/** A strategy's counts: consecutive failures, or rate mode's window of buckets. */
export type StrategyState =
  | { failures: number }
  | { width: number; slots: number[]; successes: number[]; failures: number[] };

/** A strategy's persisted state. */
export type StrategySnapshot =
  /** Consecutive failures so far. */
  | { consecutive: number }
  /** Rate mode: bucket width in ms and `[slot, successes, failures]` per live bucket (slot = ⌊epoch / width⌋). */
  | { width: number; buckets: Array<[number, number, number]> };
