import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import { snapshotBreaker } from '../../src/circuit-breaker/snapshot.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { networkError, scripted } from '../helpers/fake-transport.ts';

describe('circuitBreaker: bounded registry', () => {
  it('stays within maxCircuits (default 1000) under 100k distinct origins', async () => {
    const breaker = circuitBreaker({ clock: fakeClock() });
    const fetch = breaker(scripted(200, networkError()));
    let peak = 0;
    for (let i = 0; i < 100_000; i++) {
      await fetch(`https://host${i}.test/`).catch(() => {});
      peak = Math.max(peak, breaker.size);
    }
    expect(peak).toBe(1_000);
    expect(snapshotBreaker(breaker).circuits.length).toBeLessThanOrEqual(1_000);
  });

  it('drops closed idle circuits first, keeping open, cooling-down, busy and often-used ones', async () => {
    const clock = fakeClock();
    const breaker = circuitBreaker({ clock, maxCircuits: 10, failureThreshold: 1_000 });
    let failBusy!: (error: Error) => void;
    const fetch = breaker(
      scripted((input) => {
        const url = String(input);
        if (url.includes('busy')) return new Promise<Response>((_, reject) => (failBusy = reject));
        if (url.includes('cooling'))
          return new Response(null, { status: 429, headers: { 'retry-after': '30' } });
        return new Response(null, { status: url.includes('hot') ? 500 : 200 });
      }),
    );
    breaker.open('https://open.test');
    const busy = fetch('https://busy.test/');
    await fetch('https://cooling.test/');
    for (let i = 0; i < 100; i++) {
      await fetch(`https://cold${i}.test/`);
      await fetch('https://hot.test/');
    }
    expect(breaker.size).toBe(10);
    const kept = snapshotBreaker(breaker).circuits;
    expect(kept.find((c) => c.key === 'https://open.test')).toMatchObject({ state: 'open' });
    expect(kept.find((c) => c.key === 'https://cooling.test')?.coolDownUntil).toBe(clock.time + 30_000);
    expect(kept.find((c) => c.key === 'https://hot.test')?.strategy).toEqual({ consecutive: 100 });
    breaker.isolate('https://iso.test');
    failBusy(networkError());
    await busy.catch(() => {});
    expect(snapshotBreaker(breaker).circuits.find((c) => c.key === 'https://busy.test')?.strategy).toEqual({
      consecutive: 1,
    });
  });

  it('never drops an isolated circuit', async () => {
    const breaker = circuitBreaker({ clock: fakeClock(), maxCircuits: 5 });
    for (let i = 0; i < 5; i++) breaker.isolate(`https://iso${i}.test`);
    const fetch = breaker(scripted(200));
    for (let i = 0; i < 50; i++) await fetch(`https://h${i}.test/`);
    for (let i = 0; i < 5; i++) expect(breaker.state(`https://iso${i}.test`)).toBe('isolated');
  });

  it('drops the oldest non-isolated circuit when none is idle', async () => {
    const breaker = circuitBreaker({ clock: fakeClock(), maxCircuits: 40 });
    for (let i = 0; i < 100; i++) breaker.open(`https://o${i}.test`);
    expect(breaker.size).toBe(40);
    expect(breaker.state('https://o99.test')).toBe('open');
  });
});
