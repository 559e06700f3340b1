/**
 * Time and randomness, in one place so tests can inject them. Every stage takes an optional `clock`; the
 * default uses the platform (`Date.now`, `setTimeout`, `Math.random`), which vitest's fake timers control.
 */
export interface Clock {
  /** Current time in ms since the epoch. */
  now(): number;
  /**
   * Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts (at once if it already has).
   * The timer and the abort listener are removed on every path.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

/** The largest delay `setTimeout` honours; above it Node fires after 1 ms, a hot loop in disguise. */
export const MAX_DELAY = 2 ** 31 - 1;

/** Clamps any delay into what a timer can really wait: finite, 0 ≤ ms ≤ 2^31−1. NaN counts as 0. */
export function clampDelay(ms: number): number {
  return ms > 0 ? Math.min(ms, MAX_DELAY) : 0;
}

/**
 * Starts an ordinary timer, clamped. It keeps the process alive on purpose: a wait or a deadline belongs to a
 * call the program is awaiting, and an unref'd timer lets Node exit in the middle of it (exit code 13 under
 * top-level await, a silent 0 with `.then()`). Whoever starts one clears it when its call settles.
 */
export function startTimer(callback: () => void, ms: number): ReturnType<typeof setTimeout> {
  return setTimeout(callback, clampDelay(ms));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = startTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The platform clock. Reads `Date.now`, `setTimeout` and `Math.random` at call time, so fake timers apply. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
  random: () => Math.random(),
};
