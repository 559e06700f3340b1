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
 * is about a redirect, not about load.
 *
 * The one place the breaker reads a server wait: kept minimal on purpose (Retry-After only, delay-seconds or
 * HTTP-date), so a fuller header parser can replace its body without touching the call site.
 */
export function serverWait(response: Response, now: number): number | undefined {
  if (response.status !== 429 && response.status !== 503) return undefined;
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  // RFC 9110 §10.2.3: delay-seconds = 1*DIGIT; "1.5", "-1" and "1e3" are not delays.
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  // Every HTTP-date form starts with a day name (RFC 9110 §5.6.7); Date.parse alone would take "1.5" as a date.
  const date = /^[A-Za-z]{3}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  // A date in the past means "now".
  return Math.max(0, date - now);
}
