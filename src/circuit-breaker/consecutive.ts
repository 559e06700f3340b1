import type { Strategy } from './strategy.ts';

/** Opens after `threshold` failures in a row; any success starts the count again. */
export function consecutiveStrategy(threshold: number): Strategy {
  const state = { failures: 0 };
  return {
    state,
    success() {
      state.failures = 0;
    },
    failure() {
      return ++state.failures >= threshold;
    },
    reset() {
      state.failures = 0;
    },
  };
}
