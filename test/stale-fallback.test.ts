// The README's stale-data recipe (examples/stale-fallback.ts) against a loopback server that goes down.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lastGoodResponse, main, staleFrom } from '../examples/stale-fallback.ts';
import { compose, fallback } from '../src/index.ts';
import { startServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  // `/prices` answers once, then the upstream is down; `/never` is always down.
  server = await startServer((req, res, index) => {
    if (req.url === '/prices' && index === 0) res.end('{"eur":1}');
    else res.writeHead(503, { 'retry-after': '0' }).end('down');
  });
});
afterAll(() => server.close());

it('serves the last good copy, marked stale, once the upstream fails', async () => {
  expect(await main(server.origin)).toEqual(['200 fresh {"eur":1}', '200 1 {"eur":1}']);
  expect(server.requests.length).toBe(3); // one good answer, then an attempt and its retry
});

it('passes the failure through when nothing was stored, and never stores failures or POSTs', async () => {
  const cache = new Map();
  let answer: () => Promise<Response> = async () => new Response('down', { status: 503 });
  const api = compose(fallback(staleFrom(cache)), lastGoodResponse(cache))(() => answer());
  expect((await api(`${server.origin}/never`)).status).toBe(503);
  answer = async () => new Response('ok');
  await api('https://example.com/a', { method: 'POST' });
  expect(cache.size).toBe(0);
  answer = () => Promise.reject(new TypeError('fetch failed'));
  await expect(api('https://example.com/a')).rejects.toThrow('fetch failed');
});

it('keeps at most maxEntries copies', async () => {
  const cache = new Map();
  const api = lastGoodResponse(cache, 2)(async () => new Response('ok'));
  for (const path of ['a', 'b', 'c']) await api(`https://example.com/${path}`);
  expect([...cache.keys()]).toEqual(['https://example.com/b', 'https://example.com/c']);
});
