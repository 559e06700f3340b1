// Against loopback servers with a slow tail: the hedge answers from the fast attempt, the slow one is aborted
// on the wire, and the extra requests stay within the budget.
import { afterEach, describe, expect, it } from 'vitest';
import { startTailServer, type TailServer } from '../../examples/demo/tail-server.ts';
import { circuitBreaker, compose, hedge, resilientFetch } from '../../src/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const servers: Array<TailServer | TestServer> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('hedge against real servers', () => {
  it('the first request of each URL stalls: the hedge answers, the stalled request is aborted', async () => {
    const server = await startServer((_req, res, _index, seen) => {
      if (seen > 1) res.writeHead(200).end(`answer ${seen}`);
    });
    servers.push(server);
    const breaker = circuitBreaker({ failureThreshold: 1 });
    const api = resilientFetch({ hedge: hedge({ delay: 50 }), circuitBreaker: breaker });
    for (const path of ['/a', '/b', '/c']) {
      const response = await api(`${server.origin}${path}`);
      expect(await response.text()).toBe('answer 2');
    }
    await server.waitForAborted(3);
    expect(server.requests).toHaveLength(6);
    expect(breaker.state(server.origin)).toBe('closed');
  });

  it('against a 5% slow tail no hedged call waits for a slow answer; extra requests stay within budget', async () => {
    const slow = 800;
    const server = await startTailServer({ fast: 2, slow });
    servers.push(server);
    const run = async (fetch: typeof globalThis.fetch) => {
      const times: number[] = [];
      for (let batch = 0; batch < 4; batch++) {
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            const t = performance.now();
            await (await fetch(`${server.origin}/`)).text();
            times.push(performance.now() - t);
          }),
        );
      }
      return times;
    };
    const hedged = await run(compose(hedge({ delay: 100 }))(globalThis.fetch));
    const hedgedRequests = server.requests;
    expect(Math.max(...hedged)).toBeLessThan(slow * 0.8);
    expect(hedgedRequests - 40).toBeGreaterThanOrEqual(2); // the slow ones were hedged
    expect(hedgedRequests).toBeLessThanOrEqual(40 + 20); // ...and few others
    expect(server.abandoned).toBeGreaterThanOrEqual(2);
    const plain = await run(globalThis.fetch);
    expect(Math.max(...plain)).toBeGreaterThanOrEqual(slow * 0.9);
  });
});
