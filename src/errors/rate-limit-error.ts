import { hasName } from './has-name.ts';

/** Why a rate limiter refused a call. */
export type RateLimitReason = 'queue-full' | 'wait-too-long';

/**
 * A `rateLimit()` stage refused the call without sending it: its queue for `key` was full (`'queue-full'`), or
 * the call would have waited longer than `maxWait` or past its total deadline (`'wait-too-long'`).
 */
export class RateLimitError extends Error {
  override name = 'RateLimitError' as const;
  /** The limiter's key (by default the request's origin). */
  declare readonly key: string;
  /** The estimated wait until the call could have been sent, in ms; 0 when unknown. */
  declare readonly retryAfter: number;
  declare readonly reason: RateLimitReason;

  constructor(key: string, retryAfter: number, reason: RateLimitReason, options?: ErrorOptions) {
    super(
      reason === 'queue-full'
        ? `Rate limit for ${key}: the queue is full`
        : `Rate limit for ${key}: the call would wait ${Math.ceil(retryAfter)} ms, too long`,
      options,
    );
    this.key = key;
    this.retryAfter = retryAfter;
    this.reason = reason;
  }
}

/** True for a `RateLimitError` of this package, from any realm or copy of the package. */
export function isRateLimitError(error: unknown): error is RateLimitError {
  return error instanceof RateLimitError || hasName(error, 'RateLimitError', 'reason');
}
