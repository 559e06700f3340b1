import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constantBackoff, decorrelatedJitterBackoff } from '../../src/backoff.ts';
import { CircuitOpenError } from '../../src/errors/circuit-open-error.ts';
import { RetryExhaustedError } from '../../src/errors/retry-exhausted-error.ts';
import { TimeoutError } from '../../src/errors/timeout-error.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import type { RetryOptions } from '../../src/retry/options.ts';
import { retry } from '../../src/retry/retry.ts';
import { networkError, scripted } from '../helpers/fake-transport.ts';
import { settle } from '../helpers/settle.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const URL_ = 'http://x.test/a?token=s3cret';
const fixed = constantBackoff({ delay: 100 });

function setup(transport: ReturnType<typeof scripted>, options: RetryOptions = {}) {
  const events: ResilienceEvent[] = [];
  const fetch = retry({ backoff: fixed, onEvent: (e) => events.push(e), ...options })(transport);
  return { fetch, events };
}

function streamingResponse(status: number, onCancel: () => void): Response {
  return new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(8)), cancel: onCancel }), {
    status,
  });
}

describe('retry: what is retried', () => {
  it.each([408, 429, 500, 502, 503, 504])('retries a %i and returns the next response', async (status) => {
    const transport = scripted(status, 200);
    const { fetch } = setup(transport);
    expect((await settle(fetch(URL_))).status).toBe(200);
    expect(transport.calls).toHaveLength(2);
  });

  it.each([200, 400, 404, 409, 422, 501])('does not retry a %i', async (status) => {
    const transport = scripted(status, 200);
    const { fetch } = setup(transport);
    expect((await settle(fetch(URL_))).status).toBe(status);
    expect(transport.calls).toHaveLength(1);
  });

  it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY', 'put'])(
    'retries %s',
    async (method) => {
      const transport = scripted(503, 200);
      const { fetch } = setup(transport);
      await settle(fetch(URL_, { method }));
      expect(transport.calls).toHaveLength(2);
    },
  );

  it('does not retry POST or PATCH without an Idempotency-Key after a 500, 502 or 504, and says why', async () => {
    for (const method of ['POST', 'PATCH']) {
      for (const status of [500, 502, 504]) {
        const transport = scripted(status, 200);
        const { fetch, events } = setup(transport);
        expect((await settle(fetch(URL_, { method, body: 'x' }))).status).toBe(status);
        expect(transport.calls).toHaveLength(1);
        expect(events.at(-1)).toMatchObject({
          type: 'give-up',
          reason: 'not-retryable',
          status,
          attempts: 1,
        });
      }
    }
  });

  it('retries a POST carrying an Idempotency-Key, sending it unchanged; a 409 too', async () => {
    const transport = scripted(503, 409, 201);
    const { fetch } = setup(transport);
    const headers = { 'Idempotency-Key': 'k-1' };
    expect((await settle(fetch(URL_, { method: 'POST', body: '{}', headers }))).status).toBe(201);
    expect(transport.calls.map((c) => new Headers(c.init?.headers).get('idempotency-key'))).toEqual([
      'k-1',
      'k-1',
      'k-1',
    ]);
    expect(transport.calls.map((c) => c.init?.body)).toEqual(['{}', '{}', '{}']);
  });

  it('idempotencyKey: true generates one key per call and reuses it on every attempt', async () => {
    const transport = scripted(503, 200);
    const { fetch } = setup(transport, { idempotencyKey: true });
    await settle(fetch(URL_, { method: 'POST', body: 'a', headers: { 'x-other': '1' } }));
    await settle(fetch(URL_, { method: 'POST', body: 'b' }));
    const keys = transport.calls.map((c) => new Headers(c.init?.headers).get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(new Headers(transport.calls[0]!.init?.headers).get('x-other')).toBe('1');
    // A GET needs no key and gets none.
    await settle(fetch(URL_));
    expect(new Headers(transport.calls.at(-1)!.init?.headers).has('idempotency-key')).toBe(false);
  });

  it('retries network errors and per-attempt timeouts, then rejects with RetryExhaustedError', async () => {
    const last = networkError();
    const transport = scripted(new TimeoutError(10), networkError(), last);
    const { fetch, events } = setup(transport);
    const error = (await settle(fetch(URL_)).catch((e: unknown) => e)) as RetryExhaustedError;
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(error.attempts).toBe(3);
    expect(error.cause).toBe(last);
    expect(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.reason)).toEqual([
      'timeout',
      'network-error',
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'give-up',
      reason: 'limit',
      error: 'TypeError',
      attempts: 3,
    });
  });

  it('retries the platform TimeoutError of AbortSignal.timeout()', async () => {
    const transport = scripted(new DOMException('timed out', 'TimeoutError'), 200);
    const { fetch } = setup(transport);
    expect((await settle(fetch(URL_))).status).toBe(200);
  });

  it('rethrows a CircuitOpenError and an unknown error unchanged, even after retries', async () => {
    const open = new CircuitOpenError('http://x.test', 5_000);
    const t1 = scripted(open);
    await expect(settle(setup(t1).fetch(URL_))).rejects.toBe(open);
    expect(t1.calls).toHaveLength(1);

    const unknown = new RangeError('bug');
    const t2 = scripted(503, networkError(), unknown);
    await expect(settle(setup(t2).fetch(URL_))).rejects.toBe(unknown);
    expect(t2.calls).toHaveLength(3);
  });

  it('rethrows any error unchanged when only one attempt is allowed', async () => {
    const error = networkError();
    await expect(settle(setup(scripted(error), { limit: 0 }).fetch(URL_))).rejects.toBe(error);
  });
});

describe('retry: exhaustion and waits', () => {
  it('returns the last response when every attempt fails, cancelling the discarded bodies', async () => {
    let cancelled = 0;
    const transport = scripted(() => streamingResponse(503, () => cancelled++));
    const { fetch, events } = setup(transport);
    const response = await settle(fetch(URL_));
    expect(response.status).toBe(503);
    expect(transport.calls).toHaveLength(3);
    expect(cancelled).toBe(2); // the last body is the caller's
    expect(events.at(-1)).toMatchObject({ type: 'give-up', reason: 'limit', status: 503, attempts: 3 });
    await response.body?.cancel();
  });

  it('waits the backoff, passing the previous delay for decorrelated jitter', async () => {
    const seen: Array<number | undefined> = [];
    const backoff = decorrelatedJitterBackoff({ base: 100, random: () => 0.5 });
    const transport = scripted(503, 503, 503, 200);
    const fetch = retry({
      limit: 3,
      backoff: (n, ctx) => {
        seen.push(ctx?.previousDelay);
        return backoff(n, ctx);
      },
    })(transport);
    const call = fetch(URL_);
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(199);
    expect(transport.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.calls).toHaveLength(2);
    expect((await settle(call)).status).toBe(200);
    expect(seen).toEqual([undefined, 200, 350]);
  });

  it('honours Retry-After exactly (no jitter) in place of the backoff', async () => {
    const transport = scripted(new Response(null, { status: 429, headers: { 'Retry-After': '3' } }), 200);
    const { fetch, events } = setup(transport);
    const call = fetch(URL_);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(transport.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.calls).toHaveLength(2);
    expect((await call).status).toBe(200);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({
      delay: 3_000,
      status: 429,
      reason: 'status',
    });
  });

  it('gives up at once, returning the response, when the server asks for more than maxRetryAfter', async () => {
    const transport = scripted(new Response(null, { status: 503, headers: { 'Retry-After': '61' } }), 200);
    const { fetch, events } = setup(transport);
    expect((await fetch(URL_)).status).toBe(503);
    expect(transport.calls).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'give-up', reason: 'retry-after-too-long' });
    const patient = setup(
      scripted(new Response(null, { status: 503, headers: { 'retry-after-ms': '61000' } }), 200),
      {
        maxRetryAfter: 120_000,
      },
    );
    expect((await settle(patient.fetch(URL_))).status).toBe(200);
  });

  it('never sets a timer above 2^31−1 ms, whatever the backoff returns', async () => {
    const { fetch, events } = setup(scripted(503, 200), { backoff: () => 1e15 });
    void fetch(URL_);
    await vi.advanceTimersByTimeAsync(0);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ delay: 2 ** 31 - 1 });
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1);
  });

  it("rejects at once with the caller's reason when the caller aborts during a wait", async () => {
    const caller = new AbortController();
    const transport = scripted(503);
    const { fetch, events } = setup(transport, { backoff: constantBackoff({ delay: 60_000 }) });
    const call = fetch(URL_, { signal: caller.signal });
    const rejected = expect(call).rejects.toBe('stop');
    await vi.advanceTimersByTimeAsync(10);
    caller.abort('stop');
    await rejected;
    expect(transport.calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'give-up', reason: 'aborted' });
  });

  it("never retries an error that arrives once the caller's signal has aborted", async () => {
    const caller = new AbortController();
    const transport = scripted(() => {
      caller.abort(new Error('mine'));
      throw networkError();
    });
    const { fetch } = setup(transport);
    await expect(settle(fetch(URL_, { signal: caller.signal }))).rejects.toThrow('mine');
    expect(transport.calls).toHaveLength(1);
  });
});
