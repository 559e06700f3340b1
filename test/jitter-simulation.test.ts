import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderChart } from '../bench/jitter/chart.ts';
import { EventQueue, mulberry32 } from '../bench/jitter/event-queue.ts';
import { STRATEGIES, simulate } from '../bench/jitter/simulation.ts';

const small = { clients: 20, trials: 10, seed: 42 } as const;

describe('jitter simulation', () => {
  it('full jitter makes fewer calls than un-jittered exponential backoff, and finishes sooner', () => {
    const full = simulate({ ...small, strategy: 'full' });
    const exponential = simulate({ ...small, strategy: 'exponential' });
    expect(full.calls.mean).toBeLessThan(exponential.calls.mean);
    expect(full.time.mean).toBeLessThan(exponential.time.mean);
  });

  it.each(STRATEGIES.map((s) => s.name))('%s: every client succeeds exactly once', (strategy) => {
    const result = simulate({ ...small, strategy });
    expect(result.trials).toHaveLength(small.trials);
    for (const trial of result.trials) {
      expect(trial.successes).toEqual(new Array(small.clients).fill(1));
      // One winner per version: at least one write per client, and the winners are only some of the calls.
      expect(trial.calls).toBeGreaterThanOrEqual(small.clients);
      expect(trial.time).toBeGreaterThan(0);
    }
  });

  it('is deterministic: the same seed gives the same result, another seed another', () => {
    const once = simulate({ ...small, strategy: 'decorrelated' });
    expect(simulate({ ...small, strategy: 'decorrelated' })).toEqual(once);
    expect(simulate({ ...small, seed: 43, strategy: 'decorrelated' }).calls).not.toEqual(once.calls);
  });

  it('with one client there is no contention: one call, one round trip', () => {
    const { calls, time } = simulate({ clients: 1, trials: 5, seed: 1, strategy: 'none' });
    expect(calls.mean).toBe(1);
    expect(time.mean).toBeGreaterThan(20);
    expect(time.mean).toBeLessThan(60);
  });

  it('rejects an unknown strategy and a bad client count', () => {
    expect(() => simulate({ ...small, strategy: 'linear' as never })).toThrow(/unknown strategy "linear"/);
    expect(() => simulate({ ...small, clients: 0, strategy: 'full' })).toThrow(/clients/);
  });
});

describe('event queue and random source', () => {
  it('pops events by time, ties in scheduling order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 })), (times) => {
        const queue = new EventQueue<number>();
        for (const [i, time] of times.entries()) queue.push(time, i);
        const popped: number[] = [];
        for (let next = queue.pop(); next !== undefined; next = queue.pop()) popped.push(next.event);
        const expected = times.map((time, i) => ({ time, i })).sort((a, b) => a.time - b.time || a.i - b.i);
        expect(popped).toEqual(expected.map((e) => e.i));
      }),
    );
  });

  it('mulberry32 is reproducible and stays in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const draws = Array.from({ length: 1_000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1_000 }, () => b()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });
});

describe('jitter chart', () => {
  it('is a self-contained SVG naming every strategy', () => {
    const run = (clients: number) =>
      STRATEGIES.map((s) => simulate({ clients, trials: 2, seed: 1, strategy: s.name }));
    const headline = run(10);
    const svg = renderChart({ headline, sweep: [...run(5), ...headline], trials: 2, seed: 1 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/<script|href=|@import|url\(/);
    for (const s of STRATEGIES) expect(svg).toContain(`>${s.label}</text>`);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });
});
