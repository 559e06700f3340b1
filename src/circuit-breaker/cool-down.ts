import { explicitWait } from '../headers/server-wait.ts';
import { requestSignal } from '../request-info.ts';
import { isRateLimit403 } from '../retry/rules.ts';
import { type BreakerCore, refuse } from './admission.ts';
import type { Circuit } from './circuit.ts';

/**
 * Server cool-down: a response that asks every caller of its origin to hold back (a 429, 503, 529 or
 * rate-limit 403 carrying `Retry-After` or `retry-after-ms`) holds back the other calls to the same circuit
 * until the time the server named.
 * - `'wait'`: each call waits for the end of the cool-down (plus a little jitter, so they do not all arrive
 *   at once), within its own deadline: the caller's abort or a total deadline ends the wait.
 * - `'fail-fast'`: each call is refused at once with a `CircuitOpenError` whose `retryAfter` is the time left.
 * - `false`: the breaker does not read server waits.
 */
export type CoolDownMode = 'wait' | 'fail-fast' | false;

/** The statuses that may start a cool-down; `serverWait` decides. Cheap, for the breaker's hot path. */
export function mayCoolDown(status: number): boolean {
  return status === 429 || status === 503 || status === 529 || status === 403;
}

/**
 * How long a response asks every caller of its origin to hold back, in ms from `now`, or `undefined` when it
 * does not ask. Only a 429 (RFC 6585 §4), 503 (RFC 9110 §15.6.4), 529 (overloaded) or rate-limit 403 carries a
 * cool-down: a Retry-After on a 3xx is about a redirect, not about load. Only an explicit wait counts
 * (`Retry-After`, `retry-after-ms`): reset headers and fields (`RateLimit` `t=`, `X-RateLimit-Reset`,
 * `x-ratelimit-reset-tokens`…) describe one quota, perhaps one caller's, not the server's state, so they
 * inform only the call that received them (the retry stage reads them).
 */
export function serverWait(response: Response, now: number): number | undefined {
  const status = response.status;
  if (status === 403 ? !isRateLimit403(response) : !mayCoolDown(status)) return undefined;
  return explicitWait(response.headers, now);
}

/** Starts (or extends) the circuit's cool-down from a settled response, when it asks for one. */
export function noteCoolDown(core: BreakerCore, circuit: Circuit, response: Response, now: number): void {
  const wait = serverWait(response, now) ?? 0;
  // A longer wait is left to the call that got it (retry's maxRetryAfter); the failures that follow still count.
  if (wait <= 0 || wait > core.maxCoolDown || now + wait <= circuit.coolDownUntil) return;
  circuit.coolDownUntil = now + wait;
  core.fleet?.coolDown(circuit, now + wait);
  core.onEvent?.({ type: 'circuit-cool-down', key: circuit.key, delay: wait });
}

/** Waits out (or refuses during) a server cool-down; loops because a new 429 may extend it meanwhile. */
export async function holdBack(
  core: BreakerCore,
  key: string,
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<void> {
  const { clock, coolDown } = core;
  for (;;) {
    const left = (core.registry.peek(key)?.coolDownUntil ?? 0) - clock.now();
    if (left <= 0) return;
    if (coolDown === 'fail-fast') throw refuse(core, key, left, input, init);
    // Jitter of up to a tenth of the wait (at most 1 s), so waiting calls trickle back instead of stampeding.
    await clock.sleep(left + clock.random() * Math.min(1_000, left / 10), requestSignal(input, init));
  }
}
