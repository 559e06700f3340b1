import { setTimeout as wait } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError } from '../src/errors/timeout-error.ts';
import { timeout } from '../src/timeout.ts';
import { startServer, type TestServer } from './helpers/server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fetchNow = (input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init);

describe('timeout against a real server', () => {
  it('aborts the request on the wire: the server sees it closed', async () => {
    server = await startServer(() => {
      // never answers
    });
    const started = performance.now();
    await expect(timeout(100)(fetchNow)(`${server.origin}/slow`)).rejects.toBeInstanceOf(TimeoutError);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1_000);
    await server.waitForAborted(1);
    expect(server.aborted).toBe(1);
  });

  it('lets a slow body be read completely after the timer would have fired', async () => {
    server = await startServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 5; i++) {
        res.write(`chunk${i};`);
        await wait(40);
      }
      res.end('end');
    });
    const response = await timeout(60)(fetchNow)(server.origin);
    const body = await response.text();
    expect(body).toBe('chunk0;chunk1;chunk2;chunk3;chunk4;end');
    expect(server.aborted).toBe(0);
  });

  it("rejects with the caller's reason and closes the request when the caller aborts", async () => {
    server = await startServer(() => {});
    const caller = new AbortController();
    const call = timeout(5_000)(fetchNow)(server.origin, { signal: caller.signal });
    await wait(30);
    const reason = new Error('cancelled by user');
    const started = performance.now();
    caller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(50);
    await server.waitForAborted(1);
  });
});
