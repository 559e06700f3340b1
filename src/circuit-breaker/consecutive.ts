import type { Strategy, StrategySnapshot } from './strategy.ts';

/** Opens after `threshold` failures in a row; any success starts the count again. */
export function consecutiveStrategy(threshold: number): Strategy {
  let failures = 0;
  return {
    success() {
      failures = 0;
    },
    failure() {
      return ++failures >= threshold;
    },
    reset() {
      failures = 0;
    },
    toJSON() {
      return failures === 0 ? undefined : { consecutive: failures };
    },
    restore(data: StrategySnapshot) {
      if ('consecutive' in data && Number.isInteger(data.consecutive) && data.consecutive >= 0) {
        failures = data.consecutive;
      }
    },
  };
}
