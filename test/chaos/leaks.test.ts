import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { trackTimers } from '../../bench/soak/probes.ts';
import type { ResilientFetchOptions } from '../../src/resilient-fetch.ts';
import { resilientFetch } from '../../src/resilient-fetch.ts';
import { useChaosServer } from '../helpers/chaos-server.ts';

// No timer and no abort listener outlives a settled call, and no discarded response keeps its socket busy.

const server = useChaosServer();

const PATHS = [
  '/ok',
  '/reset',
  '/stall-headers',
  '/stall-partial-headers',
  '/endless/503',
  '/status/503?h=retry-after:0',
  '/status/429',
  '/fail-then-ok/1',
];

/** Timers started by the package's own code (by stack), still pending: neither fired nor cleared. */
const fromPackage = () => /[\\/]src[\\/]/.test(new Error().stack ?? '');

let timers: ReturnType<typeof trackTimers>;
afterEach(() => timers?.restore());

const activeTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe.each<[string, ResilientFetchOptions, string[]]>([
  ['the standard pipeline', {}, PATHS],
  ['no total deadline (the retry waits listen to the caller)', { timeout: false }, PATHS],
  [
    'a breaker cool-down cut short by the deadline',
    { circuitBreaker: { coolDown: 'wait', failureThreshold: 1_000 } },
    [...PATHS, '/status/503?h=retry-after:1'],
  ],
])('%s', (_name, overrides, paths) => {
  it('leaves no abort listener on a shared caller signal and no pending timer after 120 chaotic calls', async () => {
    const baseline = activeTimeouts();
    timers = trackTimers(fromPackage);
    const fetch = resilientFetch({
      timeout: 300,
      attemptTimeout: 100,
      retry: { backoff: () => 20 },
      ...overrides,
    });
    const caller = new AbortController();
    const signal = caller.signal;
    const peak = { listeners: 0 };
    const watch = setInterval(() => {
      peak.listeners = Math.max(peak.listeners, getEventListeners(signal, 'abort').length);
    }, 5);
    await Promise.allSettled(
      Array.from({ length: 120 }, async (_, i) => {
        const path = paths[i % paths.length]!;
        const response = await fetch(`${server.origin}${path}`, {
          signal,
          // Some calls stop waiting on their own, with a per-request deadline.
          ...(i % 5 === 0 ? { resilience: { timeout: 60 } } : {}),
        });
        await response.body?.cancel();
      }),
    );
    clearInterval(watch);
    expect(peak.listeners).toBeGreaterThan(0); // the calls did listen while they ran
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(timers.started).toBeGreaterThanOrEqual(120); // every call started its deadline timer at least
    expect(timers.pending).toBe(0);
    // No referenced timer is left behind either (getActiveResourcesInfo() lists the referenced ones).
    expect(activeTimeouts()).toBeLessThanOrEqual(baseline);
    await server.waitForIdle(2_000);
  });
});
