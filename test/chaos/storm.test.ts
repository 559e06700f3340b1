import { describe, expect, it } from 'vitest';
import type { ResilienceEvent } from '../../src/events.ts';
import { resilientFetch } from '../../src/resilient-fetch.ts';
import { useChaosServer } from '../helpers/chaos-server.ts';
import { steppedClock } from '../helpers/fake-clock.ts';
import { CLIENTS, classify } from './clients.ts';

// An outage must not turn into a storm: the retry budget and the breaker keep the load near one attempt per
// call (the SRE book's bound without them is just below 3× with 3 attempts per call).

const server = useChaosServer();

const N = 200;
const report = (line: string) => process.env.CHAOS_REPORT && console.log(line);

/** Sends N calls at once to an always-503 path and returns the server hits and the outcomes. */
async function storm(get: (url: string) => Promise<Response>, path: string) {
  server.resetCounts();
  const settled = await Promise.allSettled(Array.from({ length: N }, () => get(`${server.origin}${path}`)));
  const outcomes = new Map<string, number>();
  for (const s of settled) {
    if (s.status === 'fulfilled') await s.value.body?.cancel();
    const outcome = classify(s);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  return { hits: server.hits.get(path) ?? 0, peak: server.peakInFlight, outcomes };
}

describe.each(CLIENTS)('outage through $name', ({ name, make }) => {
  it(`${N} concurrent calls against an always-503 origin stay well below 3× the load`, async () => {
    const { hits, peak, outcomes } = await storm(make({}), '/status/503');
    report(
      `${name}, defaults: ${N} calls -> ${hits} server hits (peak ${peak} open), ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    // Every first attempt was admitted before any failure came back; once the circuit opened, retry asked the
    // breaker before waiting and ended each call with the 503 it had (API.md: an open circuit never hides a
    // real answer): no call that reached the server ends with a CircuitOpenError.
    expect(hits).toBeGreaterThanOrEqual(N);
    expect(hits).toBeLessThanOrEqual(1.25 * N);
    expect(Object.fromEntries(outcomes)).toEqual({ 'response 503': N });
  });

  it('without a breaker the budget alone keeps it near 1.6× (100 reserve + 10% of the calls)', async () => {
    const { hits, outcomes } = await storm(make({ circuitBreaker: false }), '/status/503');
    report(
      `${name}, no breaker: ${N} calls -> ${hits} server hits, ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    expect(hits).toBeLessThanOrEqual(N + 100 + 0.1 * N);
    expect(outcomes.get('response 503')).toBe(N);
  });
});

describe('a flapping origin', () => {
  it('opens the circuit while it fails and closes it again after recoveryTimeout', async () => {
    const events: ResilienceEvent[] = [];
    // The recovery runs on a stepped clock: on a loaded machine 30 real ms may pass between two calls.
    const clock = steppedClock();
    const fetch = resilientFetch({
      retry: false,
      circuitBreaker: { failureThreshold: 2, recoveryTimeout: 30, clock },
      onEvent: (e) => events.push(e),
    });
    server.resetCounts();
    // /flap/4: 4 answers 200, then 4 answers 503, and so on.
    const statuses: string[] = [];
    for (let i = 0; i < 40 && statuses.filter((s) => s === 'response 200').length < 8; i++) {
      const [settled] = await Promise.allSettled([fetch(`${server.origin}/flap/4`)]);
      if (settled!.status === 'fulfilled') await settled!.value.body?.cancel();
      statuses.push(classify(settled!));
      // Refused calls wait out the recovery timeout, as a caller honouring retryAfter would.
      if (statuses.at(-1) === 'CircuitOpenError') clock.time += 35;
    }
    const transitions = events
      .filter((e) => e.type === 'circuit-state')
      .map((e) => `${(e as { from: string }).from}>${(e as { to: string }).to}`);
    expect(transitions).toEqual(
      expect.arrayContaining(['closed>open', 'open>half-open', 'half-open>closed']),
    );
    expect(fetch.circuitBreaker!.state(server.origin)).toBe('closed');
    // While open, the origin was spared: the two failures that opened it, then one trial per recovery.
    expect(statuses).toContain('CircuitOpenError');
    expect(server.hits.get('/flap/4')).toBeLessThan(statuses.length);
  });
});
