import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import { compose } from '../../src/compose.ts';
import { CircuitOpenError } from '../../src/errors/circuit-open-error.ts';
import { TimeoutError } from '../../src/errors/timeout-error.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { resilientFetch } from '../../src/resilient-fetch.ts';
import { timeout } from '../../src/timeout.ts';
import { steppedClock } from '../helpers/fake-clock.ts';
import { type LatenessWatch, timeUnit, watchLateness } from '../helpers/noise.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Recovery times run on a stepped clock, which the test moves: on a loaded machine a real 100 ms recovery could
// pass between two lines of a test. The requests and deadlines are real.

const servers: TestServer[] = [];
let noise: LatenessWatch;
beforeEach(() => {
  noise = watchLateness();
});
afterEach(async () => {
  noise.stop();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const fetchNow = (input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init);

async function origins() {
  const failing = await startServer((_req, res) => {
    res.writeHead(503).end('down');
  });
  const healthy = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  servers.push(failing, healthy);
  return { failing, healthy };
}

describe('circuitBreaker against two real origins', () => {
  it('opens the failing origin and fails fast there while the healthy origin keeps working', async () => {
    const { failing, healthy } = await origins();
    const events: ResilienceEvent[] = [];
    const breaker = circuitBreaker({ failureThreshold: 3, onEvent: (e) => events.push(e) });
    const guarded = compose(breaker, timeout(2_000))(fetchNow);

    for (let i = 0; i < 3; i++) {
      const response = await guarded(`${failing.origin}/api`);
      expect(response.status).toBe(503);
      await response.body?.cancel();
    }
    expect(breaker.state(failing.origin)).toBe('open');

    const started = performance.now();
    const refused = await guarded(`${failing.origin}/api`).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(await noise.margin(20));
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toMatchObject({ key: failing.origin });
    expect(failing.requests).toHaveLength(3);

    for (let i = 0; i < 5; i++) {
      const response = await guarded(`${healthy.origin}/api`);
      expect(await response.text()).toBe('ok');
    }
    expect(breaker.state(healthy.origin)).toBe('closed');
    expect(healthy.requests).toHaveLength(5);
    expect(events.filter((e) => e.type === 'circuit-state')).toEqual([
      { type: 'circuit-state', key: failing.origin, from: 'closed', to: 'open' },
    ]);
  });

  it('counts attempt timeouts from the inner timeout() as failures, and recovers through a trial call', async () => {
    let stall = true;
    const server = await startServer((req, res) => {
      if (!stall || req.url === '/probe') res.writeHead(200).end('back');
    });
    servers.push(server);
    // A deadline this machine answers a loopback request within (the trial call must not meet it).
    const deadline = await timeUnit(() => fetchNow(`${server.origin}/probe`).then((r) => r.text()), 50);
    const clock = steppedClock();
    const breaker = circuitBreaker({ failureThreshold: 2, recoveryTimeout: 50, clock });
    const guarded = compose(breaker, timeout(deadline))(fetchNow);
    await expect(guarded(server.origin)).rejects.toBeInstanceOf(TimeoutError);
    await expect(guarded(server.origin)).rejects.toBeInstanceOf(TimeoutError);
    expect(breaker.state(server.origin)).toBe('open');
    stall = false;
    clock.time += 49;
    expect(breaker.state(server.origin)).toBe('open');
    clock.time += 1;
    expect(breaker.state(server.origin)).toBe('half-open');
    expect(await (await guarded(`${server.origin}/`)).text()).toBe('back');
    expect(breaker.state(server.origin)).toBe('closed');
  });

  it("does not count the caller's deadline: an outer timeout() ends calls without opening the circuit", async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/probe') res.end('ok'); // else never answers
    });
    servers.push(server);
    // Long enough for this machine to put the request on the wire, so that the server sees it closed.
    const deadline = await timeUnit(() => fetchNow(`${server.origin}/probe`).then((r) => r.text()), 50);
    const breaker = circuitBreaker({ failureThreshold: 1 });
    const guarded = compose(timeout(deadline), breaker)(fetchNow);
    await expect(guarded(server.origin)).rejects.toBeInstanceOf(TimeoutError);
    expect(breaker.state(server.origin)).toBe('closed');
    await server.waitForAborted(1);
  });

  it('holds back other callers of an origin that answered 429 with Retry-After', async () => {
    let first = true;
    const server = await startServer((_req, res) => {
      if (first) {
        first = false;
        res.writeHead(429, { 'retry-after': '1' }).end();
      } else res.writeHead(200).end('ok');
    });
    servers.push(server);
    const breaker = circuitBreaker({ coolDown: 'fail-fast' });
    const guarded = compose(breaker, timeout(2_000))(fetchNow);
    expect((await guarded(server.origin)).status).toBe(429);
    await expect(guarded(server.origin)).rejects.toMatchObject({ name: 'CircuitOpenError' });
    expect(server.requests).toHaveLength(1);
  });
});

describe('the standard pipeline against two real origins', () => {
  it('retries, then opens only the failing origin; a trial call closes it again when it recovers', async () => {
    let down = true;
    const flaky = await startServer((_req, res) => {
      res.writeHead(down ? 503 : 200).end(down ? 'down' : 'ok');
    });
    const healthy = await startServer((_req, res) => {
      res.end('ok');
    });
    servers.push(flaky, healthy);
    const events: ResilienceEvent[] = [];
    const clock = steppedClock();
    const fetch = resilientFetch({
      retry: { limit: 2, backoff: () => 1, budget: false },
      circuitBreaker: { failureThreshold: 3, recoveryTimeout: 100, clock },
      onEvent: (e) => events.push(e),
    });

    // Three attempts of the first call open the circuit; the call returns its last 503.
    expect((await fetch(`${flaky.origin}/a`)).status).toBe(503);
    expect(fetch.circuitBreaker?.state(flaky.origin)).toBe('open');
    const hits = flaky.requests.length;
    await expect(fetch(`${flaky.origin}/b`)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(flaky.requests.length).toBe(hits);
    // The healthy origin is not affected.
    expect(await (await fetch(`${healthy.origin}/c`)).text()).toBe('ok');

    down = false;
    clock.time += 100;
    expect(fetch.circuitBreaker?.state(flaky.origin)).toBe('half-open');
    expect(await (await fetch(`${flaky.origin}/d`)).text()).toBe('ok');
    expect(fetch.circuitBreaker?.state(flaky.origin)).toBe('closed');
    const transitions = events.filter((e) => e.type === 'circuit-state').map((e) => `${e.from}→${e.to}`);
    expect(transitions).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
  });
});
