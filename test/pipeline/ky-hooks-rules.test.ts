import ky, { HTTPError } from 'ky';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kyHooks } from '../../src/ky.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// kyHooks() decides with the same rules module as retry(): 529, server directives, rate-limit 403s, and the
// method rule for POSTs without an Idempotency-Key. Each path answers its status once, then 200.

const answers: Record<string, [number, Record<string, string>]> = {
  overloaded: [529, {}],
  'directive-false': [503, { 'x-should-retry': 'false' }],
  'directive-true': [400, { 'x-should-retry': 'true' }],
  'rate-limit-403': [403, { 'retry-after': '0' }],
  'permission-403': [403, {}],
  'post-500': [500, {}],
  'post-429': [429, {}],
};

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res, _index, n) => {
    const [status, headers] = answers[(req.url ?? '/').slice(1)] ?? [200, {}];
    if (n === 1) return void res.writeHead(status, headers).end();
    res.end('ok');
  });
});
afterAll(() => server.close());

const api = ky.create(kyHooks({ retry: { backoff: () => 1 }, circuitBreaker: false }));
const call = (path: string, method: 'get' | 'post' = 'get') =>
  api[method](`${server.origin}/${path}`)
    .text()
    .then(
      (text) => text,
      (error: unknown) => (error instanceof HTTPError ? error.response.status : error),
    );

describe('kyHooks: the retry rules', () => {
  it.each([
    ['a 529', 'overloaded', 'get', 'ok', 2],
    ['x-should-retry: false on a 503', 'directive-false', 'get', 503, 1],
    ['x-should-retry: true on a 400, a POST', 'directive-true', 'post', 'ok', 2],
    ['a rate-limit 403', 'rate-limit-403', 'get', 'ok', 2],
    ['a permission 403', 'permission-403', 'get', 403, 1],
    ['a 500 on a POST without Idempotency-Key', 'post-500', 'post', 500, 1],
    ['a 429 on a POST without Idempotency-Key', 'post-429', 'post', 'ok', 2],
  ] as const)('%s', async (_, path, method, outcome, hits) => {
    expect(await call(path, method)).toBe(outcome);
    expect(server.hits.get(`/${path}`)).toBe(hits);
  });
});
