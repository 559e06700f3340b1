import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constantBackoff } from '../../src/backoff.ts';
import { TimeoutError } from '../../src/errors/timeout-error.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { retryDefaults } from '../../src/index.ts';
import type { RetryOptions } from '../../src/retry/options.ts';
import { retry } from '../../src/retry/retry.ts';
import { abortReason, isRateLimit403, serverDirective } from '../../src/retry/rules.ts';
import { timeout } from '../../src/timeout.ts';
import { scripted } from '../helpers/fake-transport.ts';
import { settle } from '../helpers/settle.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const URL_ = 'http://x.test/v1/chat';
const answer = (status: number, headers: Record<string, string> = {}) =>
  new Response(null, { status, headers });

function setup(steps: Parameters<typeof scripted>, options: RetryOptions = {}) {
  const transport = scripted(...steps);
  const events: ResilienceEvent[] = [];
  const fetch = retry({
    backoff: constantBackoff({ delay: 100 }),
    onEvent: (e) => events.push(e),
    ...options,
  })(transport);
  const giveUp = () => events.find((e) => e.type === 'give-up');
  return { transport, fetch, events, giveUp };
}

/** undici's form of a connection that failed, with the code it puts on `cause`. */
const connectFailure = (code: string) =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });

describe('retryDefaults', () => {
  it('holds the defaults, deeply frozen, with 529 among the statuses', () => {
    expect(retryDefaults).toEqual({
      limit: 2,
      methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY'],
      statusCodes: [408, 429, 500, 502, 503, 504, 529],
      maxRetryAfter: 60_000,
    });
    expect(Object.isFrozen(retryDefaults)).toBe(true);
    expect(Object.isFrozen(retryDefaults.methods)).toBe(true);
    expect(Object.isFrozen(retryDefaults.statusCodes)).toBe(true);
    expect(() => (retryDefaults.statusCodes as number[]).push(418)).toThrow(TypeError);
  });

  it('extends a list: statusCodes: [...retryDefaults.statusCodes, 418]', async () => {
    const { transport, fetch } = setup([418, 529, 200], { statusCodes: [...retryDefaults.statusCodes, 418] });
    expect((await settle(fetch(URL_))).status).toBe(200);
    expect(transport.calls).toHaveLength(3);
  });
});

describe('the method rule: POST without an Idempotency-Key', () => {
  it.each([408, 429, 503, 529])('is retried after a %i: the server did not process it', async (status) => {
    const { transport, fetch } = setup([status, 200]);
    expect((await settle(fetch(URL_, { method: 'POST', body: '{}' }))).status).toBe(200);
    expect(transport.calls.map((c) => c.init?.body)).toEqual(['{}', '{}']);
  });

  it('is not retried after a 503 that statusCodes leaves out', async () => {
    const { transport, fetch } = setup([503, 200], { statusCodes: [429] });
    expect((await settle(fetch(URL_, { method: 'POST' }))).status).toBe(503);
    expect(transport.calls).toHaveLength(1);
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    'is retried after a connection that failed before sending (%s)',
    async (code) => {
      const { transport, fetch } = setup([connectFailure(code), 200]);
      expect((await settle(fetch(URL_, { method: 'POST' }))).status).toBe(200);
      expect(transport.calls).toHaveLength(2);
    },
  );

  it('is retried when every address of a happy-eyeballs connect was refused', async () => {
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    const cause = Object.assign(new AggregateError([refused, refused]), { code: undefined });
    const { transport, fetch } = setup([new TypeError('fetch failed', { cause }), 200]);
    expect((await settle(fetch(URL_, { method: 'POST' }))).status).toBe(200);
    expect(transport.calls).toHaveLength(2);
  });

  it.each([
    ['a reset after sending (ECONNRESET)', connectFailure('ECONNRESET')],
    ['a socket error (UND_ERR_SOCKET)', connectFailure('UND_ERR_SOCKET')],
    ['a network error without a cause (browsers)', new TypeError('Failed to fetch')],
    ['an attempt timeout', new TimeoutError(100)],
  ])('is not retried after %s: it may have been processed', async (_, error) => {
    const { transport, fetch, giveUp } = setup([error, 200]);
    await expect(settle(fetch(URL_, { method: 'POST' }))).rejects.toBe(error);
    expect(transport.calls).toHaveLength(1);
    expect(giveUp()).toMatchObject({ reason: 'not-retryable' });
  });

  it('is retried after any retryable failure when it carries an Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': 'k' };
    const { transport, fetch } = setup([500, connectFailure('ECONNRESET'), 200]);
    expect((await settle(fetch(URL_, { method: 'POST', headers }))).status).toBe(200);
    expect(transport.calls).toHaveLength(3);
  });
});

describe('server directives', () => {
  it.each(['x-should-retry', 'stripe-should-retry'])('%s: false forbids the retry of a 503', async (name) => {
    const { transport, fetch, giveUp } = setup([answer(503, { [name]: 'false' }), 200]);
    expect((await settle(fetch(URL_))).status).toBe(503);
    expect(transport.calls).toHaveLength(1);
    expect(giveUp()).toMatchObject({ reason: 'not-retryable', status: 503 });
  });

  it.each(['x-should-retry', 'stripe-should-retry'])(
    '%s: true retries a failing status the rules leave alone, whatever the method',
    async (name) => {
      const { transport, fetch } = setup([
        answer(400, { [name]: 'true' }),
        answer(500, { [name]: 'true' }),
        200,
      ]);
      expect((await settle(fetch(URL_, { method: 'POST' }))).status).toBe(200);
      expect(transport.calls).toHaveLength(3);
    },
  );

  it('true retries a POST whose 503 statusCodes leaves out', async () => {
    const { transport, fetch } = setup([answer(503, { 'x-should-retry': 'true' }), 200], {
      statusCodes: [500],
    });
    expect((await settle(fetch(URL_, { method: 'POST' }))).status).toBe(200);
    expect(transport.calls).toHaveLength(2);
  });

  it('true does nothing to a success', async () => {
    const { transport, fetch } = setup([answer(200, { 'x-should-retry': 'true' }), 201]);
    expect((await settle(fetch(URL_))).status).toBe(200);
    expect(transport.calls).toHaveLength(1);
  });

  it('true still meets the limit, maxRetryAfter and a stream body sent once', async () => {
    const always = answer(409, { 'x-should-retry': 'true' });
    const limited = setup([always], { limit: 1 });
    expect((await settle(limited.fetch(URL_))).status).toBe(409);
    expect(limited.transport.calls).toHaveLength(2);

    const far = setup([answer(409, { 'x-should-retry': 'true', 'retry-after': '120' }), 200]);
    expect((await settle(far.fetch(URL_))).status).toBe(409);
    expect(far.giveUp()).toMatchObject({ reason: 'retry-after-too-long' });

    const stream = setup([always, 200]);
    const body = new ReadableStream({ start: (c) => c.close() });
    await settle(stream.fetch(URL_, { method: 'POST', body, duplex: 'half' } as RequestInit));
    expect(stream.transport.calls).toHaveLength(1);
    expect(stream.giveUp()).toMatchObject({ reason: 'not-replayable' });
  });

  it('true still meets the budget', async () => {
    const { transport, fetch, giveUp } = setup([answer(400, { 'x-should-retry': 'true' }), 200], {
      budget: { ratio: 0, minRetriesPerSecond: 0 },
    });
    expect((await settle(fetch(URL_))).status).toBe(400);
    expect(transport.calls).toHaveLength(1);
    expect(giveUp()).toMatchObject({ reason: 'budget' });
  });

  it('shouldRetry has the last word over a directive', async () => {
    const yes = setup([answer(503, { 'x-should-retry': 'false' }), 200], { shouldRetry: () => true });
    expect((await settle(yes.fetch(URL_))).status).toBe(200);
    const no = setup([answer(400, { 'x-should-retry': 'true' }), 200], { shouldRetry: () => false });
    expect((await settle(no.fetch(URL_))).status).toBe(400);
    expect(no.transport.calls).toHaveLength(1);
  });

  it('reads only "true" and "false", in any case and with spaces', () => {
    const read = (value: string) => serverDirective(new Headers({ 'x-should-retry': value }));
    expect([read('true'), read(' FALSE '), read('1'), read('')]).toEqual([true, false, undefined, undefined]);
    expect(serverDirective(new Headers())).toBeUndefined();
  });
});

describe('the rate-limit 403', () => {
  it('is a 403 with Retry-After or x-ratelimit-remaining: 0, nothing else', () => {
    expect(isRateLimit403(answer(403, { 'retry-after': '60' }))).toBe(true);
    expect(isRateLimit403(answer(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }))).toBe(
      true,
    );
    expect(isRateLimit403(answer(403, { 'x-ratelimit-remaining': '12' }))).toBe(false);
    expect(isRateLimit403(answer(403))).toBe(false);
    expect(isRateLimit403(answer(429, { 'retry-after': '1' }))).toBe(false);
  });

  it('is retried like a 429, any method, waiting as its headers say', async () => {
    const now = Date.now();
    const reset = String(Math.ceil((now + 5_000) / 1000));
    const { transport, fetch, events } = setup([
      answer(403, { 'retry-after': '2' }),
      answer(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }),
      200,
    ]);
    expect((await settle(fetch(URL_, { method: 'POST' }))).status).toBe(200);
    expect(transport.calls).toHaveLength(3);
    const delays = events.flatMap((e) => (e.type === 'retry' ? [e.delay] : []));
    expect(delays[0]).toBe(2_000);
    expect(delays[1]).toBeGreaterThan(3_000);
    expect(delays[1]).toBeLessThanOrEqual(6_000);
  });

  it('waiting past maxRetryAfter gives up with the 403 (GitHub primary limit, reset in an hour)', async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 3_600);
    const { transport, fetch, giveUp } = setup([
      answer(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }),
    ]);
    expect((await settle(fetch(URL_))).status).toBe(403);
    expect(transport.calls).toHaveLength(1);
    expect(giveUp()).toMatchObject({ reason: 'retry-after-too-long', status: 403 });
  });

  it('a plain permission 403 is not retried', async () => {
    const { transport, fetch } = setup([answer(403, { 'x-ratelimit-remaining': '4999' }), 200]);
    expect((await settle(fetch(URL_))).status).toBe(403);
    expect(transport.calls).toHaveLength(1);
  });

  it('is not retried when statusCodes leaves 429 out', async () => {
    const { transport, fetch } = setup([answer(403, { 'retry-after': '1' }), 200], { statusCodes: [503] });
    expect((await settle(fetch(URL_))).status).toBe(403);
    expect(transport.calls).toHaveLength(1);
  });
});

describe('give-up reasons of an abort', () => {
  it("'aborted' for the caller's own signal, 'deadline' for an outer timeout", async () => {
    const events: ResilienceEvent[] = [];
    const slow = constantBackoff({ delay: 60_000 });
    const stage = retry({ backoff: slow, onEvent: (e) => events.push(e) });
    const caller = new AbortController();
    const byCaller = stage(scripted(503))(URL_, { signal: caller.signal });
    byCaller.catch(() => {});
    await vi.advanceTimersByTimeAsync(10);
    caller.abort();
    await expect(byCaller).rejects.toMatchObject({ name: 'AbortError' });

    const byDeadline = timeout(1_000)(stage(scripted(503)))(URL_);
    await expect(settle(byDeadline)).rejects.toBeInstanceOf(TimeoutError);
    expect(events.filter((e) => e.type === 'give-up').map((e) => (e as { reason: string }).reason)).toEqual([
      'aborted',
      'deadline',
    ]);
  });

  it('tells the two apart by the reason', () => {
    expect(abortReason(AbortSignal.abort())).toBe('aborted');
    expect(abortReason(AbortSignal.abort(new TimeoutError(5)))).toBe('deadline');
    expect(abortReason(AbortSignal.abort(new DOMException('t', 'TimeoutError')))).toBe('deadline');
  });
});
