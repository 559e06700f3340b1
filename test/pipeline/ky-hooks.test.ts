import ky, { HTTPError } from 'ky';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import { CircuitOpenError } from '../../src/errors/circuit-open-error.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { kyHooks } from '../../src/ky.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res, _index, n) => {
    const path = req.url ?? '/';
    const [, kind] = path.split('/');
    if (kind === 'flaky') return void (n < 3 ? res.writeHead(503).end() : res.end('ok'));
    if (kind === 'down') return void res.writeHead(503).end('down');
    if (kind === 'broken') return void res.writeHead(500).end('broken');
    if (kind === 'later')
      return void (n < 2 ? res.writeHead(429, { 'retry-after-ms': '120' }).end() : res.end('ok'));
    if (kind === 'much-later') return void res.writeHead(503, { 'retry-after': '120' }).end();
    if (kind === 'reset') return void (n < 2 ? req.socket.destroy() : res.end('ok'));
    if (kind === 'auth')
      return void (req.headers.authorization === 'Bearer fresh' ? res.end('ok') : res.writeHead(429).end());
    if (kind === 'slow') return void setTimeout(() => res.end('late'), 2_000);
    res.end('ok');
  });
});
afterAll(() => server.close());
beforeEach(() => server.hits.clear());

const fast = (extra: Parameters<typeof kyHooks>[0] = {}) =>
  kyHooks({ ...extra, retry: { backoff: () => 1, ...(extra.retry as object) } });

describe('kyHooks with real ky', () => {
  it("drives ky's retry loop: a flaky GET succeeds on the third attempt", async () => {
    const events: ResilienceEvent[] = [];
    const api = ky.create({ prefix: server.origin, ...fast({ onEvent: (e) => events.push(e) }) });
    expect(await api.get('flaky/a').text()).toBe('ok');
    expect(server.hits.get('/flaky/a')).toBe(3);
    expect(events.filter((e) => e.type === 'retry')).toMatchObject([
      { attempt: 1, delay: 1, reason: 'status', status: 503 },
      { attempt: 2, delay: 1, reason: 'status', status: 503 },
    ]);
  });

  it('waits exactly the server-requested time, not the backoff', async () => {
    const events: ResilienceEvent[] = [];
    const api = ky.create({ prefix: server.origin, ...fast({ onEvent: (e) => events.push(e) }) });
    const started = performance.now();
    expect(await api.get('later/a').text()).toBe('ok');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ delay: 120, status: 429 });
  });

  it('gives up at once when the server asks for more than maxRetryAfter', async () => {
    const api = ky.create({ prefix: server.origin, ...fast({ retry: { maxRetryAfter: 1_000 } }) });
    await expect(api.get('much-later/a').text()).rejects.toBeInstanceOf(HTTPError);
    expect(server.hits.get('/much-later/a')).toBe(1);
  });

  it('retries a network error for GET', async () => {
    const api = ky.create({ prefix: server.origin, ...fast() });
    expect(await api.get('reset/a').text()).toBe('ok');
    expect(server.hits.get('/reset/a')).toBe(2);
  });

  it('retries a POST with an Idempotency-Key, or after an answer that says it was not processed', async () => {
    const api = ky.create({ prefix: server.origin, ...fast({ circuitBreaker: false }) });
    await expect(api.post('broken/a', { json: {} }).text()).rejects.toBeInstanceOf(HTTPError);
    expect(server.hits.get('/broken/a')).toBe(1);
    await expect(
      api.post('broken/b', { json: {}, headers: { 'idempotency-key': 'k' } }).text(),
    ).rejects.toBeInstanceOf(HTTPError);
    expect(server.hits.get('/broken/b')).toBe(3);
    // A 503 says the server did not process the request: safe to send again without a key.
    await expect(api.post('down/a', { json: {} }).text()).rejects.toBeInstanceOf(HTTPError);
    expect(server.hits.get('/down/a')).toBe(3);
    await expect(api.post('reset/b', { json: {} }).text()).rejects.toThrow();
    expect(server.hits.get('/reset/b')).toBe(1);
  });

  it('makes at most limit + 1 attempts', async () => {
    const api = ky.create({ prefix: server.origin, ...fast({ retry: { limit: 4 }, circuitBreaker: false }) });
    await expect(api.get('down/c').text()).rejects.toBeInstanceOf(HTTPError);
    expect(server.hits.get('/down/c')).toBe(5);
  });

  it('gates every attempt through the breaker: an open circuit fails fast without the server', async () => {
    const breaker = circuitBreaker({ failureThreshold: 3 });
    const api = ky.create({
      prefix: server.origin,
      ...fast({ circuitBreaker: breaker, retry: { limit: 5 } }),
    });
    // The third failed attempt opens the circuit; the fourth attempt is refused in beforeRetry.
    await expect(api.get('down/d').text()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(server.hits.get('/down/d')).toBe(3);
    expect(breaker.state(server.origin)).toBe('open');
    await expect(api.get('ok').text()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(server.hits.get('/ok')).toBeUndefined();
    breaker.reset(server.origin);
    expect(await api.get('ok').text()).toBe('ok');
  });

  it("lets a call's resilience.circuitBreaker: false bypass the breaker, as in the pipeline", async () => {
    const breaker = circuitBreaker();
    const api = ky.create({ prefix: server.origin, ...fast({ circuitBreaker: breaker }) });
    breaker.open(server.origin);
    await expect(api.get('ok').text()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(await api.get('ok', { resilience: { circuitBreaker: false } }).text()).toBe('ok');
    expect(server.hits.get('/ok')).toBe(1);
  });

  it("the caller's abort is neither success nor failure for the breaker", async () => {
    const breaker = circuitBreaker({ failureThreshold: 1 });
    const api = ky.create({ prefix: server.origin, ...fast({ circuitBreaker: breaker }) });
    const controller = new AbortController();
    const call = api.get('slow/a', { signal: controller.signal }).text();
    setTimeout(() => controller.abort(new Error('stop')), 30);
    await expect(call).rejects.toThrow('stop');
    expect(breaker.state(server.origin)).toBe('closed');
    expect(await api.get('ok').text()).toBe('ok');
  });

  it('stops retrying when the budget is spent', async () => {
    const events: ResilienceEvent[] = [];
    const api = ky.create({
      prefix: server.origin,
      ...fast({ retry: { budget: { ratio: 0, minRetriesPerSecond: 0 } }, onEvent: (e) => events.push(e) }),
    });
    await expect(api.get('down/e').text()).rejects.toBeInstanceOf(HTTPError);
    expect(server.hits.get('/down/e')).toBe(1);
    expect(events.map((e) => e.type)).toContain('budget-exhausted');
  });

  it('rejects bad options naming them', () => {
    expect(() => kyHooks({ retry: -1 })).toThrow('kyHooks: retry must be a non-negative integer, got -1');
    expect(() => kyHooks({ retry: { limit: 'x' as never } })).toThrow(/retry: limit/);
    expect(() => kyHooks({ circuitBreaker: { halfOpenMaxCalls: 0 } })).toThrow(/halfOpenMaxCalls/);
  });

  it("lets a beforeRetry hook read the HTTPError's response, as in plain ky (a token refresh)", async () => {
    const seen: string[] = [];
    const api = ky.create({ prefix: server.origin, ...fast({ circuitBreaker: false }) }).extend({
      hooks: {
        beforeRetry: [
          ({ request, error, retryCount }) => {
            seen.push(`${error.name} ${(error as HTTPError).response.status} ${retryCount}`);
            request.headers.set('authorization', 'Bearer fresh');
          },
        ],
      },
    });
    expect(await api.get('auth/a').text()).toBe('ok');
    expect(seen).toEqual(['HTTPError 429 1']);
  });

  it("honours the call's ky retry options over the defaults, with ky's meaning", async () => {
    const events: ResilienceEvent[] = [];
    const api = ky.create({
      prefix: server.origin,
      ...fast({ circuitBreaker: false, onEvent: (e) => events.push(e) }),
    });
    const asked: number[] = [];
    await expect(
      api
        .get('down/f', { retry: { limit: 3, shouldRetry: ({ retryCount }) => void asked.push(retryCount) } })
        .text(),
    ).rejects.toBeInstanceOf(HTTPError);
    expect(server.hits.get('/down/f')).toBe(4);
    expect(asked).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.type === 'retry')).toMatchObject([
      { attempt: 1, reason: 'status', status: 503 },
      { attempt: 2, reason: 'status', status: 503 },
      { attempt: 3, reason: 'status', status: 503 },
    ]);
    await expect(api.get('down/g', { retry: { statusCodes: [500] } }).text()).rejects.toBeInstanceOf(
      HTTPError,
    );
    expect(server.hits.get('/down/g')).toBe(1);
    // ky's maxRetryAfter caps a long Retry-After instead of refusing it.
    const started = performance.now();
    await expect(
      api.get('much-later/b', { retry: { limit: 1, maxRetryAfter: 30 } }).text(),
    ).rejects.toBeInstanceOf(HTTPError);
    expect(server.hits.get('/much-later/b')).toBe(2);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('gives a retry forced by ky.retry() in an afterResponse hook the backoff', async () => {
    let forced = 0;
    const api = ky.create({ prefix: server.origin, ...fast({ circuitBreaker: false }) }).extend({
      hooks: { afterResponse: [() => (forced++ === 0 ? ky.retry() : undefined)] },
    });
    expect(await api.get('ok').text()).toBe('ok');
    expect(server.hits.get('/ok')).toBe(2);
  });

  it('admits an attempt only when it is sent: a beforeRetry hook that throws holds no half-open permit', async () => {
    const breaker = circuitBreaker({ recoveryTimeout: 20, successThreshold: 2, halfOpenMaxCalls: 1 });
    const api = ky.create({ prefix: server.origin, ...fast({ circuitBreaker: breaker }) });
    breaker.open(server.origin);
    await new Promise((resolve) => setTimeout(resolve, 40));
    const refused = new Error('no fresh token');
    const call = api.get('auth/half-open', {
      hooks: {
        beforeRetry: [
          () => {
            throw refused;
          },
        ],
      },
    });
    // The 429 is no breaker failure: one of the two successes that close it; the retry is never sent.
    await expect(call.text()).rejects.toBe(refused);
    expect(breaker.state(server.origin)).toBe('half-open');
    expect(await api.get('ok').text()).toBe('ok');
    expect(breaker.state(server.origin)).toBe('closed');
  });
});
