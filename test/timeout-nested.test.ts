import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compose } from '../src/compose.ts';
import { TimeoutError } from '../src/errors/timeout-error.ts';
import { timeout } from '../src/timeout.ts';
import type { Middleware } from '../src/types.ts';
import { hanging, scripted } from './helpers/fake-transport.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const attempt = () => timeout(1_000, { key: 'attemptTimeout' });

/** Calls `next` up to `times` times in turn while the answers are 503, like a retry stage without waits. */
const again =
  (times: number): Middleware =>
  (next) =>
  async (input, init) => {
    let response = await next(input, init);
    for (let i = 1; i < times && response.status === 503; i++) response = await next(input, init);
    return response;
  };

describe('timeout stages nested in one chain', () => {
  it('the outer deadline aborts the attempt in flight and rejects with its own TimeoutError', async () => {
    const transport = hanging();
    const call = compose(timeout(100), attempt())(transport)('http://x.test/');
    const settled = expect(call).rejects.toMatchObject({ name: 'TimeoutError', timeout: 100 });
    await vi.advanceTimersByTimeAsync(100);
    await settled;
    const signal = transport.calls[0]?.signal;
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(TimeoutError);
    expect(signal?.reason).toMatchObject({ timeout: 100 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the inner deadline fires first when it is shorter', async () => {
    const transport = hanging();
    const call = compose(timeout(5_000), attempt())(transport)('http://x.test/');
    const settled = expect(call).rejects.toMatchObject({ timeout: 1_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    await settled;
    expect(vi.getTimerCount()).toBe(0);
  });

  it("the caller's abort reaches every stage and the transport, and leaves no listener", async () => {
    const transport = hanging();
    const caller = new AbortController();
    const add = vi.spyOn(caller.signal, 'addEventListener');
    const remove = vi.spyOn(caller.signal, 'removeEventListener');
    const call = compose(timeout(5_000), attempt())(transport)('http://x.test/', { signal: caller.signal });
    caller.abort('stop');
    await expect(call).rejects.toBe('stop');
    expect(transport.calls[0]?.signal?.reason).toBe('stop');
    expect(add).toHaveBeenCalledTimes(1);
    expect(remove).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never aborts the signal of an attempt that already answered when the outer deadline passes', async () => {
    const transport = scripted(503, 503, () => new Promise<Response>(() => {}));
    const call = compose(timeout(100), again(3), attempt())(transport)('http://x.test/');
    const settled = expect(call).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(100);
    await settled;
    expect(transport.calls.map((c) => c.signal?.aborted)).toEqual([false, false, true]);
  });

  it('keeps working when the outer signal is shared by many attempts that settle', async () => {
    const transport = scripted(503, 503, 503, 200);
    const response = await compose(timeout(100), again(4), attempt())(transport)('http://x.test/');
    expect(response.status).toBe(200);
    expect(transport.calls.map((c) => c.signal?.aborted)).toEqual([false, false, false, false]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
