import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import { serverWait } from '../../src/circuit-breaker/cool-down.ts';
import type { CircuitBreakerOptions } from '../../src/circuit-breaker/options.ts';
import { restoreBreaker, snapshotBreaker } from '../../src/circuit-breaker/snapshot.ts';
import { isCircuitOpenError } from '../../src/errors/circuit-open-error.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { fakeClock, flush } from '../helpers/fake-clock.ts';
import { type Step, scripted } from '../helpers/fake-transport.ts';

const A = 'https://a.test';
const T0 = Date.UTC(2030, 0, 1);

const busy = (status: number, retryAfter: string) =>
  new Response(null, { status, headers: { 'retry-after': retryAfter } });

const answer = (status: number, headers: Record<string, string>) => new Response(null, { status, headers });

describe('serverWait', () => {
  it.each([
    [429, '120', 120_000],
    [503, '0', 0],
    [503, ' 7 ', 7_000],
    [503, new Date(T0 + 5_000).toUTCString(), 5_000],
    [429, new Date(T0 - 5_000).toUTCString(), 0],
    [429, 'Sunday, 06-Nov-94 08:49:37 GMT', 0],
    [429, '1.5', undefined],
    [429, '-1', undefined],
    [429, 'soon', undefined],
    [429, '', undefined],
    [500, '10', undefined],
    [301, '10', undefined],
  ])('status %s, Retry-After %o → %s', (status, value, expected) => {
    expect(serverWait(busy(status, value), T0)).toBe(expected);
  });

  it('is undefined without the header', () => {
    expect(serverWait(new Response(null, { status: 429 }), T0)).toBeUndefined();
  });

  it.each([
    ['a 529 with Retry-After', answer(529, { 'retry-after': '3' }), 3_000],
    ['a 503 with retry-after-ms', answer(503, { 'retry-after-ms': '1500.5' }), 1_501],
    ['a rate-limit 403 with Retry-After', answer(403, { 'retry-after': '60' }), 60_000],
  ])('%s starts a cool-down', (_, response, expected) => {
    expect(serverWait(response, T0)).toBe(expected);
  });

  it.each([
    [
      'x-ratelimit-reset-tokens (OpenAI)',
      answer(429, { 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '20s' }),
    ],
    ['RateLimit t=', answer(429, { ratelimit: '"default";r=0;t=30' })],
    ['RateLimit-Reset', answer(503, { 'ratelimit-remaining': '0', 'ratelimit-reset': '30' })],
    [
      'X-RateLimit-Reset (GitHub)',
      answer(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(T0 / 1000 + 60) }),
    ],
    ['a 500 with Retry-After', answer(500, { 'retry-after': '5' })],
  ])('reset headers alone, or another status, start none: %s', (_, response) => {
    expect(serverWait(response, T0)).toBeUndefined();
  });
});

describe('circuitBreaker: what starts a cool-down', () => {
  it('a 429 that only says when its token quota resets holds back no other call', async () => {
    const { fetch, transport, events } = setup(
      {},
      answer(429, { 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '6m0s' }),
      200,
    );
    expect((await fetch(`${A}/completions`)).status).toBe(429);
    expect((await fetch(`${A}/other`)).status).toBe(200);
    expect(transport.calls).toHaveLength(2);
    expect(events.filter((e) => e.type === 'circuit-cool-down')).toEqual([]);
  });

  it.each([529, 403])('a %i with Retry-After holds back the other calls', async (status) => {
    const { fetch, events, settle, clock } = setup({}, answer(status, { 'retry-after': '2' }), 200);
    expect((await fetch(`${A}/a`)).status).toBe(status);
    expect(events).toEqual([{ type: 'circuit-cool-down', key: A, delay: 2_000 }]);
    const held = settle(fetch(`${A}/b`));
    await clock.advance(2_300);
    expect(await held).toBe(200);
  });
});

function setup(options: CircuitBreakerOptions, ...steps: Step[]) {
  const clock = fakeClock(T0);
  const events: ResilienceEvent[] = [];
  const breaker = circuitBreaker({ clock, onEvent: (e) => events.push(e), ...options });
  const transport = scripted(...steps);
  const fetch = breaker(transport);
  const settle = (p: Promise<Response>) =>
    p.then(
      (r) => r.status,
      (e: unknown) => (isCircuitOpenError(e) ? `refused ${e.retryAfter}` : e),
    );
  return { clock, events, breaker, transport, fetch, settle };
}

describe("circuitBreaker: server cool-down, 'wait' (the default)", () => {
  it('holds every call to the origin until Retry-After has passed, then releases them with jitter', async () => {
    const { clock, fetch, transport, events, settle, breaker } = setup({}, busy(429, '10'), 200);
    expect(await fetch(`${A}/first`).then((r) => r.status)).toBe(429);
    expect(events).toEqual([{ type: 'circuit-cool-down', key: A, delay: 10_000 }]);
    const waiting = [settle(fetch(`${A}/1`)), settle(fetch(`${A}/2`))];
    const other = await fetch('https://b.test/').then((r) => r.status);
    expect(other).toBe(200); // other origins are not held back
    await clock.advance(10_000);
    expect(transport.calls).toHaveLength(2); // still held: jitter of up to a tenth of the wait
    clock.randomValue = 0;
    await clock.advance(500); // random 0.5 × spread 1 000
    expect(await Promise.all(waiting)).toEqual([200, 200]);
    expect(transport.calls).toHaveLength(4);
    expect(breaker.state(A)).toBe('closed'); // a 429 is not a failure
  });

  it("ends the wait when the caller's signal aborts (a total deadline)", async () => {
    const { clock, fetch, transport } = setup({}, busy(503, '30'), 200);
    await fetch(A);
    const controller = new AbortController();
    const call = fetch(A, { signal: controller.signal });
    await clock.advance(1_000);
    controller.abort(new Error('deadline'));
    await expect(call).rejects.toThrow('deadline');
    expect(clock.sleeping).toBe(0);
    expect(transport.calls).toHaveLength(1);
  });

  it('waits again when the cool-down is extended meanwhile', async () => {
    const { clock, fetch, settle, breaker } = setup({}, busy(429, '1'), 200);
    await fetch(A);
    const waiting = settle(fetch(A));
    await flush();
    restoreBreaker(breaker, {
      version: 1,
      circuits: [{ key: A, state: 'closed', coolDownUntil: T0 + 5_000 }],
    });
    await clock.advance(1_050); // the first wait ends (1 000 + jitter 50), the new one starts
    expect(clock.sleeping).toBe(1);
    await clock.advance(5_000);
    expect(await waiting).toBe(200);
  });

  it('does not wait out a cool-down longer than maxCoolDown: the 503s then count as failures', async () => {
    const { clock, fetch, events, breaker } = setup(
      { maxCoolDown: 5_000, failureThreshold: 2 },
      busy(503, '60'),
    );
    await fetch(A);
    expect(events).toEqual([]);
    expect(clock.sleeping).toBe(0);
    await fetch(A);
    expect(breaker.state(A)).toBe('open');
  });

  it('refuses at once during a cool-down when the circuit is open or isolated', async () => {
    const { fetch, settle, breaker, clock } = setup({ failureThreshold: 1 }, busy(503, '10'));
    await fetch(A);
    expect(breaker.state(A)).toBe('open');
    expect(await settle(fetch(A))).toBe('refused 30000');
    breaker.isolate(A);
    expect(await settle(fetch(A))).toBe('refused Infinity');
    expect(clock.sleeping).toBe(0);
  });

  it('is cleared by reset()', async () => {
    const { fetch, breaker, transport } = setup({}, busy(429, '10'), 200);
    await fetch(A);
    breaker.reset(A);
    expect((await fetch(A)).status).toBe(200);
    expect(transport.calls).toHaveLength(2);
  });
});

describe("circuitBreaker: server cool-down, 'fail-fast' and false", () => {
  it("'fail-fast' refuses every call until then with CircuitOpenError (retryAfter = time left)", async () => {
    const { clock, fetch, settle, events } = setup({ coolDown: 'fail-fast' }, busy(503, '10'), 200);
    await fetch(`${A}/x`);
    await clock.advance(4_000);
    expect(await settle(fetch(`${A}/y?k=1`))).toBe('refused 6000');
    expect(events.at(-1)).toEqual({
      type: 'circuit-rejected',
      key: A,
      retryAfter: 6_000,
      url: `${A}/y`,
      method: 'GET',
    });
    await clock.advance(6_000);
    expect(await settle(fetch(A))).toBe(200);
  });

  it('false ignores Retry-After', async () => {
    const { fetch, events, transport } = setup({ coolDown: false }, busy(429, '10'), 200);
    await fetch(A);
    expect((await fetch(A)).status).toBe(200);
    expect(transport.calls).toHaveLength(2);
    expect(events).toEqual([]);
  });

  it('survives a snapshot', async () => {
    const first = setup({ coolDown: 'fail-fast' }, busy(429, '10'));
    await first.fetch(A);
    const second = setup({ coolDown: 'fail-fast' }, 200);
    restoreBreaker(second.breaker, JSON.parse(JSON.stringify(snapshotBreaker(first.breaker))));
    second.clock.time = T0 + 3_000;
    expect(await second.settle(second.fetch(A))).toBe('refused 7000');
  });
});
