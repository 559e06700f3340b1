import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { resilientFetch } from '../src/resilient-fetch.ts';
import { timeout } from '../src/timeout.ts';
import type { FetchLike } from '../src/types.ts';
import { startServer, type TestServer } from './helpers/server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fetchNow: FetchLike = (input, init) => globalThis.fetch(input, init);
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

/** A server that sends its headers and one chunk, then holds the body open until the client goes. */
async function streamingServer(): Promise<TestServer> {
  return startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n');
  });
}

describe("the caller's signal after the headers", () => {
  it.each([
    ['timeout()', () => timeout(5_000)(fetchNow)],
    ['the standard pipeline (two nested deadlines)', () => resilientFetch({ fetch: fetchNow })],
  ])(
    '%s: aborting while the body is read errors it with the reason and closes the connection',
    async (_, make) => {
      server = await streamingServer();
      const caller = new AbortController();
      const response = await make()(server.origin, { signal: caller.signal });
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');
      const pending = reader.read();
      const reason = new Error('stopped by the user');
      caller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      await server.waitForAborted(1);
      expect(listeners(caller.signal)).toBe(0);
    },
  );

  it('errors a body nobody is reading at the moment of the abort', async () => {
    server = await streamingServer();
    const caller = new AbortController();
    const response = await resilientFetch({ fetch: fetchNow })(server.origin, { signal: caller.signal });
    caller.abort('stop');
    await expect(response.text()).rejects.toBe('stop');
    await server.waitForAborted(1);
  });

  it('keeps status, headers, url and the bytes of the body, BYOB readers included', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(201, 'Made', { 'x-answer': '42', 'set-cookie': ['a=1', 'b=2'] });
      res.end('0123456789');
    });
    const caller = new AbortController();
    const url = `${server.origin}/path?q=1`;
    const response = await timeout(5_000)(fetchNow)(url, { signal: caller.signal });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Made');
    expect(response.headers.get('x-answer')).toBe('42');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.url).toBe(url);
    expect(response.redirected).toBe(false);
    expect(response.type).toBe('basic');
    const reader = response.body!.getReader({ mode: 'byob' });
    let text = '';
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(4));
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toBe('0123456789');
    expect(listeners(caller.signal)).toBe(0);
  });

  it('removes its listener when the body is read, cancelled or fails', async () => {
    const bodies: Record<string, () => ReadableStream<Uint8Array>> = {
      read: () => new Response('done').body!,
      cancelled: () => new ReadableStream({ pull: () => new Promise(() => {}) }),
      failed: () =>
        new ReadableStream({
          pull: (c) => c.error(new TypeError('terminated')),
        }),
    };
    const transport: FetchLike = async (input) =>
      new Response(bodies[String(input).slice('http://x.test/'.length)]!());
    const caller = new AbortController();
    const call = timeout(5_000)(transport);
    const read = await call('http://x.test/read', { signal: caller.signal });
    const cancelled = await call('http://x.test/cancelled', { signal: caller.signal });
    const failed = await call('http://x.test/failed', { signal: caller.signal });
    expect(listeners(caller.signal)).toBe(3);
    expect(await read.text()).toBe('done');
    await cancelled.body!.cancel();
    await expect(failed.text()).rejects.toThrow('terminated');
    expect(listeners(caller.signal)).toBe(0);
  });

  it('leaves nothing on a long-lived signal shared by many calls once their bodies are read', async () => {
    server = await startServer((_req, res) => void res.end('ok'));
    const shared = new AbortController();
    const api = resilientFetch({ fetch: fetchNow });
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const response = await api(server!.origin, { signal: shared.signal });
          expect(await response.text()).toBe('ok');
        }),
      );
    }
    expect(listeners(shared.signal)).toBe(0);
  });

  it('costs nothing without a caller signal: the transport’s own Response comes back', async () => {
    const original = new Response('body');
    const response = await timeout(5_000)(async () => original)('http://x.test/');
    expect(response).toBe(original);
  });

  it('hands back a response whose body the transport left locked, as it is, instead of hanging', async () => {
    const original = new Response('body');
    original.body!.getReader(); // a transport that kept a reader on its own body
    const caller = new AbortController();
    const response = await timeout(5_000)(async () => original)('http://x.test/', {
      signal: caller.signal,
    });
    expect(response).toBe(original);
    expect(listeners(caller.signal)).toBe(0);
  });

  it('leaves a response without a body as it is', async () => {
    const original = new Response(null, { status: 204 });
    const caller = new AbortController();
    const response = await timeout(5_000)(async () => original)('http://x.test/', {
      signal: caller.signal,
    });
    expect(response).toBe(original);
    expect(listeners(caller.signal)).toBe(0);
  });
});
