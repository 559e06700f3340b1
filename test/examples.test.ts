// Every runnable example in examples/ runs here against a loopback server, so the docs cannot rot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as customMiddleware from '../examples/custom-middleware.ts';
import * as global from '../examples/global.ts';
import * as kyExample from '../examples/ky.ts';
import * as kyHooksExample from '../examples/ky-hooks.ts';
import * as perRequest from '../examples/per-request.ts';
import { startServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  // `/flaky…` answers 503 twice, then 200; everything else 200.
  server = await startServer((req, res, _index, n) => {
    const path = req.url ?? '/';
    if (path.includes('flaky') && n < 3) res.writeHead(503, { 'retry-after': '0' }).end();
    else res.end(`ok ${req.headers['user-agent'] ?? ''}`.trim());
  });
});
afterAll(() => server.close());

describe('examples', () => {
  it('per-request.ts', async () => {
    expect(await perRequest.main(server.origin)).toEqual(['report: 200', 'once: 200', 'quick: 200']);
  });

  it('custom-middleware.ts', async () => {
    server.hits.clear();
    expect(await customMiddleware.main(server.origin)).toEqual(['GET 503', 'GET 503', 'GET 200']);
  });

  it('global.ts', async () => {
    server.hits.clear();
    const before = globalThis.fetch;
    expect(await global.main(server.origin)).toBe(200);
    expect(globalThis.fetch).toBe(before);
  });

  it('ky.ts', async () => {
    server.hits.clear();
    expect(await kyExample.main(server.origin)).toMatch(/^ok/);
    expect(server.hits.get('/flaky')).toBe(3);
  });

  it('ky-hooks.ts', async () => {
    server.hits.clear();
    expect(await kyHooksExample.main(server.origin)).toMatch(/^ok/);
    expect(server.hits.get('/flaky')).toBe(3);
  });
});
