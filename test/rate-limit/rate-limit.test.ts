// The limiter's admission, queue and timers, with a scripted transport and fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  compose,
  isRateLimitError,
  RateLimitError,
  type ResilienceEvent,
  rateLimit,
  resilientFetch,
} from '../../src/index.ts';
import { type Call, scripted } from '../helpers/fake-transport.ts';

const ORIGIN = 'https://api.test';
const URL_ = `${ORIGIN}/items`;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(Date.UTC(2030, 0, 1));
});
afterEach(() => {
  vi.useRealTimers();
});

/** A transport whose answers the test releases one by one, each announcing `remaining` with a reset. */
function gate() {
  const pending: Array<{ call: Call; answer: (response: Response) => void }> = [];
  const transport = scripted(
    (input, init) =>
      new Promise<Response>((resolve, reject) => {
        const signal = init?.signal;
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        pending.push({ call: { input, init, signal: signal ?? undefined }, answer: resolve });
      }),
  );
  const quota = (remaining: number, reset = 10, status = 200) =>
    new Response(null, {
      status,
      headers: {
        'x-ratelimit-remaining': String(remaining),
        'x-ratelimit-reset': String(reset),
        'x-ratelimit-limit': '5',
      },
    });
  return { transport, pending, quota };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('rateLimit', () => {
  it('reads a key never seen as unlimited and idle', () => {
    expect(rateLimit().state(ORIGIN)).toEqual({
      remaining: Number.POSITIVE_INFINITY,
      resetAt: undefined,
      inFlight: 0,
      queued: 0,
    });
  });

  it('sends 5 of 20 concurrent calls when 5 are left, and the rest in order after the reset', async () => {
    const { transport, pending, quota } = gate();
    const events: ResilienceEvent[] = [];
    const limiter = rateLimit({ onEvent: (e) => events.push(e) });
    const fetch = limiter(transport);
    const first = fetch(URL_);
    pending.shift()!.answer(quota(5));
    await first;
    expect(limiter.state(ORIGIN)).toMatchObject({ remaining: 5, inFlight: 0 });

    const order: number[] = [];
    const calls = Array.from({ length: 20 }, (_, i) => fetch(`${URL_}?n=${i}`).then(() => order.push(i)));
    await flush();
    expect(pending).toHaveLength(5);
    expect(limiter.state(ORIGIN)).toMatchObject({ remaining: 0, inFlight: 5, queued: 15 });
    const waits = events.filter((e) => e.type === 'rate-limit-wait');
    expect(waits).toHaveLength(15);
    expect(waits[0]).toMatchObject({ key: ORIGIN, delay: 10_000, url: URL_, method: 'GET' });

    // Answers in any order never raise the count within the window.
    for (const [i, remaining] of [4, 0, 3, 1, 2].entries()) pending[i]!.answer(quota(remaining));
    pending.splice(0, 5);
    await flush();
    expect(pending).toHaveLength(0);
    expect(limiter.state(ORIGIN).remaining).toBe(0);

    // The reset: the announced limit (5) goes, then the answers say.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pending).toHaveLength(5);
    expect(String(pending[0]!.call.input)).toBe(`${URL_}?n=5`);
    // The answers say 2 left in the new window: 2 more go, the last 8 after the next reset.
    for (const p of pending.splice(0)) p.answer(quota(2, 10));
    await flush();
    expect(pending).toHaveLength(2);
    for (const p of pending.splice(0)) p.answer(quota(0, 10));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pending).toHaveLength(5);
    for (const p of pending.splice(0)) p.answer(quota(10, 10));
    await flush();
    expect(pending).toHaveLength(3);
    for (const p of pending.splice(0)) p.answer(quota(10, 10));
    await Promise.all(calls);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a 429 with Retry-After empties the quota until then', async () => {
    const transport = scripted(new Response(null, { status: 429, headers: { 'retry-after': '3' } }), 200);
    const limiter = rateLimit();
    const fetch = limiter(transport);
    expect((await fetch(URL_)).status).toBe(429);
    const next = fetch(URL_);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(transport.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await next).status).toBe(200);
  });

  it('refuses at once a call that would wait longer than maxWait, with the estimated wait', async () => {
    const { transport, pending, quota } = gate();
    const events: ResilienceEvent[] = [];
    const fetch = rateLimit({ maxWait: 5_000, onEvent: (e) => events.push(e) })(transport);
    const first = fetch(URL_);
    pending.shift()!.answer(quota(0, 30));
    await first;
    const error = await fetch(URL_).catch((e: unknown) => e);
    expect(isRateLimitError(error)).toBe(true);
    expect(error).toMatchObject({ key: ORIGIN, reason: 'wait-too-long', retryAfter: 30_000 });
    expect(events.at(-1)).toMatchObject({
      type: 'rate-limit-rejected',
      key: ORIGIN,
      reason: 'wait-too-long',
    });
    expect(transport.calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a queued call whose wait grows past maxWait when an answer comes', async () => {
    const { transport, pending, quota } = gate();
    const fetch = rateLimit({ maxConcurrent: 1, maxWait: 5_000 })(transport);
    const first = fetch(URL_);
    const second = fetch(URL_).catch((e: unknown) => e);
    await flush();
    pending.shift()!.answer(quota(0, 60));
    await first;
    expect(await second).toMatchObject({ reason: 'wait-too-long', retryAfter: 60_000 });
  });

  it('a call waiting with no known end gives up after maxWait', async () => {
    const { transport, pending } = gate();
    const fetch = rateLimit({ maxConcurrent: 1, maxWait: 1_000 })(transport);
    void fetch(URL_);
    const second = fetch(URL_).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(999);
    expect(pending).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await second).toMatchObject({ reason: 'wait-too-long' });
  });

  it('a hostile wait (Retry-After: 999999999, an epoch in the year 33658) refuses at once, sets no timer', async () => {
    for (const headers of <Record<string, string>[]>[
      { 'retry-after': '999999999' },
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '999999999999' },
    ]) {
      const transport = scripted(new Response(null, { status: 429, headers }));
      const fetch = rateLimit()(transport);
      await fetch(URL_);
      const setTimeout = vi.spyOn(globalThis, 'setTimeout');
      await expect(fetch(URL_)).rejects.toMatchObject({ reason: 'wait-too-long' });
      expect(setTimeout).not.toHaveBeenCalled();
      setTimeout.mockRestore();
      expect(transport.calls).toHaveLength(1);
    }
  });

  it('refuses one call more than maxQueue', async () => {
    const { transport } = gate();
    const fetch = rateLimit({ maxConcurrent: 1, maxQueue: 2 })(transport);
    void fetch(URL_);
    void fetch(URL_);
    void fetch(URL_);
    const error = await fetch(URL_).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ reason: 'queue-full' });
    expect((error as Error).message).toBe('Rate limit for https://api.test: the queue is full');
  });

  it('a queued call leaves the queue at once when its signal aborts', async () => {
    const { transport, pending } = gate();
    const limiter = rateLimit({ maxConcurrent: 1 });
    const fetch = limiter(transport);
    void fetch(URL_);
    const controller = new AbortController();
    const waiting = fetch(URL_, { signal: controller.signal }).catch((e: unknown) => e);
    const third = fetch(`${URL_}?third`);
    await flush();
    expect(limiter.state(ORIGIN).queued).toBe(2);
    controller.abort(new Error('stop'));
    expect(await waiting).toMatchObject({ message: 'stop' });
    expect(limiter.state(ORIGIN).queued).toBe(1);
    pending.shift()!.answer(new Response('ok'));
    await flush();
    expect(String(pending[0]!.call.input)).toBe(`${URL_}?third`);
    pending.shift()!.answer(new Response('ok'));
    await third;
    expect(vi.getTimerCount()).toBe(0);
    // An already aborted signal never queues.
    void fetch(URL_);
    await expect(fetch(URL_, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
  });

  it('keeps to its own quota: each slot comes back interval ms after it was used', async () => {
    const transport = scripted(200);
    const fetch = rateLimit({ requests: 2, interval: 1_000 })(transport);
    const sentAt: number[] = [];
    const calls = Array.from({ length: 5 }, () => fetch(URL_));
    const t0 = Date.now();
    const spy = scripted(async () => {
      sentAt.push(Date.now() - t0);
      return new Response(null);
    });
    const fetch2 = rateLimit({ requests: 2, interval: 1_000 })(spy);
    const calls2 = Array.from({ length: 5 }, () => fetch2(URL_));
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all([...calls, ...calls2]);
    expect(sentAt).toEqual([0, 0, 1_000, 1_000, 2_000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('maxConcurrent is a bulkhead per key', async () => {
    const { transport, pending } = gate();
    const limiter = rateLimit({ maxConcurrent: 2 });
    const fetch = limiter(transport);
    for (let i = 0; i < 4; i++) void fetch(URL_);
    void fetch('https://other.test/');
    await flush();
    expect(pending).toHaveLength(3);
    expect(limiter.state(ORIGIN)).toMatchObject({ inFlight: 2, queued: 2, remaining: 0 });
    expect(limiter.state('https://other.test')).toMatchObject({ inFlight: 1, queued: 0 });
    pending.shift()!.answer(new Response(null));
    await flush();
    expect(pending).toHaveLength(3);
  });

  it('uses the key option, and bounds the keys it keeps', async () => {
    const transport = scripted(
      new Response(null, { headers: { 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '1' } }),
    );
    const limiter = rateLimit({ key: (url) => new URL(url).pathname, maxKeys: 2 });
    const fetch = limiter(transport);
    await fetch(`${ORIGIN}/a`);
    expect(limiter.state('/a').remaining).toBe(3);
    await vi.advanceTimersByTimeAsync(1_000);
    await fetch(`${ORIGIN}/b`);
    await fetch(`${ORIGIN}/c`);
    // `/a` was idle (its window over) and is dropped: it reads as never seen.
    expect(limiter.state('/a')).toMatchObject({ remaining: Number.POSITIVE_INFINITY, resetAt: undefined });
    expect(limiter.state('/c').remaining).toBe(3);
  });

  it('learn: false reads no header', async () => {
    const transport = scripted(
      new Response(null, { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '9' } }),
    );
    const limiter = rateLimit({ learn: false });
    await limiter(transport)(URL_);
    expect(limiter.state(ORIGIN).remaining).toBe(Number.POSITIVE_INFINITY);
  });

  it('gives the slot back when the transport throws or rejects', async () => {
    const limiter = rateLimit({ maxConcurrent: 1 });
    const throwing = limiter(() => {
      throw new Error('sync');
    });
    await expect(throwing(URL_)).rejects.toThrow('sync');
    await expect(limiter(scripted(new TypeError('fetch failed')))(URL_)).rejects.toThrow('fetch failed');
    expect(limiter.state(ORIGIN).inFlight).toBe(0);
    await expect(
      rateLimit({
        key: () => {
          throw new Error('key');
        },
      })(scripted(200))(URL_),
    ).rejects.toThrow('key');
  });

  it('validates its options, naming the option and the value', () => {
    expect(() => rateLimit({ maxConcurrent: 0 })).toThrow(
      'rateLimit: maxConcurrent must be a positive integer or Infinity, got 0',
    );
    expect(() => rateLimit({ maxQueue: -1 })).toThrow(
      'rateLimit: maxQueue must be a non-negative integer, got -1',
    );
    expect(() => rateLimit({ maxWait: Number.NaN })).toThrow('rateLimit: maxWait must be');
    expect(() => rateLimit({ requests: 5 })).toThrow(
      'rateLimit: interval must be set with requests, got undefined',
    );
    expect(() => rateLimit({ interval: 5 })).toThrow(
      'rateLimit: requests must be set with interval, got undefined',
    );
    expect(() => rateLimit({ requests: 1.5, interval: 5 })).toThrow(
      'rateLimit: requests must be a positive integer, got 1.5',
    );
    expect(() => rateLimit({ learn: 'yes' as never })).toThrow(
      'rateLimit: learn must be a boolean, got "yes"',
    );
    expect(() => rateLimit({ key: 'origin' as never })).toThrow(
      'rateLimit: key must be a function, got "origin"',
    );
    expect(() => rateLimit(null as never)).toThrow('rateLimit: options must be an options object, got null');
  });
});

describe('rateLimit in the pipeline', () => {
  it('refuses at once a call that would wait past its total deadline', async () => {
    const transport = scripted(
      new Response(null, {
        headers: { ratelimit: '"default";r=0;t=5', 'ratelimit-policy': '"default";q=10;w=5' },
      }),
    );
    const events: ResilienceEvent[] = [];
    const limiter = rateLimit();
    const api = resilientFetch({
      fetch: transport,
      rateLimit: limiter,
      timeout: 2_000,
      onEvent: (e) => events.push(e),
    });
    await api(URL_);
    const error = await api(URL_).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RateLimitError', reason: 'wait-too-long', retryAfter: 5_000 });
    expect(events.map((e) => e.type)).toContain('rate-limit-rejected');
    // A per-request deadline counts too; a longer one waits.
    const waited = api(URL_, { resilience: { timeout: 10_000 } });
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await waited).status).toBe(200);
    expect(transport.calls).toHaveLength(2);
    expect(limiter.state(ORIGIN)).toMatchObject({ remaining: 0 });
  });

  it('composes, and rejects what is not a built limiter', () => {
    expect(typeof compose(rateLimit())(scripted(200))).toBe('function');
    expect(() => resilientFetch({ rateLimit: {} as never })).toThrow(
      'resilientFetch: rateLimit must be a function, got an object',
    );
    expect(() => resilientFetch({ rateLimit: false })).not.toThrow();
  });
});
