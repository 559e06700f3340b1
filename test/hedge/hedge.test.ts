// The hedging race, with a scripted transport and fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  circuitBreaker,
  compose,
  hedge,
  type ResilienceEvent,
  rateLimit,
  resilientFetch,
} from '../../src/index.ts';
import { type Call, scripted } from '../helpers/fake-transport.ts';

const URL_ = 'https://api.test/items';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(Date.UTC(2030, 0, 1));
});
afterEach(() => {
  vi.useRealTimers();
});

/** A transport answering each attempt after the delay its script gives (ms, then a status or an error). */
function timed(...script: Array<[ms: number, answer: number | Error]>) {
  const cancelled: number[] = [];
  const transport = scripted((_input, init) => {
    const index = transport.calls.length - 1;
    const [ms, answer] = script[Math.min(index, script.length - 1)]!;
    return new Promise<Response>((resolve, reject) => {
      const signal = init?.signal;
      const timer = setTimeout(() => {
        if (answer instanceof Error) return reject(answer);
        const body = new ReadableStream({ cancel: () => void cancelled.push(index) });
        resolve(new Response(body, { status: answer, headers: { attempt: String(index + 1) } }));
      }, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  });
  return Object.assign(transport, { cancelled });
}

const attemptOf = (response: Response) => Number(response.headers.get('attempt'));
const signals = (calls: Call[]) => calls.map((c) => c.signal?.aborted);

describe('hedge', () => {
  it('an answer before the delay costs no extra request and leaves no timer', async () => {
    const transport = timed([50, 200]);
    const events: ResilienceEvent[] = [];
    const fetch = hedge({ delay: 100, onEvent: (e) => events.push(e) })(transport);
    const pending = fetch(URL_);
    expect(vi.getTimerCount()).toBe(2); // the transport's and the hedge's
    await vi.advanceTimersByTimeAsync(50);
    expect(attemptOf(await pending)).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(transport.calls).toHaveLength(1);
    expect(events).toEqual([]);
  });

  it('sends a hedge after the delay; the first good answer wins and the other is aborted', async () => {
    const transport = timed([500, 200], [50, 200]);
    const events: ResilienceEvent[] = [];
    const fetch = hedge({ delay: 100, onEvent: (e) => events.push(e) })(transport);
    const pending = fetch(URL_);
    await vi.advanceTimersByTimeAsync(150);
    const response = await pending;
    expect(attemptOf(response)).toBe(2);
    expect(signals(transport.calls)).toEqual([true, false]);
    expect(events).toEqual([{ type: 'hedge', attempt: 2, delay: 100, url: URL_, method: 'GET' }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the first attempt may still win after the hedge was sent', async () => {
    const transport = timed([120, 200], [500, 200]);
    const fetch = hedge({ delay: 100 })(transport);
    const pending = fetch(URL_);
    await vi.advanceTimersByTimeAsync(120);
    expect(attemptOf(await pending)).toBe(1);
    expect(signals(transport.calls)).toEqual([false, true]);
  });

  it('a retryable failure waits for the other attempt, and its body is cancelled when that one wins', async () => {
    const transport = timed([150, 503], [100, 200]);
    const fetch = hedge({ delay: 100 })(transport);
    const pending = fetch(URL_);
    await vi.advanceTimersByTimeAsync(200);
    const response = await pending;
    expect([attemptOf(response), response.status]).toEqual([2, 200]);
    expect(transport.cancelled).toEqual([0]);
  });

  it('a failure while no other attempt is out is the answer at once', async () => {
    const transport = timed([10, 503]);
    const fetch = hedge({ delay: 100 })(transport);
    const pending = fetch(URL_);
    await vi.advanceTimersByTimeAsync(10);
    expect((await pending).status).toBe(503);
    expect(transport.calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    const failing = hedge({ delay: 100 })(timed([10, new TypeError('fetch failed')]))(URL_);
    const settled = failing.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(await settled).toMatchObject({ message: 'fetch failed' });
  });

  it('a good answer that is not retryable (a 404) wins too', async () => {
    const transport = timed([150, 404], [500, 200]);
    const pending = hedge({ delay: 100 })(transport)(URL_);
    await vi.advanceTimersByTimeAsync(150);
    expect((await pending).status).toBe(404);
  });

  it('when every attempt fails, the last failure is the answer', async () => {
    const transport = timed([150, new TypeError('fetch failed')], [150, 502], [100, 503]);
    const fetch = hedge({ delay: 100, maxHedges: 2 })(transport);
    const pending = fetch(URL_);
    await vi.advanceTimersByTimeAsync(400);
    const response = await pending;
    expect([attemptOf(response), response.status]).toEqual([3, 503]);
    expect(transport.calls).toHaveLength(3);
    expect(transport.cancelled).toEqual([1]);
  });

  it('hedges only idempotent methods without a stream body; a Request body goes through clone()', async () => {
    const slow = () => timed([500, 200]);
    for (const init of [
      { method: 'POST' },
      { method: 'POST', headers: { 'idempotency-key': 'k' } },
      { method: 'PUT', body: new ReadableStream(), duplex: 'half' } as RequestInit,
    ]) {
      const transport = slow();
      const pending = hedge({ delay: 100 })(transport)(URL_, init);
      await vi.advanceTimersByTimeAsync(500);
      await pending;
      expect(transport.calls).toHaveLength(1);
    }
    const bodies: string[] = [];
    const transport = scripted(async (input) => {
      bodies.push(await (input as Request).text());
      return new Promise<Response>(() => {});
    });
    void hedge({ delay: 100 })(transport)(new Request(URL_, { method: 'PUT', body: 'payload' }));
    await vi.advanceTimersByTimeAsync(100);
    expect(bodies).toEqual(['payload', 'payload']);
    // A Request whose hedge was never sent has its kept body cancelled once the call is answered.
    const kept = new Request(URL_, { method: 'PUT', body: 'payload' });
    const quick = hedge({ delay: 100 })(
      scripted(async (input) => new Response(await (input as Request).text())),
    );
    expect(await (await quick(kept)).text()).toBe('payload');
    expect(kept.bodyUsed).toBe(true);
    const custom = timed([500, 200]);
    void hedge({ delay: 100, methods: ['post'] })(custom)(URL_, { method: 'POST' });
    await vi.advanceTimersByTimeAsync(100);
    expect(custom.calls).toHaveLength(2);
  });

  it('a transport that resolves to something else than a Response fails the call, unretried', async () => {
    const fetch = hedge({ delay: 100 })(async () => 'nope' as never);
    await expect(fetch(URL_)).rejects.toThrow('hedge: the transport resolved to "nope", not a Response');
    const api = resilientFetch({ fetch: async () => 'nope' as never, hedge: hedge(), circuitBreaker: false });
    await expect(api(URL_)).rejects.toThrow('not a Response');
  });

  it("the caller's abort ends every attempt with its reason", async () => {
    const transport = timed([500, 200]);
    const controller = new AbortController();
    const pending = hedge({ delay: 100 })(transport)(URL_, { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(150);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(signals(transport.calls)).toEqual([true, true]);
    expect(vi.getTimerCount()).toBe(0);
    await expect(hedge()(transport)(URL_, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow(
      'gone',
    );
  });

  it('with the default budget, 1000 calls to an always-slow upstream make at most 1200 requests', async () => {
    const transport = timed([1_000, 200]);
    const fetch = hedge({ delay: 10 })(transport);
    const calls = Array.from({ length: 1_000 }, () => fetch(URL_));
    await vi.advanceTimersByTimeAsync(1_100);
    await Promise.all(calls);
    expect(transport.calls).toHaveLength(1_200);
    const unbounded = timed([1_000, 200]);
    const free = hedge({ delay: 10, budget: false })(unbounded);
    const all = Array.from({ length: 100 }, () => free(URL_));
    await vi.advanceTimersByTimeAsync(1_100);
    await Promise.all(all);
    expect(unbounded.calls).toHaveLength(200);
  });

  it("'auto' waits 2000 ms until 20 answer times are known, then their 95th percentile, per origin", async () => {
    const events: ResilienceEvent[] = [];
    const times = Array.from({ length: 20 }, (_, i) => [(i + 1) * 10, 200] as [number, number]);
    const transport = timed(...times, [5_000, 200]);
    const fetch = hedge({ onEvent: (e) => events.push(e) })(transport);
    for (let i = 0; i < 20; i++) {
      const pending = fetch(URL_);
      await vi.advanceTimersByTimeAsync((i + 1) * 10);
      await pending;
    }
    expect(events).toEqual([]);
    const slow = fetch(URL_);
    await vi.advanceTimersByTimeAsync(5_000);
    await slow;
    expect(events).toMatchObject([{ type: 'hedge', delay: 190 }]); // p95 of 10…200 ms
    void fetch('https://other.test/');
    await vi.advanceTimersByTimeAsync(1_999);
    expect(events).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(events).toMatchObject([{ delay: 190 }, { delay: 2_000 }]);
  });

  it('an attempt aborted because another won is neither a success nor a failure for the breaker', async () => {
    const breaker = circuitBreaker({ failureThreshold: 1 });
    const transport = timed([500, 200], [50, 200]);
    const fetch = compose(hedge({ delay: 100 }), breaker)(transport);
    for (let i = 0; i < 3; i++) {
      const pending = fetch(URL_);
      await vi.advanceTimersByTimeAsync(150);
      expect((await pending).status).toBe(200);
    }
    expect(breaker.state('https://api.test')).toBe('closed');
  });

  it('in resilientFetch its events reach onEvent, between retry and the breaker', async () => {
    const transport = timed([500, 200], [50, 200]);
    const events: string[] = [];
    const api = resilientFetch({
      fetch: transport,
      hedge: hedge({ delay: 100 }),
      onEvent: (e) => events.push(e.type),
    });
    const pending = api(URL_);
    await vi.advanceTimersByTimeAsync(150);
    expect((await pending).status).toBe(200);
    expect(events).toEqual(['request', 'attempt', 'hedge', 'success']);
    expect(() => resilientFetch({ hedge: 100 as never })).toThrow(
      'resilientFetch: hedge must be a function, got 100',
    );
  });

  it('in resilientFetch the hedge sits above the limiter: each attempt takes a slot of its own', async () => {
    const transport = timed([500, 200], [50, 200]);
    const events: string[] = [];
    const limiter = rateLimit({ maxConcurrent: 1 });
    const api = resilientFetch({
      fetch: transport,
      hedge: hedge({ delay: 100 }),
      rateLimit: limiter,
      onEvent: (e) => events.push(e.type),
    });
    const pending = api(URL_);
    await vi.advanceTimersByTimeAsync(100);
    // The hedge waits for the limiter's one slot, held by the first attempt, which then wins. The slot it
    // frees goes to the hedge as the answer travels up, and the hedge is aborted as soon as it arrives.
    expect(limiter.state('https://api.test')).toMatchObject({ inFlight: 1, queued: 1 });
    await vi.advanceTimersByTimeAsync(400);
    expect(attemptOf(await pending)).toBe(1);
    expect(signals(transport.calls)).toEqual([false, true]);
    expect(limiter.state('https://api.test')).toMatchObject({ inFlight: 0, queued: 0 });
    expect(events).toEqual(['request', 'attempt', 'hedge', 'rate-limit-wait', 'success']);
  });

  it('validates its options, naming the option and the value', () => {
    expect(() => hedge({ delay: -1 })).toThrow(
      "hedge: delay must be 'auto' or a finite number of ms between 0 and 2^31-1, got -1",
    );
    expect(() => hedge({ delay: 'fast' as never })).toThrow('hedge: delay must be');
    expect(() => hedge({ maxHedges: 0 })).toThrow('hedge: maxHedges must be a positive integer, got 0');
    expect(() => hedge({ methods: 'GET' as never })).toThrow(
      'hedge: methods must be an array of method names',
    );
    expect(() => hedge({ budget: { ratio: 2 } })).toThrow(
      'hedge: budget.ratio must be a number between 0 and 1, got 2',
    );
    expect(() => hedge({ budget: { ttl: 5 } })).toThrow('hedge: budget.ttl must be at least 10 ms, got 5');
  });
});
