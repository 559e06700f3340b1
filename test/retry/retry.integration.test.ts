import { afterEach, describe, expect, it } from 'vitest';
import { constantBackoff } from '../../src/backoff.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { retry } from '../../src/retry/retry.ts';
import { readBody, startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const transport = (input: string | URL | Request, init?: RequestInit) => fetch(input, init);
const quick = retry({ backoff: constantBackoff({ delay: 5 }) })(transport);

describe('retry against a real server', () => {
  it('retries a connection reset', async () => {
    server = await startServer((req, res, index) => {
      if (index === 0) req.socket.destroy();
      else res.end('ok');
    });
    const response = await quick(`${server.origin}/`);
    expect(await response.text()).toBe('ok');
    expect(server.requests).toHaveLength(2);
  });

  it("cancels a discarded 503's endless body, so the server sees that response's connection closed", async () => {
    server = await startServer((_req, res, index) => {
      if (index > 0) return void res.end('ok');
      res.writeHead(503, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(16_384);
      const pump = () => {
        while (res.write(chunk)) {}
      };
      res.on('drain', pump);
      pump();
    });
    const response = await quick(`${server.origin}/`);
    expect(await response.text()).toBe('ok');
    await server.waitForAborted(1);
    expect(server.aborted).toBe(1);
  });

  it('rejects at once when the caller aborts during a wait', async () => {
    server = await startServer((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const caller = new AbortController();
    // The caller leaves as soon as the wait begins, however long the 503 took on a loaded machine.
    const onEvent = (e: ResilienceEvent) => {
      if (e.type === 'retry') setTimeout(() => caller.abort(new Error('user left')), 10);
    };
    const slow = retry({ backoff: constantBackoff({ delay: 60_000 }), onEvent })(transport);
    const started = performance.now();
    const call = slow(`${server.origin}/`, { signal: caller.signal });
    await expect(call).rejects.toThrow('user left');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(server.requests).toHaveLength(1);
  });

  it('replays a POST body with an Idempotency-Key byte for byte', async () => {
    const received: Array<{ body: Buffer; type: string | undefined; key: string | undefined }> = [];
    server = await startServer(async (req, res, index) => {
      received.push({
        body: await readBody(req),
        type: req.headers['content-type'],
        key: req.headers['idempotency-key'] as string | undefined,
      });
      res.statusCode = index % 2 === 0 ? 503 : 201;
      res.end();
    });
    const bytes = new Uint8Array(2_048).map((_, i) => (i * 7) % 256);
    const form = new FormData();
    form.append('field', 'value');
    form.append('file', new Blob([bytes]), 'a.bin');
    const bodies: BodyInit[] = [
      'plain text ✓',
      new Blob([bytes], { type: 'application/x-test' }),
      form,
      bytes,
    ];
    const headers = { 'Idempotency-Key': 'key-42' };
    for (const body of bodies) {
      const response = await quick(`${server.origin}/`, { method: 'POST', body, headers });
      expect(response.status).toBe(201);
    }
    const request = new Request(`${server.origin}/`, { method: 'POST', body: bytes, headers });
    expect((await quick(request)).status).toBe(201);

    expect(received).toHaveLength(10);
    // fetch draws a fresh multipart boundary each time it serialises FormData: compare without it.
    const unbound = ({ body, type }: { body: Buffer; type: string | undefined }) => {
      const boundary = /boundary=(.+)$/.exec(type ?? '')?.[1];
      return boundary ? body.toString('latin1').replaceAll(boundary, 'B') : body.toString('latin1');
    };
    for (let i = 0; i < 10; i += 2) {
      expect(unbound(received[i + 1]!)).toBe(unbound(received[i]!));
      expect(received[i + 1]!.type?.split(';')[0]).toBe(received[i]!.type?.split(';')[0]);
      expect(received[i]!.key).toBe('key-42');
      expect(received[i + 1]!.key).toBe('key-42');
    }
    expect(received[0]!.body.toString()).toBe('plain text ✓');
    expect(received[2]!.body.equals(Buffer.from(bytes))).toBe(true);
    expect(received[4]!.body.includes(Buffer.from(bytes))).toBe(true);
    expect(received[8]!.body.equals(Buffer.from(bytes))).toBe(true);
  });
});
