// The retry stage's decision details: what a retry reports (reason, server wait, context), how shouldRetry
// overrides the rules, and errors that are not the platform's own (another realm, a non-Error value).
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constantBackoff } from '../../src/backoff.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import type { RetryContext, RetryOptions } from '../../src/retry/options.ts';
import { retry } from '../../src/retry/retry.ts';
import type { FetchLike } from '../../src/types.ts';
import { networkError, scripted } from '../helpers/fake-transport.ts';
import { settle } from '../helpers/settle.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(transport: ReturnType<typeof scripted>, options: RetryOptions = {}) {
  const events: ResilienceEvent[] = [];
  const contexts: Array<[RetryContext, number]> = [];
  const fetch = retry({
    backoff: constantBackoff({ delay: 100 }),
    budget: false,
    onEvent: (e) => events.push(e),
    onRetry: (context, delay) => contexts.push([{ ...context }, delay]),
    ...options,
  })(transport);
  const of = <T extends ResilienceEvent['type']>(type: T) =>
    events.filter((e): e is Extract<ResilienceEvent, { type: T }> => e.type === type);
  return { fetch, events, contexts, of };
}

const withRetryAfter = (status: number, value: string) =>
  new Response(null, { status, headers: { 'retry-after': value } });

describe('retry: decisions', () => {
  it('waits exactly a server wait equal to maxRetryAfter, and hands it to onRetry as retryAfter', async () => {
    const { fetch, contexts, of } = setup(scripted(withRetryAfter(503, '60'), 200), {
      maxRetryAfter: 60_000,
    });
    expect((await settle(fetch('http://x.test/'))).status).toBe(200);
    expect(contexts).toHaveLength(1);
    expect(contexts[0]![1]).toBe(60_000);
    expect(contexts[0]![0]).toMatchObject({ attempt: 1, retryAfter: 60_000, method: 'GET' });
    expect(contexts[0]![0].response?.status).toBe(503);
    expect(contexts[0]![0].error).toBeUndefined();
    expect(of('retry')[0]).toMatchObject({ reason: 'status', delay: 60_000, status: 503 });
  });

  it('gives up with reason "limit", not "retry-after-too-long", when the last attempt carries a long wait', async () => {
    const { fetch, of } = setup(scripted(503, withRetryAfter(503, '999999')), { limit: 1 });
    const response = await settle(fetch('http://x.test/'));
    expect(response.status).toBe(503);
    expect(of('give-up')).toMatchObject([{ reason: 'limit', attempts: 2, status: 503 }]);
  });

  it('reports a retry that shouldRetry forces as "should-retry", and one the rules make anyway as theirs', async () => {
    const on400 = ({ response }: RetryContext) => (response?.status === 400 ? true : undefined);
    const forced = setup(scripted(400, 200), { shouldRetry: on400 });
    expect((await settle(forced.fetch('http://x.test/'))).status).toBe(200);
    expect(forced.of('retry')).toMatchObject([{ reason: 'should-retry', status: 400, delay: 100 }]);

    const agreed = setup(scripted(503, 200), { shouldRetry: ({ response }) => response?.status === 503 });
    await settle(agreed.fetch('http://x.test/'));
    expect(agreed.of('retry')).toMatchObject([{ reason: 'status' }]);

    const serverWait = setup(scripted(withRetryAfter(400, '2'), 200), { shouldRetry: on400 });
    await settle(serverWait.fetch('http://x.test/'));
    expect(serverWait.of('retry')).toMatchObject([{ reason: 'should-retry', delay: 2_000 }]);
    expect(serverWait.contexts[0]![0].retryAfter).toBe(2_000);
  });

  it('retries an error the rules do not know when shouldRetry says so, with the error in its context', async () => {
    const odd = new Error('odd');
    const { fetch, contexts, of } = setup(scripted(odd, 200), { shouldRetry: ({ error }) => error === odd });
    expect((await settle(fetch('http://x.test/'))).status).toBe(200);
    expect(of('retry')).toMatchObject([{ reason: 'should-retry' }]);
    expect(contexts[0]![0]).toMatchObject({ error: odd, attempt: 1 });
    expect(contexts[0]![0].response).toBeUndefined();
  });

  it('gives up as "not-retryable" when shouldRetry refuses a retry the rules would make', async () => {
    const { fetch, of } = setup(scripted(503, 200), { shouldRetry: () => false });
    expect((await settle(fetch('http://x.test/'))).status).toBe(503);
    expect(of('give-up')).toMatchObject([{ reason: 'not-retryable', attempts: 1, status: 503 }]);
  });

  it('retries a network error from another realm (recognised by name) and reports elapsed time', async () => {
    const foreign = runInNewContext('new TypeError("fetch failed")') as Error;
    expect(foreign instanceof TypeError).toBe(false);
    const { fetch, of, contexts } = setup(scripted(() => Promise.reject(foreign), 200));
    expect((await settle(fetch('http://x.test/'))).status).toBe(200);
    expect(of('retry')).toMatchObject([{ reason: 'network-error' }]);
    expect(of('success')).toMatchObject([{ attempts: 2, status: 200, elapsed: 100 }]);
    expect(contexts[0]![0].elapsed).toBe(0);
  });

  it('passes the delay used before to the next retry as previousDelay', async () => {
    const { fetch, contexts } = setup(scripted(503, 503, 200));
    await settle(fetch('http://x.test/'));
    expect(contexts.map(([c]) => c.previousDelay)).toEqual([undefined, 100]);
  });

  it('rethrows a rejection with a non-Error value unchanged, and names it in the give-up event', async () => {
    const { fetch, of } = setup(scripted(() => Promise.reject(undefined)));
    await expect(settle(fetch('http://x.test/'))).rejects.toBeUndefined();
    expect(of('give-up')).toMatchObject([{ reason: 'not-retryable', error: 'undefined', attempts: 1 }]);
    expect(of('give-up')[0]).not.toHaveProperty('status');
  });

  it('gives up on a network error with the error name and no status', async () => {
    const { fetch, of } = setup(scripted(networkError()), { limit: 1 });
    await expect(settle(fetch('http://x.test/'))).rejects.toMatchObject({ name: 'RetryExhaustedError' });
    expect(of('give-up')).toMatchObject([{ reason: 'limit', error: 'TypeError', attempts: 2 }]);
    expect(of('give-up')[0]).not.toHaveProperty('status');
  });

  it('keeps the headers of a Request input when it adds an Idempotency-Key', async () => {
    const transport = scripted(503, 200);
    const { fetch } = setup(transport, { idempotencyKey: () => 'key-1' });
    const request = new Request('http://x.test/pay', { method: 'POST', headers: { 'x-trace': 't1' } });
    expect((await settle(fetch(request))).status).toBe(200);
    const headers = transport.calls.map((c) => new Headers(c.init?.headers));
    expect(headers.map((h) => [h.get('x-trace'), h.get('idempotency-key')])).toEqual([
      ['t1', 'key-1'],
      ['t1', 'key-1'],
    ]);
  });

  it('sends a POST as written when no retry may follow (limit 0): no key is generated', async () => {
    const transport = scripted(200);
    const { fetch } = setup(transport, { limit: 0, idempotencyKey: () => 'key-1' });
    await settle(fetch('http://x.test/pay', { method: 'POST', body: 'x' }));
    expect(new Headers(transport.calls[0]!.init?.headers).has('idempotency-key')).toBe(false);
  });

  it('shows shouldRetry the server wait it is deciding about', async () => {
    const seen: Array<number | undefined> = [];
    const shouldRetry = (context: RetryContext) => {
      seen.push(context.retryAfter);
      return undefined;
    };
    const { fetch } = setup(scripted(withRetryAfter(503, '2'), 503, 200), { shouldRetry });
    await settle(fetch('http://x.test/'));
    expect(seen).toEqual([2_000, undefined, undefined]);
  });

  it('gives up as "budget" when the budget refuses, and reports it', async () => {
    const { fetch, of } = setup(scripted(503, 200), { budget: { ratio: 0, minRetriesPerSecond: 0 } });
    expect((await settle(fetch('http://x.test/'))).status).toBe(503);
    expect(of('budget-exhausted')).toHaveLength(1);
    expect(of('give-up')).toMatchObject([{ reason: 'budget', attempts: 1, status: 503 }]);
  });

  it('gives up as "aborted" with the abort named when the caller aborts during a wait', async () => {
    const caller = new AbortController();
    const { fetch, of } = setup(scripted(503, 200));
    const call = fetch('http://x.test/', { signal: caller.signal });
    call.catch(() => {});
    await vi.advanceTimersByTimeAsync(10);
    caller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(of('give-up')).toMatchObject([{ reason: 'aborted', error: 'AbortError', attempts: 1 }]);
  });

  it('when shouldRetry throws: rejects with its error, cancels the response body, reports a give-up', async () => {
    let cancelled = false;
    const body = new ReadableStream({
      cancel() {
        cancelled = true;
      },
    });
    const boom = new Error('boom');
    const { fetch, of } = setup(
      scripted(() => new Response(body, { status: 503 })),
      {
        shouldRetry: () => {
          throw boom;
        },
      },
    );
    await expect(settle(fetch('http://x.test/'))).rejects.toBe(boom);
    expect(cancelled).toBe(true);
    expect(of('give-up')).toMatchObject([{ reason: 'not-retryable', error: 'Error', attempts: 1 }]);
  });

  it.each([
    ['"ok"', 'ok'],
    ['an object', { status: 200 }],
    ['an object', { headers: new Headers() }],
    ['null', null],
    ['undefined', undefined],
  ])(
    'refuses a transport that resolves to %s instead of a Response, without retrying',
    async (what, value) => {
      const transport = scripted(() => value as never);
      const { fetch, of } = setup(transport);
      await expect(settle(fetch('http://x.test/'))).rejects.toThrow(
        `retry: the transport resolved to ${what}, not a Response`,
      );
      expect(transport.calls).toHaveLength(1);
      expect(of('give-up')).toMatchObject([{ reason: 'not-retryable', error: 'TypeError' }]);
    },
  );

  it('refuses a transport that throws synchronously, keeping the thrown error as cause, without retrying', async () => {
    const thrown = new TypeError('not a promise');
    let calls = 0;
    const throwing = (() => {
      calls++;
      throw thrown;
    }) as unknown as FetchLike;
    const fetch = retry({ backoff: () => 0, budget: false })(throwing);
    await expect(settle(fetch('http://x.test/'))).rejects.toMatchObject({
      message: 'retry: the transport threw synchronously; a fetch function must return a promise',
      cause: thrown,
    });
    expect(calls).toBe(1);
  });

  it('refuses a Request whose body was already read, without calling the transport', async () => {
    const transport = scripted(200);
    const { fetch } = setup(transport);
    const request = new Request('http://x.test/', { method: 'PUT', body: 'x' });
    await request.text();
    await expect(settle(fetch(request))).rejects.toBeInstanceOf(TypeError);
    expect(transport.calls).toHaveLength(0);
  });
});
