import { describe, expect, it } from 'vitest';
import { consecutiveStrategy } from '../../src/circuit-breaker/consecutive.ts';
import { samplingStrategy } from '../../src/circuit-breaker/sampling.ts';
import { restoreStrategy, strategySnapshot } from '../../src/circuit-breaker/snapshot.ts';

const T0 = Date.UTC(2030, 0, 1);

describe('consecutiveStrategy', () => {
  it('opens on the threshold-th failure in a row, and a success starts the count again', () => {
    const s = consecutiveStrategy(3);
    expect(s.failure(T0)).toBe(false);
    expect(s.failure(T0)).toBe(false);
    s.success(T0);
    expect(s.failure(T0)).toBe(false);
    expect(s.failure(T0)).toBe(false);
    expect(s.failure(T0)).toBe(true);
  });

  it('persists its count and takes it back', () => {
    const s = consecutiveStrategy(3);
    expect(strategySnapshot(s)).toBeUndefined();
    s.failure(T0);
    s.failure(T0);
    const copy = consecutiveStrategy(3);
    restoreStrategy(copy, JSON.parse(JSON.stringify(strategySnapshot(s))));
    expect(copy.failure(T0)).toBe(true);
    s.reset();
    expect(strategySnapshot(s)).toBeUndefined();
  });

  it('ignores data of another strategy', () => {
    const s = consecutiveStrategy(2);
    restoreStrategy(s, { width: 10, buckets: [] });
    restoreStrategy(s, { consecutive: -1 });
    expect(s.failure(T0)).toBe(false);
  });
});

describe('samplingStrategy', () => {
  const make = () =>
    samplingStrategy({ failureRateThreshold: 0.5, samplingDuration: 10_000, minimumThroughput: 4 });

  it('waits for the minimum throughput before trusting the ratio', () => {
    const s = make();
    expect(s.failure(T0)).toBe(false);
    expect(s.failure(T0)).toBe(false);
    expect(s.failure(T0)).toBe(false);
    expect(s.failure(T0)).toBe(true);
  });

  it('opens when the failure ratio reaches the threshold, not below', () => {
    const s = make();
    s.success(T0);
    s.success(T0);
    s.success(T0);
    expect(s.failure(T0)).toBe(false); // 1/4
    expect(s.failure(T0)).toBe(false); // 2/5
    expect(s.failure(T0)).toBe(true); // 3/6
  });

  it('forgets calls older than the window', () => {
    const s = make();
    for (let i = 0; i < 10; i++) s.success(T0);
    // 10 s later the successes have left the window: three failures alone are below the throughput.
    expect(s.failure(T0 + 10_000)).toBe(false);
    expect(s.failure(T0 + 10_000)).toBe(false);
    expect(s.failure(T0 + 10_000)).toBe(false);
    expect(s.failure(T0 + 10_000)).toBe(true);
  });

  it('keeps calls inside the window (bucket granularity: a tenth of the duration)', () => {
    const s = make();
    for (let i = 0; i < 10; i++) s.success(T0);
    for (let i = 0; i < 9; i++) expect(s.failure(T0 + 8_999)).toBe(false); // 9/19
    expect(s.failure(T0 + 8_999)).toBe(true); // 10/20
  });

  it('holds ten buckets whatever the traffic', () => {
    const s = make();
    for (let i = 0; i < 100_000; i++) s.success(T0 + i * 7);
    const snapshot = strategySnapshot(s) as { buckets: unknown[] };
    expect(snapshot.buckets.length).toBeLessThanOrEqual(10);
  });

  it('persists its window with absolute slots and takes it back; another width is ignored', () => {
    const s = make();
    s.success(T0);
    s.failure(T0 + 1_500);
    s.failure(T0 + 2_500);
    const json = JSON.parse(JSON.stringify(strategySnapshot(s)));
    expect(json.width).toBe(1_000);
    const copy = make();
    restoreStrategy(copy, json);
    expect(copy.failure(T0 + 3_000)).toBe(true); // 3 failures of 4
    const other = samplingStrategy({
      failureRateThreshold: 0.5,
      samplingDuration: 20_000,
      minimumThroughput: 4,
    });
    restoreStrategy(other, json);
    expect(strategySnapshot(other)).toBeUndefined();
    s.reset();
    expect(strategySnapshot(s)).toBeUndefined();
  });
});
