import { type Clock, systemClock } from '../../src/clock.ts';

interface Sleeper {
  at: number;
  resolve: () => void;
}

/** A Clock whose time moves only when a test says so; `sleep` resolves when `advance` passes its end. */
export interface FakeClock extends Clock {
  /** Epoch ms now (settable). */
  time: number;
  /** What `random()` returns. */
  randomValue: number;
  /** Sleeps still pending. */
  readonly sleeping: number;
  /** Moves time on by `ms`, wakes the sleepers that are due, and lets their continuations run. */
  advance(ms: number): Promise<void>;
}

/** Lets pending promise continuations run (a macrotask turn). */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export function fakeClock(start = Date.UTC(2030, 0, 1)): FakeClock {
  const sleepers = new Set<Sleeper>();
  const clock: FakeClock = {
    time: start,
    randomValue: 0.5,
    get sleeping() {
      return sleepers.size;
    },
    now: () => clock.time,
    random: () => clock.randomValue,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          sleepers.delete(sleeper);
          reject(signal!.reason);
        };
        const sleeper: Sleeper = {
          at: clock.time + ms,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        sleepers.add(sleeper);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async advance(ms) {
      clock.time += ms;
      for (const sleeper of [...sleepers].sort((a, b) => a.at - b.at)) {
        if (sleeper.at > clock.time) break;
        sleepers.delete(sleeper);
        sleeper.resolve();
      }
      await flush();
    },
  };
  return clock;
}

/**
 * A clock whose `now()` moves only when a test sets `time`, while `sleep` waits for real: for tests against
 * real sockets whose breaker must not depend on how fast a loaded machine runs (a 100 ms recovery that a slow
 * turn would pass before the test looks).
 */
export function steppedClock(start = Date.UTC(2030, 0, 1)): Clock & { time: number } {
  const clock = {
    time: start,
    now: () => clock.time,
    sleep: systemClock.sleep,
    random: () => 0.5,
  };
  return clock;
}
