// API.md, "An open circuit never hides a real answer": retry asks the breaker below, before it waits, whether
// the next attempt would be let in then; if not, the call ends at once with what it has. A CircuitOpenError
// reaches the caller only for a call that made no attempt.
import { describe, expect, it } from 'vitest';
import { constantBackoff } from '../../src/backoff.ts';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import type { CircuitBreakerOptions } from '../../src/circuit-breaker/options.ts';
import { compose } from '../../src/compose.ts';
import { isCircuitOpenError } from '../../src/errors/circuit-open-error.ts';
import { isRetryExhaustedError } from '../../src/errors/retry-exhausted-error.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { retry } from '../../src/retry/retry.ts';
import { fakeClock, flush } from '../helpers/fake-clock.ts';
import { networkError, type Step, scripted } from '../helpers/fake-transport.ts';

const URL_A = 'https://a.test/x';

function setup(breaker: CircuitBreakerOptions, ...steps: Step[]) {
  const clock = fakeClock();
  const events: ResilienceEvent[] = [];
  const transport = scripted(...steps);
  const cb = circuitBreaker({ clock, ...breaker });
  const fetch = compose(
    retry({
      clock,
      limit: 3,
      budget: false,
      backoff: constantBackoff({ delay: 1_000 }),
      onEvent: (e) => events.push(e),
    }),
    cb,
  )(transport);
  const giveUps = () => events.filter((e) => e.type === 'give-up');
  return { clock, events, transport, fetch, breaker: cb, giveUps };
}

describe('retry asks the breaker below before it waits', () => {
  it('ends at once with the last response when the circuit is open for the next attempt', async () => {
    const { fetch, transport, clock, giveUps } = setup(
      { failureThreshold: 1, recoveryTimeout: 30_000 },
      503,
      200,
    );
    const response = await fetch(URL_A);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe(''); // a real answer, its body still readable
    expect(transport.calls).toHaveLength(1);
    expect(clock.sleeping).toBe(0);
    expect(giveUps()).toMatchObject([{ reason: 'circuit-open', attempts: 1, status: 503 }]);
  });

  it('ends with RetryExhaustedError for an error after more than one attempt, without waiting', async () => {
    const { fetch, transport, clock } = setup({ failureThreshold: 2 }, networkError());
    const call = fetch(URL_A).catch((e: unknown) => e);
    await flush();
    expect(clock.sleeping).toBe(1); // the first failure leaves the circuit closed: a retry waits
    await clock.advance(1_000);
    const error = await call;
    expect(isRetryExhaustedError(error)).toBe(true);
    expect(error).toMatchObject({ attempts: 2, cause: { name: 'TypeError' } });
    expect(transport.calls).toHaveLength(2);
    expect(clock.sleeping).toBe(0);
  });

  it('rethrows the error itself after one attempt', async () => {
    const { fetch } = setup({ failureThreshold: 1 }, networkError());
    await expect(fetch(URL_A)).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });

  it('waits when the circuit will be half-open by the time of the next attempt', async () => {
    const { fetch, transport, clock } = setup({ failureThreshold: 1, recoveryTimeout: 500 }, 503, 200);
    const call = fetch(URL_A);
    await flush();
    expect(clock.sleeping).toBe(1);
    await clock.advance(1_000);
    expect((await call).status).toBe(200);
    expect(transport.calls).toHaveLength(2);
  });

  it("ends at once when another call's server cool-down outlasts this retry's wait", async () => {
    const steps: Step[] = [
      new Response(null, { status: 503, headers: { 'retry-after': '30' } }),
      new Response(null, { status: 500 }),
      new Response(null, { status: 200 }),
    ];
    const { fetch, transport, clock } = setup({ failureThreshold: 10, maxCoolDown: 60_000 }, ...steps);
    // The first call's 503 names 30 s: it waits them itself (the cool-down ends when its wait does); the
    // second call's 500 would retry in 1 s, into the cool-down, so it ends at once with its 500.
    const first = fetch(URL_A);
    const second = fetch(URL_A);
    const response = await second;
    expect(response.status).toBe(500);
    expect(transport.calls).toHaveLength(2);
    expect(clock.sleeping).toBe(1); // only the first call waits, for its own Retry-After
    await clock.advance(30_000);
    await flush();
    expect(transport.calls).toHaveLength(3);
    expect((await first).status).toBe(200);
  });

  it('returns the answer it had when the circuit opened during the wait, not a CircuitOpenError', async () => {
    const { fetch, breaker, transport, clock, giveUps } = setup({ failureThreshold: 5 }, 503, 200);
    const call = fetch(URL_A);
    await flush();
    expect(clock.sleeping).toBe(1);
    breaker.open('https://a.test'); // opened meanwhile (here by hand; in production by other calls)
    await clock.advance(1_000);
    const response = await call;
    expect(response.status).toBe(503);
    expect(await response.text()).toBe(''); // kept unread through the wait, so still readable
    expect(transport.calls).toHaveLength(1);
    expect(giveUps()).toMatchObject([{ reason: 'circuit-open', attempts: 1, status: 503 }]);
  });

  it('gives a CircuitOpenError only to a call that made no attempt', async () => {
    const { fetch, breaker, transport } = setup({}, 200);
    breaker.isolate('https://a.test');
    const error = await fetch(URL_A).catch((e: unknown) => e);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(transport.calls).toHaveLength(0);
  });

  it('does not spend the budget on a retry the breaker would refuse', async () => {
    const clock = fakeClock();
    const events: ResilienceEvent[] = [];
    // One call deposited: a budget of ratio 0.5 and no reserve allows no retry yet. The breaker's answer comes
    // first, so the call gives up because of the circuit, and the budget is neither asked nor reported.
    const fetch = compose(
      retry({ clock, budget: { minRetriesPerSecond: 0, ratio: 0.5 }, onEvent: (e) => events.push(e) }),
      circuitBreaker({ clock, failureThreshold: 1 }),
    )(scripted(503));
    expect((await fetch(URL_A)).status).toBe(503);
    expect(events.filter((e) => e.type === 'budget-exhausted')).toEqual([]);
    expect(events.filter((e) => e.type === 'give-up')).toMatchObject([{ reason: 'circuit-open' }]);
  });
});
