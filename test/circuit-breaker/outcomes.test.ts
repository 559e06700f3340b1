// How the breaker counts outcomes it did not expect (errors from other realms, errors that are not failures),
// how a server cool-down is started and spread, and the names in its control errors.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import type { CircuitBreakerOptions } from '../../src/circuit-breaker/options.ts';
import { snapshotBreaker } from '../../src/circuit-breaker/snapshot.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { fakeClock, flush } from '../helpers/fake-clock.ts';
import { type Step, scripted } from '../helpers/fake-transport.ts';

const A = 'https://a.test';
const busy = (retryAfter: string) =>
  new Response(null, { status: 503, headers: { 'retry-after': retryAfter } });

function setup(options: CircuitBreakerOptions, ...steps: Step[]) {
  const clock = fakeClock();
  const events: ResilienceEvent[] = [];
  const transport = scripted(...steps);
  const breaker = circuitBreaker({ clock, onEvent: (e) => events.push(e), ...options });
  const fetch = breaker(transport);
  const call = () => fetch(`${A}/x`).catch((error: unknown) => error);
  const coolDowns = () => events.filter((e) => e.type === 'circuit-cool-down');
  return { clock, events, transport, breaker, call, coolDowns };
}

describe('circuitBreaker: outcomes', () => {
  it.each([
    ['a TypeError from another realm', () => runInNewContext('new TypeError("fetch failed")')],
    ['the platform TimeoutError (a DOMException)', () => new DOMException('late', 'TimeoutError')],
  ])('counts %s as a failure', async (_label, make) => {
    const { breaker, call } = setup({ failureThreshold: 2 }, () => Promise.reject(make()));
    await call();
    await call();
    expect(breaker.state(A)).toBe('open');
  });

  it('counts an unknown error as neither, and gives back the trial slot it held while half-open', async () => {
    const odd = new Error('odd');
    const { breaker, call, clock, transport } = setup({ recoveryTimeout: 1_000 }, () => Promise.reject(odd));
    breaker.open(A);
    await clock.advance(1_000);
    expect(await call()).toBe(odd);
    expect(breaker.state(A)).toBe('half-open');
    // The slot is free again: the next call is a trial too, not refused as "half-open and full".
    expect(await call()).toBe(odd);
    expect(transport.calls).toHaveLength(2);
  });
});

describe('circuitBreaker: server cool-down', () => {
  it('starts none for Retry-After: 0, nor when coolDown is false', async () => {
    const zero = setup({}, busy('0'));
    await zero.call();
    expect(zero.coolDowns()).toEqual([]);
    const off = setup({ coolDown: false }, busy('5'));
    await off.call();
    expect(off.coolDowns()).toEqual([]);
    expect(snapshotBreaker(off.breaker).circuits[0]).not.toHaveProperty('coolDownUntil');
  });

  it('does not restart a cool-down that already lasts as long', async () => {
    const { call, coolDowns } = setup({ failureThreshold: 10 }, busy('5'), busy('5'), busy('3'));
    // Three calls in flight at once: the same wait twice, then a shorter one.
    await Promise.all([call(), call(), call()]);
    expect(coolDowns()).toEqual([{ type: 'circuit-cool-down', key: A, delay: 5_000 }]);
  });

  it.each([
    [2_000, 0.5, 2_100], // spread: a tenth of the wait…
    [20_000, 0.5, 20_500], // …at most one second
  ])(
    'releases a call held by a %s ms cool-down after the wait plus a jittered spread',
    async (wait, r, at) => {
      const { call, clock, transport } = setup({}, busy(String(wait / 1000)), 200);
      await call();
      clock.randomValue = r;
      const held = call();
      await clock.advance(at - 1);
      expect(transport.calls).toHaveLength(1);
      await clock.advance(1);
      await flush();
      expect(transport.calls).toHaveLength(2);
      expect(((await held) as Response).status).toBe(200);
    },
  );
});

describe('circuitBreaker: control errors name the method', () => {
  it.each(['state', 'isolate', 'reset', 'open'] as const)('%s', (method) => {
    expect(() => circuitBreaker()[method](1 as never)).toThrow(
      `circuitBreaker.${method}: key must be a string, got 1`,
    );
  });
});
