import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import { isCircuitOpenError } from '../../src/errors/circuit-open-error.ts';
import { fakeClock, flush } from '../helpers/fake-clock.ts';
import { gated } from './gated.ts';

const A = 'https://a.test';

async function halfOpen(options: { halfOpenMaxCalls: number; successThreshold?: number }) {
  const clock = fakeClock();
  const breaker = circuitBreaker({ clock, recoveryTimeout: 1_000, ...options });
  const transport = gated();
  const fetch = breaker(transport);
  breaker.open(A);
  await clock.advance(1_000);
  return { clock, breaker, transport, fetch };
}

describe('circuitBreaker: half-open admission', () => {
  it('lets exactly halfOpenMaxCalls of 10 concurrent calls reach the transport', async () => {
    const { breaker, transport, fetch } = await halfOpen({ halfOpenMaxCalls: 3, successThreshold: 3 });
    const calls = Array.from({ length: 10 }, (_, i) =>
      fetch(`${A}/${i}`).then(
        (r) => r.status,
        (e: unknown) => (isCircuitOpenError(e) ? e.retryAfter : e),
      ),
    );
    await flush();
    expect(transport.calls).toHaveLength(3);
    for (const gate of transport.gates) gate.respond(200);
    expect(await Promise.all(calls)).toEqual([200, 200, 200, 0, 0, 0, 0, 0, 0, 0]);
    expect(breaker.state(A)).toBe('closed');
  });

  it('admits a new trial once a slot is freed by a success that does not yet close', async () => {
    const { breaker, transport, fetch } = await halfOpen({ halfOpenMaxCalls: 2, successThreshold: 3 });
    const first = [fetch(A), fetch(A)];
    await flush();
    await expect(fetch(A)).rejects.toMatchObject({ retryAfter: 0 });
    transport.gates[0]!.respond(200);
    await first[0];
    const third = fetch(A);
    await flush();
    expect(transport.calls).toHaveLength(3);
    transport.gates[1]!.respond(200);
    transport.gates[2]!.respond(200);
    await Promise.all([first[1], third]);
    expect(breaker.state(A)).toBe('closed');
  });

  it('re-opens on the first failed trial, and later trials of that round change nothing', async () => {
    const { breaker, transport, fetch } = await halfOpen({ halfOpenMaxCalls: 2, successThreshold: 1 });
    const calls = [fetch(A), fetch(A)];
    await flush();
    transport.gates[0]!.respond(503);
    await calls[0];
    expect(breaker.state(A)).toBe('open');
    transport.gates[1]!.respond(200);
    await calls[1];
    expect(breaker.state(A)).toBe('open');
  });

  it("frees the slot of a trial ended by the caller's abort", async () => {
    const { breaker, transport, fetch } = await halfOpen({ halfOpenMaxCalls: 1 });
    const controller = new AbortController();
    const trial = fetch(A, { signal: controller.signal });
    await flush();
    controller.abort();
    await expect(trial).rejects.toMatchObject({ name: 'AbortError' });
    expect(breaker.state(A)).toBe('half-open');
    const next = fetch(A);
    await flush();
    transport.gates[1]!.respond(200);
    await expect(next).resolves.toMatchObject({ status: 200 });
    expect(breaker.state(A)).toBe('closed');
  });
});
