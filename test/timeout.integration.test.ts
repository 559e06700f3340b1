import { setTimeout as wait } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError } from '../src/errors/timeout-error.ts';
import { timeout } from '../src/timeout.ts';
import { timeUnit, watchLateness } from './helpers/noise.ts';
import { startServer, type TestServer } from './helpers/server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fetchNow = (input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init);

describe('timeout against a real server', () => {
  it('aborts the request on the wire: the server sees it closed', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/probe') res.end('ok'); // else never answers
    });
    // Long enough for this machine to put the request on the wire first (test/helpers/noise.ts).
    const ms = await timeUnit(() => fetchNow(`${server!.origin}/probe`).then((r) => r.text()), 100);
    const noise = watchLateness();
    const started = performance.now();
    await expect(timeout(ms)(fetchNow)(`${server.origin}/slow`)).rejects.toBeInstanceOf(TimeoutError);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(ms - 5);
    expect(elapsed).toBeLessThan(ms + (await noise.margin(100)));
    noise.stop();
    await server.waitForAborted(1);
    expect(server.aborted).toBe(1);
  });

  it('lets a slow body be read completely after the timer would have fired', async () => {
    // The headers come at once, the rest of the body only once the deadline has passed: a deadline long
    // enough for this machine to deliver headers (timeUnit), so that only the body is slow.
    let passed!: () => void;
    const deadlinePassed = new Promise<void>((resolve) => {
      passed = resolve;
    });
    server = await startServer(async (req, res) => {
      if (req.url === '/probe') return void res.end('ok');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('chunk0;');
      await deadlinePassed;
      for (let i = 1; i < 5; i++) res.write(`chunk${i};`);
      res.end('end');
    });
    const ms = await timeUnit(() => fetchNow(`${server!.origin}/probe`).then((r) => r.text()), 60);
    const response = await timeout(ms)(fetchNow)(server.origin);
    await wait(ms + 20);
    passed();
    const body = await response.text();
    expect(body).toBe('chunk0;chunk1;chunk2;chunk3;chunk4;end');
    expect(server.aborted).toBe(0);
  });

  it("rejects with the caller's reason and closes the request when the caller aborts", async () => {
    server = await startServer(() => {});
    const caller = new AbortController();
    const call = timeout(5_000)(fetchNow)(server.origin, { signal: caller.signal });
    // The caller leaves while the server holds the request.
    while (server.requests.length === 0) await wait(5);
    const reason = new Error('cancelled by user');
    const noise = watchLateness();
    const started = performance.now();
    caller.abort(reason);
    await expect(call).rejects.toBe(reason);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(await noise.margin(50));
    noise.stop();
    await server.waitForAborted(1);
  });
});
