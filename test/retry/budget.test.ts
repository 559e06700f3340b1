import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBudget } from '../../src/retry/budget.ts';
import { retry } from '../../src/retry/retry.ts';
import { scripted } from '../helpers/fake-transport.ts';

describe('retry budget (arithmetic)', () => {
  it('allows the reserve plus ratio × calls within the window', () => {
    const budget = createBudget({ ratio: 0.1, minRetriesPerSecond: 1, ttl: 10_000 });
    for (let i = 0; i < 100; i++) budget.deposit(0);
    let granted = 0;
    while (budget.withdraw(0)) granted++;
    expect(granted).toBe(10 + 10);
  });

  it('restores the whole reserve after a quiet window', () => {
    const budget = createBudget(undefined);
    let granted = 0;
    while (budget.withdraw(1_000)) granted++;
    expect(granted).toBe(100);
    expect(budget.withdraw(5_000)).toBe(false);
    expect(budget.withdraw(11_000)).toBe(true);
  });

  it('never grants more than reserve + ratio × calls in any window (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(20),
        fc.array(fc.tuple(fc.boolean(), fc.nat(500)), { maxLength: 400 }),
        (ratio, perSecond, steps) => {
          const ttl = 10_000;
          const budget = createBudget({ ratio, minRetriesPerSecond: perSecond, ttl });
          let now = 0;
          let calls = 0;
          let retries = 0;
          for (const [isCall, dt] of steps) {
            now += dt; // all steps fit in 200 s; check the bound over runs shorter than the window only
            if (now >= ttl) break;
            if (isCall) {
              budget.deposit(now);
              calls++;
            } else if (budget.withdraw(now)) retries++;
          }
          return retries <= (perSecond * ttl) / 1000 + ratio * calls + 1e-9;
        },
      ),
    );
  });
});

describe('retry budget (through retry())', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('1000 concurrent calls against an always-failing upstream make at most 1200 attempts', async () => {
    const transport = scripted(503);
    let exhausted = 0;
    const fetch = retry({ onEvent: (e) => void (e.type === 'budget-exhausted' && exhausted++) })(transport);
    const calls = Array.from({ length: 1000 }, () => fetch('http://x.test/'));
    await vi.advanceTimersByTimeAsync(5_000); // the default backoff spreads retries over ~1 s
    const responses = await Promise.all(calls);
    expect(responses.every((r) => r.status === 503)).toBe(true);
    expect(transport.calls.length).toBeGreaterThan(1000);
    expect(transport.calls.length).toBeLessThanOrEqual(1200);
    expect(exhausted).toBeGreaterThan(0);

    // After 10 quiet seconds a call gets all its retries again.
    await vi.advanceTimersByTimeAsync(10_000);
    const before = transport.calls.length;
    const late = fetch('http://x.test/');
    await vi.advanceTimersByTimeAsync(5_000);
    await late;
    expect(transport.calls.length - before).toBe(3);
  });

  it('counts per-request overrides against the same budget; budget: false disables it', async () => {
    const transport = scripted(503);
    const fetch = retry({ budget: { ratio: 0, minRetriesPerSecond: 1, ttl: 1_000 } })(transport);
    const call = fetch('http://x.test/', { resilience: { retry: { limit: 5 } } });
    await vi.advanceTimersByTimeAsync(60_000);
    await call;
    expect(transport.calls).toHaveLength(2); // reserve of 1 retry

    const open = scripted(503);
    const unlimited = retry({ budget: false })(open);
    const all = Array.from({ length: 100 }, () => unlimited('http://x.test/'));
    await vi.advanceTimersByTimeAsync(60_000);
    await Promise.all(all);
    expect(open.calls).toHaveLength(300);
  });
});
