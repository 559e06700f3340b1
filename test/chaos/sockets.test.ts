import { describe, expect, it } from 'vitest';
import { constantBackoff } from '../../src/backoff.ts';
import { compose } from '../../src/compose.ts';
import { fallback } from '../../src/fallback.ts';
import { resilientFetch } from '../../src/resilient-fetch.ts';
import { useChaosServer } from '../helpers/chaos-server.ts';
import { timeUnit } from '../helpers/noise.ts';
import { CLIENTS } from './clients.ts';

// A response the pipeline discards (a retried 503, a failure a fallback replaced, an attempt cut by its
// deadline) must not keep its connection busy: the server sees every such response closed.

const server = useChaosServer();

const quick = { retry: { backoff: constantBackoff({ delay: 5 }) }, circuitBreaker: false } as const;

/**
 * An attempt deadline long enough for this machine to deliver headers, so that only the stalled answers meet
 * it: `floor` ms, or more when a loopback request takes over a third of that (test/helpers/noise.ts).
 */
const attemptDeadline = (floor: number) =>
  timeUnit(() => fetch(`${server.origin}/ok`).then((r) => r.text()), floor);

/** Resolves once the server sees at most `n` responses open. */
async function openAtMost(n: number) {
  for (let i = 0; i < 200 && server.inFlight > n; i++) await new Promise((r) => setTimeout(r, 10));
  return server.inFlight;
}

describe.each(CLIENTS)('sockets through $name', ({ name, make }) => {
  it('closes the endless bodies of retried 503s and leaves only the returned one open', async () => {
    // Tagged: a request the previous test gave up on may reach a loaded server only now (chaos-server.ts).
    const tag = `retried-503-${name}`;
    const get = make(quick);
    const url = `${server.origin}/endless/503?t=${tag}`;
    const responses = await Promise.all(Array.from({ length: 5 }, () => get(url)));
    expect(responses.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
    expect(server.tagged(tag).requests).toBe(15);
    // Two discarded responses per call were cancelled; the five returned ones are the caller's to read.
    expect(await openAtMost(5)).toBe(5);
    await Promise.all(responses.map((r) => r.body?.cancel()));
    await server.waitForIdle(2_000);
    expect(server.tagged(tag).abandoned).toBe(15);
  });

  it('closes every attempt cut by its deadline before the headers were complete', async () => {
    server.resetCounts();
    const get = make({ ...quick, timeout: 400, attemptTimeout: 50 });
    const calls = ['/stall-headers', '/stall-partial-headers'].flatMap((p) => [p, p, p]);
    await Promise.allSettled(calls.map((p) => get(`${server.origin}${p}`)));
    await server.waitForIdle(2_000);
    expect(server.abandoned).toBe(server.total);
  });
});

describe('sockets through fallback', () => {
  it('closes the failing body a fallback replaced, and the attempt a deadline cut', async () => {
    const stale = () => new Response('stale copy');
    const attemptTimeout = await attemptDeadline(50);
    const fetch = compose(fallback(stale))(resilientFetch({ ...quick, retry: false, attemptTimeout }));
    const paths = ['/endless/503', '/endless/500', '/stall-headers', '/stall-partial-headers'];
    const answers = await Promise.all(paths.map((path) => fetch(`${server.origin}${path}?t=fallback`)));
    expect(await Promise.all(answers.map((a) => a.text()))).toEqual(Array(4).fill('stale copy'));
    await server.waitForIdle(2_000);
    expect(server.tagged('fallback').abandoned).toBe(4);
  });

  it('a deadline that passes while a body drips does not cut the body; cancelling it frees the socket', async () => {
    server.resetCounts();
    const unit = await attemptDeadline(30);
    const fetch = resilientFetch({ ...quick, timeout: 2 * unit, attemptTimeout: unit });
    const response = await fetch(`${server.origin}/drip/10`);
    await new Promise((r) => setTimeout(r, 2 * unit + 40));
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    await server.waitForIdle(2_000);
  });
});
