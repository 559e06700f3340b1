import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compose } from '../src/compose.ts';
import { isTimeoutError } from '../src/errors/timeout-error.ts';
import type { ResilienceEvent } from '../src/events.ts';
import { timeout } from '../src/timeout.ts';
import type { Middleware } from '../src/types.ts';
import { hanging, scripted } from './helpers/fake-transport.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Calls `next` again (up to `times` calls) after an attempt TimeoutError or a 503, like retry without waits. */
const again =
  (times: number): Middleware =>
  (next) =>
  async (input, init) => {
    for (let i = 1; ; i++) {
      try {
        const response = await next(input, init);
        if (response.status !== 503 || i >= times) return response;
      } catch (error) {
        if (!isTimeoutError(error) || init?.signal?.aborted || i >= times) throw error;
      }
    }
  };

const events: ResilienceEvent[] = [];
const onEvent = (e: ResilienceEvent) => events.push(e);
const total = (ms: number) => timeout(ms, { onEvent });
const attempt = (ms: number) => timeout(ms, { key: 'attemptTimeout', onEvent });

describe('nested timeout stages share one timer per call', () => {
  beforeEach(() => {
    events.length = 0;
  });

  it('arms one timer for a call that succeeds first time, and leaves none', async () => {
    const set = vi.spyOn(globalThis, 'setTimeout');
    const response = await compose(total(5_000), attempt(1_000))(scripted(200))('http://x.test/');
    expect(response.status).toBe(200);
    expect(set).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer after a failure or a caller abort', async () => {
    const chain = compose(total(5_000), again(2), attempt(1_000));
    await expect(chain(scripted(new TypeError('fetch failed')))('http://x.test/')).rejects.toThrow(
      'fetch failed',
    );
    expect(vi.getTimerCount()).toBe(0);
    const caller = new AbortController();
    const call = chain(hanging())('http://x.test/', { signal: caller.signal });
    caller.abort('stop');
    await expect(call).rejects.toBe('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a retried call whose attempts time out still ends at its total deadline', async () => {
    const transport = hanging();
    const call = compose(total(250), again(5), attempt(100))(transport)('http://x.test/');
    const settled = expect(call).rejects.toMatchObject({ name: 'TimeoutError', timeout: 250 });
    await vi.advanceTimersByTimeAsync(249);
    expect(transport.calls).toHaveLength(3);
    expect(transport.calls.map((c) => c.signal?.aborted)).toEqual([true, true, false]);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    expect(events.map((e) => e.type === 'timeout' && [e.key, e.timeout])).toEqual([
      ['attemptTimeout', 100],
      ['attemptTimeout', 100],
      ['timeout', 250],
    ]);
    expect(transport.calls[2]?.signal?.reason).toMatchObject({ timeout: 250 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the total deadline after attempts that failed fast, and leaves no timer after retries', async () => {
    const transport = scripted(503, 503, 200);
    const response = await compose(total(250), again(3), attempt(100))(transport)('http://x.test/');
    expect(response.status).toBe(200);
    expect(vi.getTimerCount()).toBe(0);

    const slow = scripted(503, () => new Promise<Response>(() => {}));
    const waits: Middleware = (next) => async (input, init) => {
      await next(input, init);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return next(input, init);
    };
    const call = compose(total(250), waits, attempt(100))(slow)('http://x.test/');
    const settled = expect(call).rejects.toMatchObject({ timeout: 250 });
    // The second attempt starts at 200 ms: its own deadline (300 ms) is after the total one.
    await vi.advanceTimersByTimeAsync(250);
    await settled;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms for an attempt registered later with a nearer deadline', async () => {
    const transport = scripted(503, () => new Promise<Response>(() => {}));
    const shorter: Middleware = (next) => async (input, init) => {
      await next(input, init);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return next(input, { ...init, resilience: { attemptTimeout: 50 } });
    };
    const call = compose(total(10_000), shorter, attempt(5_000))(transport)('http://x.test/');
    const settled = expect(call).rejects.toMatchObject({ timeout: 50 });
    await vi.advanceTimersByTimeAsync(1_050);
    await settled;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an attempt left pending by a middleware that returned early keeps its own deadline', async () => {
    const transport = hanging();
    const early: Middleware = (next) => (input, init) => {
      next(input, init).catch(() => {});
      return Promise.resolve(new Response('cached'));
    };
    const response = await compose(total(5_000), early, attempt(100))(transport)('http://x.test/');
    expect(await response.text()).toBe('cached');
    expect(transport.calls[0]?.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(transport.calls[0]?.signal?.reason).toMatchObject({ timeout: 100 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a second attempt in flight at once takes its own timer, and both follow the outer deadline', async () => {
    const transport = hanging();
    const both: Middleware = (next) => (input, init) => {
      const first = next(input, init);
      const second = next(input, { ...init, resilience: { attemptTimeout: 50 } });
      return Promise.any([first, second]);
    };
    const call = compose(total(200), both, attempt(1_000))(transport)('http://x.test/');
    const settled = expect(call).rejects.toMatchObject({ name: 'TimeoutError', timeout: 200 });
    await vi.advanceTimersByTimeAsync(50);
    expect(transport.calls.map((c) => c.signal?.aborted)).toEqual([false, true]);
    expect(transport.calls[1]?.signal?.reason).toMatchObject({ timeout: 50 });
    await vi.advanceTimersByTimeAsync(150);
    await settled;
    expect(transport.calls[0]?.signal?.reason).toMatchObject({ timeout: 200 });
    expect(vi.getTimerCount()).toBe(0);
  });
});
