import { type Clock, MAX_DELAY, systemClock } from './clock.ts';

/**
 * Option checks, run once when a stage is built (and on per-request overrides when they are given).
 * Each throws a `TypeError` or `RangeError` naming the stage, the option and the bad value.
 */

/** An object that is neither `null` nor an array (a function is not one either). */
export const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Renders a bad value for an error message: strings quoted, everything else as JavaScript would write it. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return 'an object';
  return String(value);
}

/** Throws `error` (`TypeError` by default) naming the option and value unless `ok`; returns `value` otherwise. */
function check<T>(where: string, what: string, value: T, ok?: unknown, error = TypeError): T {
  if (!ok) throw new error(`${where} must be ${what}, got ${show(value)}`);
  return value;
}

/** A number within `[min, max]` (`NaN` never is), an integer when `integer`; a `RangeError` names `what`. */
function inRange(where: string, value: unknown, what: string, min: number, max: number, integer?: boolean) {
  const n = check(where, 'a number', value, typeof value === 'number') as number;
  return check(where, what, n, n >= min && n <= max && (!integer || Number.isInteger(n)), RangeError);
}

/** An integer ≥ 0 (retry limits, thresholds that may be zero). */
export const nonNegativeInteger = (where: string, value: unknown): number =>
  inRange(where, value, 'a non-negative integer', 0, Infinity, true);

/** An integer ≥ 1 (thresholds, concurrency). */
export const positiveInteger = (where: string, value: unknown): number =>
  inRange(where, value, 'a positive integer', 1, Infinity, true);

/** A finite number of ms with 0 ≤ ms ≤ 2^31−1 (the most a timer can wait). */
export const duration = (where: string, value: unknown): number =>
  inRange(where, value, 'a finite number of ms between 0 and 2^31-1', 0, MAX_DELAY);

/** A deadline: a finite number of ms with 0 < ms ≤ 2^31−1. */
export const deadline = (where: string, value: unknown): number =>
  check(where, 'greater than 0', value as number, duration(where, value), RangeError);

/** A ratio in [0, 1]. */
export const ratio = (where: string, value: unknown): number =>
  inRange(where, value, 'a number between 0 and 1', 0, 1);

/** A function, or `undefined` when `optional`. */
export const func = <T>(where: string, value: T, optional = true): T =>
  check(where, 'a function', value, (value === undefined && optional) || typeof value === 'function');

/** A plain object of options, or `undefined`. */
export function optionsObject(where: string, value: unknown): void {
  check(where, 'an options object', value, value === undefined || isObject(value));
}

/**
 * Throws a `TypeError` naming the option and value: for checks the helpers above do not cover (a `check` given
 * no `ok`).
 */
export const invalid = check as (where: string, what: string, value: unknown) => never;

/** A check that `test` passes; `what` says what it wants, for the error (a `TypeError` unless told). */
export const rule =
  (test: (value: unknown) => unknown, what: string, error?: ErrorConstructor) =>
  <T>(where: string, value: T): T =>
    check(where, what, value, test(value), error);

/** A check accepting one of `values` only; `what` lists them for the error. */
export const oneOf = (values: readonly unknown[], what: string) => rule((v) => values.includes(v), what);

/** A `Clock` (`now`, `sleep`, `random`), or the platform clock when `undefined`. */
export function clockOption(where: string, value: Clock | undefined): Clock {
  if (value === undefined) return systemClock;
  return check(
    where,
    'a Clock ({ now, sleep, random })',
    value,
    isObject(value) &&
      typeof value.now === 'function' &&
      typeof value.sleep === 'function' &&
      typeof value.random === 'function',
  );
}

/** One option's check for a given value, and the value used when it is absent (none: `undefined`). */
export type OptionSpec<V> = readonly [check: (where: string, value: never) => unknown, fallback?: V];

/** A spec for every option of `T`: a table that leaves an option out does not compile. */
export type OptionSpecs<T> = { readonly [K in keyof Required<T>]: OptionSpec<T[K]> };

/**
 * Reads an options object (already known to be one) against its table of specs, once, in the factory: each
 * absent (or `undefined`) option takes its default, each given one is checked with an error naming
 * `prefix + name`. Options not in the table are ignored.
 */
export function readOptions<T extends object, R = Required<T>>(
  prefix: string,
  options: T | undefined,
  specs: OptionSpecs<T>,
): R {
  const out: Record<string, unknown> = {};
  for (const name in specs) {
    const [read, fallback] = specs[name];
    const value = options?.[name];
    out[name] = value === undefined ? fallback : read(prefix + name, value as never);
  }
  return out as R;
}
