import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constantBackoff } from '../../src/backoff.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { RETRYING, retry } from '../../src/retry/retry.ts';
import { networkError, scripted } from '../helpers/fake-transport.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const URL_ = 'http://x.test/a?token=s3cret';
const backoff = constantBackoff({ delay: 100 });

async function settle<T>(promise: Promise<T>): Promise<T> {
  const result = promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await vi.advanceTimersByTimeAsync(60_000);
  const r = await result;
  if (!r.ok) throw r.error;
  return r.value;
}

describe('retry: events', () => {
  it('reports request, attempts, retries and success, with the URL redacted and no header values', async () => {
    const events: ResilienceEvent[] = [];
    const transport = scripted(503, networkError(), 200);
    const fetch = retry({ backoff, onEvent: (e) => events.push(e) })(transport);
    await settle(fetch(URL_, { headers: { authorization: 'secret' } }));
    const url = 'http://x.test/a';
    expect(events).toEqual([
      { type: 'request', url, method: 'GET' },
      { type: 'attempt', attempt: 1, url, method: 'GET' },
      {
        type: 'retry',
        attempt: 1,
        delay: 100,
        reason: 'status',
        status: 503,
        url,
        method: 'GET',
        elapsed: 0,
      },
      { type: 'attempt', attempt: 2, url, method: 'GET' },
      { type: 'retry', attempt: 2, delay: 100, reason: 'network-error', url, method: 'GET', elapsed: 100 },
      { type: 'attempt', attempt: 3, url, method: 'GET' },
      { type: 'success', attempts: 3, status: 200, url, method: 'GET', elapsed: 200 },
    ]);
    expect(JSON.stringify(events)).not.toContain('secret');
  });

  it('calls onRetry before each wait with the context and the delay', async () => {
    const seen: unknown[] = [];
    const fetch = retry({ backoff, onRetry: (c, d) => seen.push([c.attempt, c.response?.status, c.url, d]) })(
      scripted(500, 200),
    );
    await settle(fetch(URL_));
    expect(seen).toEqual([[1, 500, URL_, 100]]);
  });
});

describe('retry: shouldRetry', () => {
  it('true retries, false does not, undefined keeps the default; it may be async', async () => {
    const t1 = scripted(404, 200);
    await settle(retry({ backoff, shouldRetry: (c) => c.response?.status === 404 })(t1)(URL_));
    expect(t1.calls).toHaveLength(2);

    const events: ResilienceEvent[] = [];
    const t2 = scripted(503, 200);
    const r2 = await settle(
      retry({ backoff, shouldRetry: async () => false, onEvent: (e) => events.push(e) })(t2)(URL_),
    );
    expect(r2.status).toBe(503);
    expect(events.at(-1)).toMatchObject({ type: 'give-up', reason: 'not-retryable' });

    const t3 = scripted(503, 200);
    await settle(retry({ backoff, shouldRetry: () => undefined })(t3)(URL_));
    expect(t3.calls).toHaveLength(2);
  });

  it('cannot make a POST without a key retryable after an answer that leaves its processing unknown', async () => {
    const transport = scripted(500, 200);
    await settle(retry({ backoff, shouldRetry: () => true })(transport)(URL_, { method: 'POST' }));
    expect(transport.calls).toHaveLength(1);
  });
});

describe('retry: per-request options', () => {
  it('false sends once; a number sets the limit; an object merges over the stage options', async () => {
    const t1 = scripted(503);
    await settle(retry({ backoff })(t1)(URL_, { resilience: { retry: false } }));
    expect(t1.calls).toHaveLength(1);

    const t2 = scripted(503);
    await settle(retry({ backoff })(t2)(URL_, { resilience: { retry: 4 } }));
    expect(t2.calls).toHaveLength(5);

    const t3 = scripted(404, 200);
    await settle(retry({ backoff, limit: 1 })(t3)(URL_, { resilience: { retry: { statusCodes: [404] } } }));
    expect(t3.calls).toHaveLength(2);
  });

  it('rejects a bad per-request value with an error naming it', async () => {
    const fetch = retry()(scripted(200));
    await expect(fetch(URL_, { resilience: { retry: -1 } })).rejects.toThrow(
      'retry: limit must be a non-negative integer, got -1',
    );
    await expect(fetch(URL_, { resilience: { retry: 'x' as never } })).rejects.toThrow(TypeError);
  });
});

describe('retry: no stacking', () => {
  it('an inner retry stage passes a call through when an outer one already retries it', async () => {
    const transport = scripted(503);
    const inner = retry({ backoff })(transport);
    const outer = retry({ backoff })(inner);
    await settle(outer(URL_));
    expect(transport.calls).toHaveLength(3);
    expect(
      (transport.calls[0]!.init as Record<symbol, unknown>)[Symbol.for('resilient-fetch.retrying')],
    ).toBe(true);
    expect(RETRYING).toBe(Symbol.for('resilient-fetch.retrying'));
  });
});

describe('retry: transports that break the contract', () => {
  it('a synchronous throw becomes a TypeError naming the problem, not retried', async () => {
    let calls = 0;
    const fetch = retry({ backoff })(() => {
      calls++;
      throw new Error('boom');
    });
    await expect(settle(fetch(URL_))).rejects.toThrow(/threw synchronously/);
    expect(calls).toBe(1);
  });

  it('a value that is not a Response becomes a TypeError, not retried', async () => {
    const transport = scripted(() => undefined as unknown as Response);
    await expect(settle(retry({ backoff })(transport)(URL_))).rejects.toThrow(
      'retry: the transport resolved to undefined, not a Response',
    );
    expect(transport.calls).toHaveLength(1);
  });
});

describe('retry: bodies', () => {
  it('passes a re-readable init body again unchanged, without copying the init per attempt', async () => {
    const body = new URLSearchParams({ a: '1' });
    const transport = scripted(503, 200);
    await settle(retry({ backoff })(transport)(URL_, { method: 'PUT', body }));
    expect(transport.calls[0]!.init?.body).toBe(body);
    expect(transport.calls[1]!.init).toBe(transport.calls[0]!.init);
  });

  it('sends a ReadableStream body once and reports it as not replayable', async () => {
    const events: ResilienceEvent[] = [];
    const transport = scripted(503, 200);
    const body = new ReadableStream({ start: (c) => c.close() });
    const init = { method: 'PUT', body, duplex: 'half' } as RequestInit;
    const r = await settle(retry({ backoff, onEvent: (e) => events.push(e) })(transport)(URL_, init));
    expect(r.status).toBe(503);
    expect(transport.calls).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'give-up', reason: 'not-replayable' });
  });

  it('replays a Request input through clone(), sending the original on the last attempt', async () => {
    const request = new Request(URL_, { method: 'PUT', body: 'payload' });
    const bodies: string[] = [];
    const inputs: unknown[] = [];
    const transport = scripted(async (input) => {
      inputs.push(input);
      bodies.push(await (input as Request).text());
      return new Response(null, { status: 503 });
    });
    await settle(retry({ backoff })(transport)(request));
    expect(bodies).toEqual(['payload', 'payload', 'payload']);
    expect(inputs[0]).not.toBe(request);
    expect(inputs[2]).toBe(request);
  });

  it('does not clone a Request when no retry may follow', async () => {
    const request = new Request(URL_, { method: 'POST', body: 'x' });
    const transport = scripted(503);
    await settle(retry({ backoff, limit: 0 })(transport)(request));
    expect(transport.calls[0]!.input).toBe(request);
  });

  it('replays the body of a POST Request that a 429 sends again', async () => {
    const request = new Request(URL_, { method: 'POST', body: 'payload' });
    const bodies: string[] = [];
    const transport = scripted(async (input) => {
      bodies.push(await (input as Request).text());
      return new Response(null, { status: bodies.length === 1 ? 429 : 200 });
    });
    expect((await settle(retry({ backoff })(transport)(request))).status).toBe(200);
    expect(bodies).toEqual(['payload', 'payload']);
  });

  it('keeps the input untouched on the hot path', async () => {
    const transport = scripted(200);
    const url = new URL(URL_);
    await retry()(transport)(url);
    expect(transport.calls[0]!.input).toBe(url);
  });
});

describe('retry: options', () => {
  it('rejects bad options at construction, naming them', () => {
    expect(() => retry({ limit: -1 })).toThrow('retry: limit must be a non-negative integer, got -1');
    expect(() => retry({ limit: 1.5 })).toThrow(RangeError);
    expect(() => retry({ methods: 'GET' as never })).toThrow(/retry: methods/);
    expect(() => retry({ statusCodes: [99] })).toThrow(/retry: statusCodes/);
    expect(() => retry({ maxRetryAfter: -5 })).toThrow(/retry: maxRetryAfter/);
    expect(() => retry({ backoff: 5 as never })).toThrow('retry: backoff must be a function, got 5');
    expect(() => retry({ budget: { ratio: 2 } })).toThrow(/retry: budget.ratio/);
    expect(() => retry({ budget: { ttl: 5 } })).toThrow(/retry: budget.ttl/);
    expect(() => retry({ idempotencyKey: 'yes' as never })).toThrow(/retry: idempotencyKey/);
    expect(() => retry({ clock: {} as never })).toThrow(/retry: clock/);
    expect(() => retry(null as never)).toThrow(/retry: options/);
  });
});
