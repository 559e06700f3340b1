import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { constantBackoff } from '../../src/backoff.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { useChaosServer } from '../helpers/chaos-server.ts';
import { type LatenessWatch, timeUnit, watchLateness } from '../helpers/noise.ts';
import { CLIENTS, classify } from './clients.ts';

// No call outlives its deadline, whatever the server does. The margin over a deadline is the work after it
// (WORK ms) plus the scheduling noise measured while the test ran (test/helpers/noise.ts).
const WORK = 100;

const server = useChaosServer();

let noise: LatenessWatch;
beforeEach(() => {
  noise = watchLateness();
});
afterEach(() => {
  noise.stop();
});

/** Paths whose headers never (completely) arrive: the call must end with the deadline. */
const NO_HEADERS = ['/stall-headers', '/stall-partial-headers'];
/** Paths that fail fast: the call ends well before the deadline. */
const BROKEN = ['/reset', '/reset-headers'];
/** Paths whose headers arrive at once and whose body never ends: the call resolves at the headers. */
const BAD_BODIES = ['/endless', '/endless/503', '/drip/20', '/stall-body'];

/** 21 requests to `/ok` at once, bodies read: the kind of work the first test does. */
const probe = () =>
  Promise.all(Array.from({ length: 21 }, () => fetch(`${server.origin}/ok`).then((r) => r.text())));

/**
 * Rounds of the first test, at most. Its deadlines are counted in a unit: 100 ms, or more when the machine is
 * too busy to answer a round of loopback requests in a third of that (`timeUnit`). A round where the machine
 * still could not keep up (a timer of this process ran later than a quarter of a unit, or a reset took a whole
 * attempt deadline to arrive) says nothing about the deadlines: the next round doubles the unit. The last
 * round is judged whatever happened in it, so a call that really hangs still fails.
 */
const ROUNDS = 4;

describe.each(CLIENTS)('deadlines through $name', ({ make }) => {
  /** Options with a total deadline of 3 units and an attempt deadline of 1 unit. */
  const deadlines = (unit: number) => ({
    timeout: 3 * unit,
    attemptTimeout: unit,
    retry: { backoff: constantBackoff({ delay: 10 }) },
    // A breaker that never opens here: every call must meet the deadline itself (the storm test opens it).
    circuitBreaker: { failureThreshold: 1_000 },
  });

  it('ends every call within its deadline + margin, three calls per chaos path at once', async () => {
    const paths = [...NO_HEADERS, ...BROKEN, ...BAD_BODIES].flatMap((p) => [p, p, p]);
    /** One round with a fresh client (one round's retries must not draw on another's retry budget). */
    const round = async (options: ReturnType<typeof deadlines>) => {
      const events: ResilienceEvent[] = [];
      const get = make({ ...options, onEvent: (e) => events.push(e) });
      const watch = watchLateness();
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
      const margin = await watch.margin(WORK);
      const late = watch.stop() > options.attemptTimeout / 4;
      const reset = (url: string) => BROKEN.some((p) => url.endsWith(p));
      const slowReset =
        events.some((e) => e.type === 'retry' && e.reason === 'timeout' && reset(e.url)) ||
        results.some((r) => BROKEN.includes(r.path) && r.outcome.includes('TimeoutError'));
      // The failing bodies of /endless/503 were cancelled before each retry, the others by the test.
      await server.waitForIdle(2_000);
      return { options, results, margin, late, slowReset };
    };
    let unit = await timeUnit(probe, 100);
    let judged = await round(deadlines(unit));
    for (let n = 2; n <= ROUNDS && (judged.late || judged.slowReset); n++) {
      unit *= 2;
      judged = await round(deadlines(unit));
    }
    const { options, results, margin } = judged;
    for (const { path, elapsed, outcome } of results) {
      const late = `${path} took ${elapsed.toFixed(0)} ms, margin ${margin.toFixed(0)} ms`;
      expect(elapsed, late).toBeLessThanOrEqual(options.timeout + margin);
      if (NO_HEADERS.includes(path)) expect(outcome, path).toBe('TimeoutError');
      if (BROKEN.includes(path)) expect(outcome, path).toBe('RetryExhaustedError(TypeError)');
      if (BAD_BODIES.includes(path)) expect(outcome, path).toMatch(/^response (200|503)$/);
    }
  });

  it('honours tighter per-request deadlines', async () => {
    const get = make(deadlines(100));
    const started = performance.now();
    const settled = await Promise.allSettled([
      get(`${server.origin}/stall-headers`, { resilience: { timeout: 120, attemptTimeout: 40 } }),
    ]);
    const elapsed = performance.now() - started;
    expect(classify(settled[0]!)).toBe('TimeoutError');
    expect(elapsed).toBeLessThanOrEqual(120 + (await noise.margin(WORK)));
  });

  it("ends at once with the caller's reason when the caller aborts", async () => {
    const get = make({ ...deadlines(100), timeout: 10_000, attemptTimeout: 5_000 });
    const caller = new AbortController();
    const reason = new Error('user left');
    const call = Promise.allSettled([get(`${server.origin}/stall-headers`, { signal: caller.signal })]);
    setTimeout(() => caller.abort(reason), 50);
    const started = performance.now();
    const [settled] = await call;
    const elapsed = performance.now() - started;
    expect(classify(settled!, reason)).toBe('caller-abort');
    expect(elapsed).toBeLessThanOrEqual(50 + (await noise.margin(WORK)));
    await server.waitForIdle(2_000);
  });
});
