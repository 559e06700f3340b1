import { type Clock, systemClock } from './clock.ts';

/**
 * Option checks, run once when a stage is built (and on per-request overrides when they are given).
 * Each throws a `TypeError` or `RangeError` naming the stage, the option and the bad value.
 */

/** Renders a bad value for an error message: strings quoted, everything else as JavaScript would write it. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

function fail(kind: 'type' | 'range', where: string, what: string, value: unknown): never {
  const message = `${where} must be ${what}, got ${show(value)}`;
  throw kind === 'type' ? new TypeError(message) : new RangeError(message);
}

function number(where: string, value: unknown): number {
  if (typeof value !== 'number') fail('type', where, 'a number', value);
  return value;
}

/** An integer ≥ 0 (retry limits, thresholds that may be zero). */
export function nonNegativeInteger(where: string, value: unknown): number {
  if (!Number.isInteger(number(where, value)) || (value as number) < 0) {
    fail('range', where, 'a non-negative integer', value);
  }
  return value as number;
}

/** An integer ≥ 1 (thresholds, concurrency). */
export function positiveInteger(where: string, value: unknown): number {
  if (!Number.isInteger(number(where, value)) || (value as number) < 1) {
    fail('range', where, 'a positive integer', value);
  }
  return value as number;
}

/** A finite number of ms with 0 ≤ ms ≤ 2^31−1 (the most a timer can wait). */
export function duration(where: string, value: unknown): number {
  const ms = number(where, value);
  if (!Number.isFinite(ms) || ms < 0 || ms > 2 ** 31 - 1) {
    fail('range', where, 'a finite number of ms between 0 and 2^31-1', value);
  }
  return ms;
}

/** A deadline: a finite number of ms with 0 < ms ≤ 2^31−1. */
export function deadline(where: string, value: unknown): number {
  if (duration(where, value) === 0) fail('range', where, 'greater than 0', value);
  return value as number;
}

/** A ratio in [0, 1]. */
export function ratio(where: string, value: unknown): number {
  const r = number(where, value);
  if (!(r >= 0 && r <= 1)) fail('range', where, 'a number between 0 and 1', value);
  return r;
}

/** A function, or `undefined` when `optional`. */
export function func<T>(where: string, value: T, optional = true): T {
  if (value === undefined && optional) return value;
  if (typeof value !== 'function') fail('type', where, 'a function', value);
  return value;
}

/** A plain object of options, or `undefined`. */
export function optionsObject(where: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    fail('type', where, 'an options object', value);
  }
}

/** Throws a `TypeError` naming the option and value: for checks the helpers above do not cover. */
export function invalid(where: string, what: string, value: unknown): never {
  fail('type', where, what, value);
}

/** A `Clock` (`now`, `sleep`, `random`), or the platform clock when `undefined`. */
export function clockOption(where: string, value: Clock | undefined): Clock {
  if (value === undefined) return systemClock;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.now !== 'function' ||
    typeof value.sleep !== 'function' ||
    typeof value.random !== 'function'
  ) {
    fail('type', where, 'a Clock ({ now, sleep, random })', value);
  }
  return value;
}
