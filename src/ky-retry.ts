import type { RetryOptions as KyRetryOptions } from 'ky';
import { type Backoff, defaultBackoff, noJitter } from './backoff.ts';
import { MAX_DELAY } from './clock.ts';
import type { RetryOptions } from './retry/options.ts';
import { duration, func, invalid, nonNegativeInteger } from './validate.ts';

/**
 * ky's own `retry` option, as a call, an `.extend()` or `ky.create()` gave it, read with ky's meaning
 * (ky's `utils/normalize.ts` and `core/Ky.ts` retry checks) for both integrations of this entry.
 */

/**
 * The `retry` value both integrations give ky. `-0` is a valid ky limit (an integer, not below 0) that no
 * user writes, and ky merges a number under a call's `retry` object as `{ limit }`: an init hook that finds a
 * limit of `-0` knows the call and the instance said nothing about the limit, while a call's own `retry: 0`
 * arrives as `+0`. ky's loop stays off with it even where the init hook is lost (hooks replaced by a spread).
 */
export const KY_UNSET_LIMIT = -0;

/** The retry options a call asked of ky, or `undefined` when it asked nothing. Undefined fields dropped, as ky does. */
export function callRetry(value: unknown): KyRetryOptions | undefined {
  if (value === undefined || Object.is(value, KY_UNSET_LIMIT)) return undefined;
  if (typeof value === 'number') return { limit: nonNegativeInteger('ky retry', value) };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('ky retry', 'a number or an options object', value);
  }
  let own: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined && !(key === 'limit' && Object.is(field, KY_UNSET_LIMIT))) {
      own ??= {};
      own[key] = field;
    }
  }
  return own;
}

/**
 * Sets on `into` what a call's ky `retry` says of the limit, methods (ky's are lower case, this package's upper
 * case), statuses, `maxRetryAfter` (ms, `Infinity` allowed, within the longest timer this package sets) and
 * backoff, leaving the fields it does not set as they are; checks ky's `shouldRetry`, which each integration
 * applies its own way.
 *
 * The backoff is the one ky's `delay`, `jitter` and `backoffLimit` describe, set only when the call gives one
 * of them. ky computes `min(backoffLimit, jitter(delay(n)))`; without a ky `delay` the delay is `fallback`
 * (this package's, jittered) for `backoffLimit` alone, and ky's own unjittered `0.3·2^(n−1)` s curve when
 * the call brings its own `jitter`, so jitter is never applied twice.
 */
export function kyOverride<
  T extends Pick<RetryOptions, 'limit' | 'methods' | 'statusCodes' | 'maxRetryAfter' | 'backoff'>,
>(retry: KyRetryOptions, into: T, fallback: Backoff, random: () => number): T {
  const { limit, methods, statusCodes, maxRetryAfter, delay, jitter, backoffLimit } = retry;
  if (limit !== undefined) into.limit = limit;
  if (methods !== undefined) {
    if (!Array.isArray(methods)) invalid('ky retry.methods', 'an array of method names', methods);
    into.methods = methods.map((m) => String(m).toUpperCase());
  }
  if (statusCodes !== undefined) into.statusCodes = statusCodes;
  if (maxRetryAfter !== undefined) {
    into.maxRetryAfter =
      maxRetryAfter === Infinity ? MAX_DELAY : duration('ky retry.maxRetryAfter', maxRetryAfter);
  }
  if (delay !== undefined || jitter !== undefined || backoffLimit !== undefined) {
    func('ky retry.delay', delay);
    if (jitter !== undefined && typeof jitter !== 'boolean' && typeof jitter !== 'function') {
      invalid('ky retry.jitter', 'a boolean or a function', jitter);
    }
    if (backoffLimit !== undefined && (typeof backoffLimit !== 'number' || !(backoffLimit >= 0))) {
      invalid('ky retry.backoffLimit', 'a number of ms ≥ 0', backoffLimit);
    }
    const most = Math.min(MAX_DELAY, backoffLimit ?? MAX_DELAY);
    const base: Backoff = delay ?? (jitter ? defaultBackoff(Math.random, noJitter) : fallback);
    into.backoff = function kyDelay(attempt, context) {
      let ms = base(attempt, context);
      if (jitter === true) ms *= random();
      else if (typeof jitter === 'function') {
        const spread = jitter(ms);
        // ky keeps the unjittered delay when a jitter function returns nonsense.
        if (Number.isFinite(spread) && spread >= 0) ms = spread;
      }
      return Math.min(most, ms);
    };
  }
  func('ky retry.shouldRetry', retry.shouldRetry);
  return into;
}

export type { KyRetryOptions };
