import ky, { HTTPError } from 'ky';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResilienceEvent } from '../../src/events.ts';
import { kyResilience } from '../../src/ky.ts';
import { readBody, startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const bodies: string[] = [];

beforeAll(async () => {
  server = await startServer(async (req, res, _index, n) => {
    const path = req.url ?? '/';
    if (path.startsWith('/always-503')) {
      res.writeHead(503).end('down');
    } else if (path.startsWith('/flaky')) {
      if (n < 3) res.writeHead(503).end('down');
      else res.end('ok');
    } else if (path.startsWith('/post')) {
      bodies.push((await readBody(req)).toString());
      if (n < 2) res.writeHead(502).end();
      else res.end('created');
    } else if (path.startsWith('/always-408')) {
      res.writeHead(408).end();
    } else if (path.startsWith('/slow')) {
      // answers after 300 ms
      setTimeout(() => res.end('late'), 300);
    } else res.end('ok');
  });
});
afterAll(() => server.close());

const fast = { retry: { backoff: () => 0 } } as const;

describe('kyResilience with real ky', () => {
  it('makes at most limit + 1 attempts: ky does not retry on top', async () => {
    const api = ky.create({ prefix: server.origin, ...kyResilience({ ...fast, circuitBreaker: false }) });
    await expect(api.get('always-503/a').text()).rejects.toBeInstanceOf(HTTPError);
    expect(server.hits.get('/always-503/a')).toBe(3);
  });

  it('recovers from a flaky endpoint', async () => {
    const api = ky.create({ prefix: server.origin, ...kyResilience(fast) });
    expect(await api.get('flaky/a').text()).toBe('ok');
    expect(server.hits.get('/flaky/a')).toBe(3);
  });

  it('forwards per-request options through ky to the pipeline', async () => {
    const api = ky.create({ prefix: server.origin, ...kyResilience({ ...fast, circuitBreaker: false }) });
    await expect(
      api.get('always-503/b', { resilience: { retry: { limit: 4 } } }).text(),
    ).rejects.toBeInstanceOf(HTTPError);
    expect(server.hits.get('/always-503/b')).toBe(5);
    await expect(api.get('always-503/c', { resilience: { retry: false } }).text()).rejects.toBeInstanceOf(
      HTTPError,
    );
    expect(server.hits.get('/always-503/c')).toBe(1);
  });

  it('replays a JSON POST body when it carries an Idempotency-Key', async () => {
    const api = ky.create({ prefix: server.origin, ...kyResilience(fast) });
    const text = await api
      .post('post/a', { json: { order: 42 }, headers: { 'Idempotency-Key': 'k-1' } })
      .text();
    expect(text).toBe('created');
    expect(bodies).toEqual(['{"order":42}', '{"order":42}']);
  });

  it("applies the pipeline's attempt timeout, not ky's", async () => {
    const events: ResilienceEvent[] = [];
    const api = ky.create({
      prefix: server.origin,
      ...kyResilience({ retry: false, attemptTimeout: 50, onEvent: (e) => events.push(e) }),
    });
    await expect(api.get('slow/a').text()).rejects.toMatchObject({ name: 'TimeoutError', timeout: 50 });
    expect(events).toContainEqual(expect.objectContaining({ type: 'timeout', key: 'attemptTimeout' }));
  });

  it('ends at once when the caller aborts through ky', async () => {
    const api = ky.create({ prefix: server.origin, ...kyResilience() });
    const controller = new AbortController();
    const call = api.get('slow/b', { signal: controller.signal }).text();
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(call).rejects.toThrow('stop');
  });
});

describe("kyResilience and ky's own retry option", () => {
  const api = ky.create(kyResilience({ ...fast, circuitBreaker: false }));
  const hits = async (path: string, options?: Parameters<typeof api.get>[1], instance = api) => {
    await expect(instance.get(path, options).text()).rejects.toBeInstanceOf(HTTPError);
    return server.hits.get(`/${path}`);
  };
  const at = (instance: typeof api) => instance.extend({ prefix: server.origin });

  it("hands the call's retry to the pipeline: limit + 1 attempts, never multiplied", async () => {
    const local = at(api);
    expect(await hits('always-408/limit-3', { retry: { limit: 3 } }, local)).toBe(4);
    expect(await hits('always-408/number-4', { retry: 4 }, local)).toBe(5);
    expect(await hits('always-408/limit-0', { retry: { limit: 0 } }, local)).toBe(1);
    expect(await hits('always-408/zero', { retry: 0 }, local)).toBe(1);
    expect(await hits('always-408/default', undefined, local)).toBe(3);
  });

  it("takes the retry of an .extend(), the call's over it", async () => {
    const extended = at(api).extend({ retry: { limit: 4 } });
    expect(await hits('always-408/extend', undefined, extended)).toBe(5);
    expect(await hits('always-408/extend-call', { retry: { methods: ['get'] } }, extended)).toBe(5);
    expect(await hits('always-408/extend-zero', { retry: 0 }, extended)).toBe(1);
  });

  it('lets resilience.retry win over the ky retry option, field by field', async () => {
    const local = at(api);
    const options = {
      retry: { limit: 4, statusCodes: [500] },
      resilience: { retry: { statusCodes: [408] } },
    };
    expect(await hits('always-408/both', options, local)).toBe(5);
    expect(await hits('always-408/off', { retry: 4, resilience: { retry: false } }, local)).toBe(1);
  });

  it("makes a call's ky timeout the pipeline's attemptTimeout", async () => {
    const events: ResilienceEvent[] = [];
    const local = ky.create({
      prefix: server.origin,
      ...kyResilience({ ...fast, circuitBreaker: false, onEvent: (e) => events.push(e) }),
    });
    await expect(local.get('slow/per-attempt', { timeout: 50, retry: 1 }).text()).rejects.toMatchObject({
      name: 'RetryExhaustedError',
      attempts: 2,
    });
    expect(events.filter((e) => e.type === 'timeout')).toMatchObject([
      { key: 'attemptTimeout', timeout: 50 },
      { key: 'attemptTimeout', timeout: 50 },
    ]);
  });

  it('hands the retry over once through two kyResilience() in an .extend() chain', async () => {
    const twice = ky
      .create({ prefix: server.origin, ...kyResilience({ ...fast, circuitBreaker: false }) })
      .extend(kyResilience({ ...fast, circuitBreaker: false }));
    expect(await hits('always-408/twice', { retry: 3 }, twice)).toBe(4);
    expect(await hits('always-408/twice-default', undefined, twice)).toBe(3);
  });

  it("keeps ky's loop off when a spread replaced kyResilience's hooks", async () => {
    const spread = ky.create({
      prefix: server.origin,
      ...kyResilience({ ...fast, circuitBreaker: false }),
      hooks: { beforeRequest: [] },
    });
    expect(await hits('always-408/spread', undefined, spread)).toBe(3);
  });

  it('rejects a bad ky retry option, naming it', async () => {
    const local = at(api);
    await expect(local.get('ok', { retry: { methods: 'get' as never } }).text()).rejects.toThrow(
      'ky retry.methods must be an array of method names, got "get"',
    );
    expect(() => local.get('ok', { retry: -1 })).toThrow('ky retry must be a non-negative integer, got -1');
  });
});
