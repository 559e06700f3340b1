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
