import { serverRequestedWait } from '../headers/rate-limit.ts';

/**
 * How a server cool-down (a 429 or 503 response carrying `Retry-After`) holds back the other calls to the
 * same circuit until the time the server named:
 * - `'wait'`: each call waits for the end of the cool-down (plus a little jitter, so they do not all arrive
 *   at once), within its own deadline: the caller's abort or a total deadline ends the wait.
 * - `'fail-fast'`: each call is refused at once with a `CircuitOpenError` whose `retryAfter` is the time left.
 * - `false`: `Retry-After` is not read by the breaker.
 */
export type CoolDownMode = 'wait' | 'fail-fast' | false;

/**
 * How long a response asks every caller of its origin to hold back, in ms from `now`, or `undefined` when it
 * does not ask. Only 429 (RFC 6585 §4) and 503 (RFC 9110 §15.6.4) carry a cool-down: a Retry-After on a 3xx
 * is about a redirect, not about load. The wait is read exactly as the retry stage reads it (Retry-After,
 * then the rate-limit headers).
 */
export function serverWait(response: Response, now: number): number | undefined {
  if (response.status !== 429 && response.status !== 503) return undefined;
  return serverRequestedWait(response.headers, now);
}
