// Against a loopback server that enforces a real quota (429 beyond it) and announces it in each header
// family: the limiter stays under it, so no call is refused, where calls without it collect 429s.
import { describe, expect, it, type TestContext } from 'vitest';
import { type QuotaFamily, startQuotaServer } from '../../examples/demo/quota-server.ts';
import { compose, rateLimit, resilientFetch } from '../../src/index.ts';

const start = async (family: QuotaFamily, { onTestFinished }: TestContext) => {
  const server = await startQuotaServer({ limit: 4, window: 1_000, family, latency: 20 });
  onTestFinished(() => server.close());
  return server;
};

const statuses = (responses: Response[]) =>
  Promise.all(
    responses.map(async (r) => {
      await r.body?.cancel();
      return r.status;
    }),
  );

describe.concurrent('rateLimit against a quota-enforcing server', () => {
  it.for(['ietf', 'x-ratelimit', 'openai'] as const)(
    'learns the quota from %s headers: 8 calls over two windows, no 429',
    async (family, context) => {
      const server = await start(family, context);
      const limiter = rateLimit();
      const fetch = compose(limiter)(globalThis.fetch);
      const first = await fetch(`${server.origin}/`);
      expect(first.status).toBe(200);
      await first.body?.cancel();
      const calls = Array.from({ length: 7 }, () => fetch(`${server.origin}/`));
      expect(limiter.state(server.origin.toLowerCase())).toMatchObject({ inFlight: 3, queued: 4 });
      expect(await statuses(await Promise.all(calls))).toEqual(Array(7).fill(200));
      expect({ served: server.served, refused: server.refused }).toEqual({ served: 8, refused: 0 });
    },
  );

  it('without the limiter the same calls are refused', async (context) => {
    const server = await start('x-ratelimit', context);
    await (await fetch(`${server.origin}/`)).body?.cancel();
    const responses = await Promise.all(Array.from({ length: 7 }, () => fetch(`${server.origin}/`)));
    // 4 unless the machine took a whole window to send 7 requests.
    expect((await statuses(responses)).filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  it('with only Retry-After on 429s, the first refusals hold back every other call until then', async (context) => {
    const server = await start('retry-after', context);
    const api = resilientFetch({ rateLimit: rateLimit(), retry: { limit: 3 } });
    const responses = await Promise.all(Array.from({ length: 8 }, () => api(`${server.origin}/`)));
    expect(await statuses(responses)).toEqual(Array(8).fill(200));
    // The first window refuses the 4 calls over the quota; their retries all fit in the next one.
    expect(server.served).toBe(8);
    expect(server.refused).toBeLessThanOrEqual(4);
  });
});
