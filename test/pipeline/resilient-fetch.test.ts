import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import { CircuitOpenError } from '../../src/errors/circuit-open-error.ts';
import { RetryExhaustedError } from '../../src/errors/retry-exhausted-error.ts';
import { TimeoutError } from '../../src/errors/timeout-error.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { resilientFetch } from '../../src/resilient-fetch.ts';
import { hanging, networkError, scripted } from '../helpers/fake-transport.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Runs a call to completion while advancing fake time in steps. */
async function settle<T>(promise: Promise<T>, step = 1_000, max = 120): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => {});
  for (let i = 0; i < max && !done; i++) await vi.advanceTimersByTimeAsync(step);
  return tracked;
}

describe('resilientFetch', () => {
  it('retries a 503 twice by default and returns the last response (a 503 is a value)', async () => {
    const transport = scripted(503);
    const response = await settle(resilientFetch({ fetch: transport })('http://a.test/'));
    expect(response.status).toBe(503);
    expect(transport.calls).toHaveLength(3);
  });

  it('succeeds after a network error and a 502', async () => {
    const transport = scripted(networkError(), 502, 200);
    const response = await settle(resilientFetch({ fetch: transport })('http://a.test/'));
    expect(response.status).toBe(200);
  });

  it('looks the global fetch up at call time by default', async () => {
    const fetchNow = resilientFetch();
    const transport = scripted(204);
    vi.stubGlobal('fetch', transport);
    expect((await fetchNow('http://a.test/')).status).toBe(204);
    expect(transport.calls).toHaveLength(1);
  });

  it('runs the stages in order: total timeout → retry → breaker → attempt timeout → transport', async () => {
    const events: ResilienceEvent[] = [];
    const transport = hanging();
    const fetch = resilientFetch({
      fetch: transport,
      timeout: 25_000,
      attemptTimeout: 10_000,
      retry: { limit: 5, backoff: () => 0, budget: false },
      circuitBreaker: { failureThreshold: 100 },
      onEvent: (e) => events.push(e),
    });
    const call = fetch('http://a.test/');
    const settled = expect(call).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(25_000);
    await settled;
    // Attempts at 0, 10 s and 20 s are each cut by the attempt timeout; the total deadline ends the third.
    expect(transport.calls).toHaveLength(3);
    const timeouts = events.filter((e) => e.type === 'timeout').map((e) => (e as { key: string }).key);
    expect(timeouts).toEqual(['attemptTimeout', 'attemptTimeout', 'timeout']);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'give-up', reason: 'deadline' });
  });

  it('rejects with RetryExhaustedError when every attempt timed out', async () => {
    const transport = hanging();
    const fetch = resilientFetch({ fetch: transport, attemptTimeout: 100, retry: { backoff: () => 0 } });
    const error = await settle(fetch('http://a.test/'), 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(error).toMatchObject({ attempts: 3, cause: expect.any(TimeoutError) });
    expect(transport.calls).toHaveLength(3);
  });

  it('opens the circuit after repeated failures and then fails fast without the transport', async () => {
    const transport = scripted(500);
    const fetch = resilientFetch({ fetch: transport, retry: false, circuitBreaker: { failureThreshold: 2 } });
    await fetch('http://a.test/1');
    await fetch('http://a.test/2');
    await expect(fetch('http://a.test/3')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(transport.calls).toHaveLength(2);
    expect(fetch.circuitBreaker?.state('http://a.test')).toBe('open');
    // Another origin is unaffected.
    expect((await fetch('http://b.test/')).status).toBe(500);
  });

  it('shares a breaker passed in, and leaves stages configured false out of the chain', async () => {
    const breaker = circuitBreaker({ failureThreshold: 1 });
    const transport = scripted(503);
    const one = resilientFetch({ fetch: transport, retry: false, circuitBreaker: breaker });
    const two = resilientFetch({ fetch: transport, retry: false, circuitBreaker: breaker });
    await one('http://a.test/');
    await expect(two('http://a.test/')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(two.circuitBreaker).toBe(breaker);

    const bare = resilientFetch({ fetch: transport, retry: false, circuitBreaker: false, timeout: false });
    // Per-request options cannot switch a missing stage back on.
    await bare('http://a.test/', { resilience: { retry: 3, timeout: 5 } });
    expect(transport.calls).toHaveLength(2);
    expect(bare.circuitBreaker).toBeUndefined();
  });

  it('takes per-request options for every stage', async () => {
    const transport = scripted(503);
    const fetch = resilientFetch({ fetch: transport, retry: { backoff: () => 0 } });
    await settle(fetch('http://a.test/', { resilience: { retry: { limit: 4 } } }));
    expect(transport.calls).toHaveLength(5);
    await fetch('http://a.test/', { resilience: { retry: false, circuitBreaker: false } });
    expect(transport.calls).toHaveLength(6);
  });

  it('a number for retry is the limit', async () => {
    const transport = scripted(503);
    await settle(resilientFetch({ fetch: transport, retry: 1 })('http://a.test/'));
    expect(transport.calls).toHaveLength(2);
  });

  it('does not stack retries when a resilient fetch is the transport of another', async () => {
    const transport = scripted(503);
    const inner = resilientFetch({ fetch: transport, retry: { limit: 2, backoff: () => 0 } });
    const outer = resilientFetch({ fetch: inner, retry: { limit: 2, backoff: () => 0 } });
    const response = await settle(outer('http://a.test/'));
    expect(response.status).toBe(503);
    expect(transport.calls).toHaveLength(3);
  });

  it('sends every event to onEvent and to a stage listener given in its options', async () => {
    const all: string[] = [];
    const retryOnly: string[] = [];
    const fetch = resilientFetch({
      fetch: scripted(503, 200),
      retry: { backoff: () => 0, onEvent: (e) => retryOnly.push(e.type) },
      onEvent: (e) => all.push(e.type),
    });
    await settle(fetch('http://a.test/'));
    expect(all).toEqual(['request', 'attempt', 'retry', 'attempt', 'success']);
    expect(retryOnly).toEqual(all);
  });

  it('rejects bad options at construction, naming them', () => {
    expect(() => resilientFetch({ timeout: 0 })).toThrow(
      new RangeError('resilientFetch: timeout must be greater than 0, got 0'),
    );
    expect(() => resilientFetch({ attemptTimeout: -1 })).toThrow(/^resilientFetch: attemptTimeout must be/);
    expect(() => resilientFetch({ fetch: 'fetch' as never })).toThrow(
      'resilientFetch: fetch must be a function, got "fetch"',
    );
    expect(() => resilientFetch({ retry: -1 })).toThrow(
      'resilientFetch: retry must be a non-negative integer, got -1',
    );
    expect(() => resilientFetch({ retry: { limit: 1.5 } })).toThrow(/limit/);
    expect(() => resilientFetch({ circuitBreaker: { failureRateThreshold: 2 } })).toThrow(
      /failureRateThreshold/,
    );
  });
});
