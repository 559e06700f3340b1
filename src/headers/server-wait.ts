import { decimal, parseRateLimitField, resetWait } from './rate-limit.ts';
import { parseRetryAfter } from './retry-after.ts';

/**
 * The wait a server asked for, from a response's headers, in ms. Pure: `now` is passed in.
 * Consulted only for a response whose status is retried. Precedence, first usable one wins:
 *
 * 1. `Retry-After` (RFC 9110 §10.2.3; it takes precedence over RateLimit fields, IETF httpapi ratelimit draft).
 * 2. `retry-after-ms`: a non-negative decimal number of ms, as some API SDKs send.
 * 3. `RateLimit` (IETF httpapi draft -10): a list of policies `"name";r=<remaining>;t=<seconds>`. Only the
 *    exhausted policies (`r=0`) hold the client back, and the client must wait for every one of them, so the
 *    wait is the largest `t` among them. When no policy is exhausted the field asks for no wait. A malformed
 *    field is ignored as a whole, as the draft requires.
 * 4. `RateLimit-Reset`: delay-seconds.
 * 5. `X-RateLimit-Reset`: epoch seconds when ≥ 1,000,000,000 (GitHub), delta seconds when smaller.
 * 6. `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens`: Go durations (`6m0s`, `1.5s`, `250ms`); the
 *    larger of the two.
 *
 * 1 and 2 are `explicitWait()`; 3 to 6 live in `rate-limit.ts` (`parseRateLimitField()`, then `resetWait()`),
 * and are ignored when their remaining-quota header says quota is left.
 *
 * @returns a finite integer ≥ 0, or `undefined` when the server asked for nothing usable.
 */
export function serverRequestedWait(headers: Headers, now: number): number | undefined {
  return (
    explicitWait(headers, now) ?? parseRateLimitField(headers.get('ratelimit')) ?? resetWait(headers, now)
  );
}

/**
 * The wait a server named outright (1 and 2 above: `Retry-After`, then `retry-after-ms`), in ms: a statement
 * about the server's state, the only one a breaker's cool-down and a rate limiter's refusal read. The reset
 * headers and fields (3–6) describe one quota, so they do not count here; a bundle that reads only this carries
 * none of them.
 */
export function explicitWait(headers: Headers, now: number): number | undefined {
  const ms = decimal(headers.get('retry-after-ms'));
  // `ms &&`: 0 stays 0, undefined stays undefined.
  return parseRetryAfter(headers.get('retry-after'), now) ?? (ms && Math.ceil(ms));
}
