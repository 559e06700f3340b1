import { describe, expect, it } from 'vitest';
import { constantBackoff } from '../../src/backoff.ts';
import { useChaosServer } from '../helpers/chaos-server.ts';
import { CLIENTS, classify } from './clients.ts';

// No call outlives its deadline, whatever the server does. 2 shared cores: allow 150 ms of scheduling noise.
const TOTAL = 300;
const ATTEMPT = 100;
const TOLERANCE = 150;

const server = useChaosServer();

/** Paths whose headers never (completely) arrive: the call must end with the deadline. */
const NO_HEADERS = ['/stall-headers', '/stall-partial-headers'];
/** Paths that fail fast: the call ends well before the deadline. */
const BROKEN = ['/reset', '/reset-headers'];
/** Paths whose headers arrive at once and whose body never ends: the call resolves at the headers. */
const BAD_BODIES = ['/endless', '/endless/503', '/drip/20', '/stall-body'];

describe.each(CLIENTS)('deadlines through $name', ({ make }) => {
  const options = {
    timeout: TOTAL,
    attemptTimeout: ATTEMPT,
    retry: { backoff: constantBackoff({ delay: 10 }) },
    // A breaker that never opens here: every call must meet the deadline itself (the storm test opens it).
    circuitBreaker: { failureThreshold: 1_000 },
  };

  it(`ends every call within ${TOTAL} + ${TOLERANCE} ms, three calls per chaos path at once`, async () => {
    const get = make(options);
    const paths = [...NO_HEADERS, ...BROKEN, ...BAD_BODIES].flatMap((p) => [p, p, p]);
    const results = await Promise.all(
      paths.map(async (path) => {
        const started = performance.now();
        const settled = await get(`${server.origin}${path}`).then(
          (value) => ({ status: 'fulfilled', value }) as const,
          (reason: unknown) => ({ status: 'rejected', reason }) as const,
        );
        const elapsed = performance.now() - started;
        if (settled.status === 'fulfilled') await settled.value.body?.cancel();
        return { path, elapsed, outcome: classify(settled) };
      }),
    );
    for (const { path, elapsed, outcome } of results) {
      expect(elapsed, `${path} took ${elapsed.toFixed(0)} ms`).toBeLessThanOrEqual(TOTAL + TOLERANCE);
      if (NO_HEADERS.includes(path)) expect(outcome, path).toBe('TimeoutError');
      if (BROKEN.includes(path)) expect(outcome, path).toBe('RetryExhaustedError(TypeError)');
      if (BAD_BODIES.includes(path)) expect(outcome, path).toMatch(/^response (200|503)$/);
    }
    // The failing bodies of /endless/503 were cancelled before each retry, the others by the test.
    await server.waitForIdle(2_000);
  });

  it('honours tighter per-request deadlines', async () => {
    const get = make(options);
    const started = performance.now();
    const settled = await Promise.allSettled([
      get(`${server.origin}/stall-headers`, { resilience: { timeout: 120, attemptTimeout: 40 } }),
    ]);
    expect(classify(settled[0]!)).toBe('TimeoutError');
    expect(performance.now() - started).toBeLessThanOrEqual(120 + TOLERANCE);
  });

  it("ends at once with the caller's reason when the caller aborts", async () => {
    const get = make({ ...options, timeout: 10_000, attemptTimeout: 5_000 });
    const caller = new AbortController();
    const reason = new Error('user left');
    const call = Promise.allSettled([get(`${server.origin}/stall-headers`, { signal: caller.signal })]);
    setTimeout(() => caller.abort(reason), 50);
    const started = performance.now();
    const [settled] = await call;
    expect(classify(settled!, reason)).toBe('caller-abort');
    expect(performance.now() - started).toBeLessThanOrEqual(50 + TOLERANCE);
    await server.waitForIdle(2_000);
  });
});
