import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResilienceRequestOptions } from '../../src/request-options.ts';
import { useChaosServer } from '../helpers/chaos-server.ts';
import { timeUnit } from '../helpers/noise.ts';
import { CLIENTS, classify } from './clients.ts';

// Whatever the server does, a call ends with an outcome the contract documents, and nothing else escapes.
// Times (deadlines, recovery, the caller's aborts) are written for an idle machine and stretched by the
// measured time unit (test/helpers/noise.ts) on a busy one, so that the mix of outcomes stays a mix.

const server = useChaosServer();

const PATHS = [
  '/ok',
  '/reset',
  '/reset-headers',
  '/stall-headers',
  '/stall-partial-headers',
  '/stall-body',
  '/endless/503',
  '/drip/25',
  '/status/500',
  '/status/503?h=retry-after:0',
  '/status/429?h=retry-after:1e3',
  '/status/404',
  '/flap/3',
  '/fail-then-ok/2',
];

const OVERRIDES: Array<ResilienceRequestOptions | undefined> = [
  undefined,
  { retry: false },
  { retry: 1 },
  { attemptTimeout: 40 },
  { timeout: 150 },
  { circuitBreaker: false },
];

const call = fc.record({
  path: fc.constantFrom(...PATHS),
  override: fc.constantFrom(...OVERRIDES),
  // The caller aborts some calls after this many ms.
  abortAfter: fc.option(fc.integer({ min: 0, max: 250 }), { freq: 4 }),
});

const WAVE = 50;

/** A wave of requests to `/ok`, bodies read: the kind of work one wave does. */
const probe = () =>
  Promise.all(Array.from({ length: WAVE }, () => fetch(`${server.origin}/ok`).then((r) => r.text())));

/** `override` with its deadlines multiplied by `k`. */
function stretched(override: ResilienceRequestOptions, k: number): ResilienceRequestOptions {
  const { timeout, attemptTimeout } = override;
  return {
    ...override,
    ...(typeof timeout === 'number' ? { timeout: timeout * k } : {}),
    ...(typeof attemptTimeout === 'number' ? { attemptTimeout: attemptTimeout * k } : {}),
  };
}

describe.each(CLIENTS)('outcomes through $name', ({ name, make }) => {
  it('200 calls over random chaos paths each end in a documented outcome', async () => {
    const seen = new Map<string, number>();
    const k = (await timeUnit(probe, 100)) / 100;
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 200, maxLength: 200 }), async (calls) => {
        // One pipeline for the whole run: its breaker and budget see every call.
        const get = make({
          timeout: 300 * k,
          attemptTimeout: 100 * k,
          retry: { backoff: () => 5 },
          circuitBreaker: { failureThreshold: 15, recoveryTimeout: 30 * k },
        });
        for (let i = 0; i < calls.length; i += WAVE) {
          await Promise.all(
            calls.slice(i, i + WAVE).map(async ({ path, override, abortAfter }) => {
              const caller = new AbortController();
              const reason = new Error('caller gave up');
              const timer =
                abortAfter === null ? undefined : setTimeout(() => caller.abort(reason), abortAfter * k);
              const init = {
                signal: caller.signal,
                ...(override ? { resilience: stretched(override, k) } : {}),
              };
              const [settled] = await Promise.allSettled([get(`${server.origin}${path}`, init)]);
              clearTimeout(timer);
              if (settled!.status === 'fulfilled') await settled!.value.body?.cancel();
              const outcome = classify(settled!, reason);
              expect(outcome, `${name} ${path} ${JSON.stringify(override)}`).not.toMatch(/^undocumented/);
              seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
            }),
          );
        }
      }),
      { numRuns: 1, endOnFailure: true, seed: Number(process.env.CHAOS_SEED ?? 20_260_101) },
    );
    if (process.env.CHAOS_REPORT) console.log(name, Object.fromEntries(seen));
    // The mix really was a mix: the main kinds of outcome all came up.
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining(['TimeoutError', 'caller-abort', 'response 200']),
    );
    expect(seen.size).toBeGreaterThanOrEqual(6);
    await server.waitForIdle(2_000);
  });
});
