import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTimeoutError, TimeoutError } from '../src/errors/timeout-error.ts';
import type { ResilienceEvent } from '../src/events.ts';
import { timeout } from '../src/timeout.ts';
import { hanging, scripted } from './helpers/fake-transport.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('timeout', () => {
  it('rejects with a TimeoutError and aborts the downstream signal when the deadline passes', async () => {
    const transport = hanging();
    const events: ResilienceEvent[] = [];
    const call = timeout(1_000, { onEvent: (e) => events.push(e) })(transport)(
      'http://x.test/a?token=s3cret',
    );
    const settled = expect(call).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(999);
    expect(transport.calls[0]?.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    const signal = transport.calls[0]?.signal;
    expect(signal?.aborted).toBe(true);
    expect(isTimeoutError(signal?.reason)).toBe(true);
    expect((signal!.reason as TimeoutError).timeout).toBe(1_000);
    expect(events).toEqual([
      { type: 'timeout', timeout: 1_000, key: 'timeout', url: 'http://x.test/a', method: 'GET' },
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at the deadline even when the transport ignores its signal', async () => {
    const transport = scripted(() => new Promise<Response>(() => {}));
    const call = timeout(50)(transport)('http://x.test/');
    const settled = expect(call).rejects.toThrow('Request timed out after 50 ms');
    await vi.advanceTimersByTimeAsync(50);
    await settled;
  });

  it('cancels the body of a response that arrives after the deadline', async () => {
    let cancelled = false;
    let answer!: (response: Response) => void;
    const transport = scripted(() => new Promise<Response>((resolve) => (answer = resolve)));
    const call = timeout(50)(transport)('http://x.test/');
    const settled = expect(call).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(50);
    await settled;
    const body = new ReadableStream({
      cancel: () => {
        cancelled = true;
      },
    });
    answer(new Response(body));
    await vi.advanceTimersByTimeAsync(0);
    expect(cancelled).toBe(true);
  });

  it('returns the response and clears its timer when headers arrive in time', async () => {
    const transport = scripted(200);
    const response = await timeout(1_000)(transport)('http://x.test/');
    expect(response.status).toBe(200);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(transport.calls[0]?.signal?.aborted).toBe(false);
  });

  it('never aborts the signal after the response was returned', async () => {
    const transport = scripted(200);
    await timeout(10)(transport)('http://x.test/');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(transport.calls[0]?.signal?.aborted).toBe(false);
  });

  it("rejects with the caller's reason when the caller aborts, never with a TimeoutError", async () => {
    const transport = hanging();
    const caller = new AbortController();
    const call = timeout(1_000)(transport)('http://x.test/', { signal: caller.signal });
    const reason = new Error('user went away');
    caller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(transport.calls[0]?.signal?.reason).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once without calling the transport when the caller signal is already aborted', async () => {
    const transport = scripted(200);
    const caller = new AbortController();
    caller.abort('gone');
    await expect(timeout(1_000)(transport)('http://x.test/', { signal: caller.signal })).rejects.toBe('gone');
    expect(transport.calls).toHaveLength(0);
  });

  it('follows the signal of a Request input', async () => {
    const transport = hanging();
    const caller = new AbortController();
    const call = timeout(1_000)(transport)(new Request('http://x.test/', { signal: caller.signal }));
    caller.abort('stop');
    await expect(call).rejects.toBe('stop');
  });

  it("removes its listener from the caller's signal on every path", async () => {
    const caller = new AbortController();
    const add = vi.spyOn(caller.signal, 'addEventListener');
    const remove = vi.spyOn(caller.signal, 'removeEventListener');
    const ok = timeout(1_000)(scripted(200));
    const failing = timeout(1_000)(scripted(new TypeError('fetch failed')));
    const slow = timeout(10)(hanging());
    await ok('http://x.test/', { signal: caller.signal });
    await expect(failing('http://x.test/', { signal: caller.signal })).rejects.toThrow('fetch failed');
    const late = expect(slow('http://x.test/', { signal: caller.signal })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    await vi.advanceTimersByTimeAsync(10);
    await late;
    expect(add).toHaveBeenCalledTimes(3);
    expect(remove).toHaveBeenCalledTimes(3);
    expect(remove.mock.calls.map((c) => c[1])).toEqual(add.mock.calls.map((c) => c[1]));
  });

  it('passes a synchronous throw of the transport on as a rejection and clears the timer', async () => {
    const throwing = () => {
      throw new TypeError('bad input');
    };
    await expect(timeout(1_000)(throwing)('http://x.test/')).rejects.toThrow('bad input');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the init it was given, adding only its own signal', async () => {
    const transport = scripted(200);
    await timeout(1_000)(transport)('http://x.test/', { method: 'PUT', headers: { a: 'b' } });
    expect(transport.calls[0]?.init).toMatchObject({ method: 'PUT', headers: { a: 'b' } });
  });

  it('reads a per-request override under its key, and false turns it off', async () => {
    const stage = timeout(1_000, { key: 'attemptTimeout' });
    const transport = hanging();
    const call = stage(transport)('http://x.test/', { resilience: { attemptTimeout: 20 } });
    const settled = expect(call).rejects.toMatchObject({ timeout: 20 });
    await vi.advanceTimersByTimeAsync(20);
    await settled;

    const passthrough = scripted(200);
    await stage(passthrough)('http://x.test/', { resilience: { attemptTimeout: false } });
    expect(passthrough.calls[0]?.signal).toBeUndefined();
    // The other key is not this stage's business.
    await stage(passthrough)('http://x.test/', { resilience: { timeout: false } });
    expect(passthrough.calls[1]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('rejects a bad per-request value with a RangeError naming it', async () => {
    const call = timeout(1_000)(scripted(200))('http://x.test/', { resilience: { timeout: -5 } });
    await expect(call).rejects.toThrow(
      new RangeError('resilience.timeout must be a finite number of ms between 0 and 2^31-1, got -5'),
    );
  });

  it.each([
    [-1, RangeError],
    [0, RangeError],
    [Number.NaN, RangeError],
    [Number.POSITIVE_INFINITY, RangeError],
    [2 ** 31, RangeError],
    ['100', TypeError],
  ])('rejects ms = %s at construction', (ms, kind) => {
    expect(() => timeout(ms as number)).toThrow(kind);
    expect(() => timeout(ms as number)).toThrow(/^timeout: ms must be/);
  });

  it('rejects bad options at construction', () => {
    expect(() => timeout(10, { key: '' })).toThrow(TypeError);
    expect(() => timeout(10, { onEvent: 'x' as never })).toThrow(
      'timeout: onEvent must be a function, got "x"',
    );
    expect(() => timeout(10, 5 as never)).toThrow('timeout: options must be an options object, got 5');
  });
});
