import { clampDelay } from './clock.ts';
import { duration, func, type OptionSpecs, oneOf, optionsObject, readOptions, rule } from './validate.ts';

/**
 * How long to wait before retry number `attempt` (1 for the first retry), in ms. The retry stage passes the
 * delay it used last time as `context.previousDelay`; only decorrelated jitter needs it.
 * The retry stage clamps whatever a backoff returns to a finite 0 ≤ ms ≤ 2^31−1.
 */
export type Backoff = (attempt: number, context?: BackoffContext) => number;

/** What a backoff may read besides the attempt number. */
export interface BackoffContext {
  /** The delay chosen before the previous retry, in ms (`undefined` before the first retry). */
  previousDelay?: number;
}

/**
 * How a computed delay `d` is spread (Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog 2015):
 * `'full'` waits `random(0, d)`, `'equal'` waits `d/2 + random(0, d/2)`, `'none'` waits exactly `d`.
 */
export type Jitter = 'none' | 'full' | 'equal';

interface CommonOptions {
  /** The longest delay, in ms, before jitter. @default 30_000 */
  cap?: number;
  /** @default 'full' (`'none'` for `constantBackoff`) */
  jitter?: Jitter;
  /** The random source, a function returning [0, 1). @default Math.random */
  random?: () => number;
}

/** Options of `exponentialBackoff()`. */
export interface ExponentialBackoffOptions extends CommonOptions {
  /** The delay before the first retry, in ms, before jitter. @default 300 */
  base?: number;
  /** Each retry's delay is the previous one times this. @default 2 */
  factor?: number;
}

/** Options of `linearBackoff()`. */
export interface LinearBackoffOptions extends CommonOptions {
  /** The delay before the first retry, in ms, before jitter; each later retry adds `step`. @default 300 */
  base?: number;
  /** Added for each further retry, in ms. @default base */
  step?: number;
}

/** Options of `constantBackoff()`. */
export interface ConstantBackoffOptions extends Omit<CommonOptions, 'cap'> {
  /** The delay before every retry, in ms, before jitter. @default 1_000 */
  delay?: number;
}

/** Options of `decorrelatedJitterBackoff()`. */
export interface DecorrelatedJitterBackoffOptions extends Omit<CommonOptions, 'jitter'> {
  /** The smallest delay, in ms. @default 300 */
  base?: number;
}

const CAP = [duration, 30_000] as const;
const BASE = [duration, 300] as const;
// Read at call time, so a stubbed Math.random applies.
const RANDOM = [func, () => Math.random()] as const;
// Pure: a bundle that uses only the default backoff drops the check.
const JITTER = /* @__PURE__ */ oneOf(['none', 'full', 'equal'], "'none', 'full' or 'equal'");

/** How a delay is jittered: `random` draws from [0, 1). */
type Spread = (delay: number, random: () => number) => number;
export const noJitter: Spread = (delay) => delay;
const fullJitter: Spread = (delay, random) => delay * random();
// min(): floating-point rounding must never push an equal-jittered delay past the delay itself.
const equalJitter: Spread = (delay, random) => Math.min(delay, delay / 2 + (delay / 2) * random());
const SPREADS: Record<Jitter, Spread> = { none: noJitter, full: fullJitter, equal: equalJitter };

type Read<T> = Required<T> & CommonOptions;

/**
 * A backoff named `name`: its options checked against `specs` (errors named after it), then each delay is
 * `delayOf(options, attempt, context)`, at most `cap` (when it has one), jittered (when it may be).
 */
function backoff<T extends object>(
  name: string,
  options: T | undefined,
  specs: OptionSpecs<T>,
  delayOf: (o: Read<T>, attempt: number, context?: BackoffContext) => number,
): Backoff {
  optionsObject(`${name}: options`, options);
  const o = readOptions<T, Read<T>>(`${name}: `, options, specs);
  const spread = SPREADS[o.jitter ?? 'none'];
  return (attempt, context) =>
    clampDelay(spread(Math.min(o.cap ?? Infinity, delayOf(o, attempt, context)), o.random!));
}

/**
 * Capped exponential backoff, `min(cap, base · factor^(attempt−1))`, jittered (full jitter by default).
 * This is the retry stage's default.
 * @example
 * ```ts
 * retry({ backoff: exponentialBackoff({ base: 100, cap: 5_000, jitter: 'equal' }) });
 * ```
 */
export function exponentialBackoff(options?: ExponentialBackoffOptions): Backoff {
  return backoff(
    'exponentialBackoff',
    options,
    {
      cap: CAP,
      jitter: [JITTER, 'full'],
      random: RANDOM,
      base: BASE,
      factor: [rule((f) => typeof f === 'number' && f >= 1 && f < Infinity, 'a finite number ≥ 1'), 2],
    },
    (o, attempt) => o.base * o.factor ** (attempt - 1),
  );
}

/**
 * `exponentialBackoff()` with its defaults and jitter `'full'` or `'none'`, for the stages that fall back to it:
 * built without reading options, so a bundle that never calls `exponentialBackoff()` leaves its checks out.
 */
export const defaultBackoff =
  (random: () => number, spread: Spread = fullJitter): Backoff =>
  (attempt) =>
    clampDelay(spread(Math.min(CAP[1], BASE[1] * 2 ** (attempt - 1)), random));

/**
 * Linear backoff, `min(cap, base + step · (attempt−1))`, jittered (full jitter by default).
 * @example
 * ```ts
 * retry({ backoff: linearBackoff({ base: 500, step: 500, jitter: 'none' }) }); // 500, 1000, 1500…
 * ```
 */
export function linearBackoff(options?: LinearBackoffOptions): Backoff {
  return backoff(
    'linearBackoff',
    options,
    { cap: CAP, jitter: [JITTER, 'full'], random: RANDOM, base: BASE, step: [duration] },
    (o, attempt) => o.base + (o.step ?? o.base) * (attempt - 1),
  );
}

/**
 * The same delay before every retry (no jitter by default).
 * @example
 * ```ts
 * retry({ backoff: constantBackoff({ delay: 250 }) });
 * ```
 */
export function constantBackoff(options?: ConstantBackoffOptions): Backoff {
  return backoff(
    'constantBackoff',
    options,
    { jitter: [JITTER, 'none'], random: RANDOM, delay: [duration, 1_000] },
    (o) => o.delay,
  );
}

/**
 * Decorrelated jitter, `min(cap, random(base, previous · 3))` (Brooker 2015): each delay grows from the last
 * one actually used, so concurrent clients drift apart. It loses its spread once delays reach `cap`.
 * @example
 * ```ts
 * retry({ backoff: decorrelatedJitterBackoff({ base: 100, cap: 10_000 }) });
 * ```
 */
export function decorrelatedJitterBackoff(options?: DecorrelatedJitterBackoffOptions): Backoff {
  return backoff(
    'decorrelatedJitterBackoff',
    options,
    { cap: CAP, random: RANDOM, base: BASE },
    ({ base, random }, _attempt, context) =>
      base + (Math.max(base, context?.previousDelay ?? base) * 3 - base) * random(),
  );
}
