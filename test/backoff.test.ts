import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  constantBackoff,
  decorrelatedJitterBackoff,
  exponentialBackoff,
  linearBackoff,
} from '../src/backoff.ts';

const fixed = (value: number) => () => value;

describe('backoff', () => {
  it('exponential grows by factor up to cap; no jitter is exact', () => {
    const b = exponentialBackoff({ base: 100, factor: 2, cap: 1_000, jitter: 'none' });
    expect([1, 2, 3, 4, 5, 6].map((n) => b(n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('full jitter scales the whole delay, equal jitter keeps half', () => {
    const full = exponentialBackoff({ base: 100, jitter: 'full', random: fixed(0.25) });
    const equal = exponentialBackoff({ base: 100, jitter: 'equal', random: fixed(0.25) });
    expect(full(3)).toBe(100);
    expect(equal(3)).toBe(250);
    expect(exponentialBackoff({ random: fixed(0.999) })(1)).toBeCloseTo(299.7);
  });

  it('linear adds step per retry', () => {
    const b = linearBackoff({ base: 200, step: 50, jitter: 'none', cap: 300 });
    expect([1, 2, 3, 4].map((n) => b(n))).toEqual([200, 250, 300, 300]);
    expect(linearBackoff({ base: 100, jitter: 'none' })(3)).toBe(300);
  });

  it('constant waits the same, unjittered by default', () => {
    const b = constantBackoff({ delay: 250 });
    expect([1, 2, 9].map((n) => b(n))).toEqual([250, 250, 250]);
    expect(constantBackoff({ delay: 200, jitter: 'full', random: fixed(0.5) })(1)).toBe(100);
  });

  it('decorrelated grows from the previous delay within [base, 3·previous], capped', () => {
    const low = decorrelatedJitterBackoff({ base: 100, cap: 10_000, random: fixed(0) });
    const high = decorrelatedJitterBackoff({ base: 100, cap: 10_000, random: fixed(1) });
    expect(low(1)).toBe(100);
    expect(high(1)).toBe(300);
    expect(high(2, { previousDelay: 300 })).toBe(900);
    expect(high(9, { previousDelay: 9_000 })).toBe(10_000);
  });

  it('rejects bad options naming them', () => {
    expect(() => exponentialBackoff({ base: -1 })).toThrow(RangeError);
    expect(() => exponentialBackoff({ factor: 0.5 })).toThrow('exponentialBackoff: factor must be');
    expect(() => exponentialBackoff({ jitter: 'half' as never })).toThrow(
      `exponentialBackoff: jitter must be 'none', 'full' or 'equal', got "half"`,
    );
    expect(() => linearBackoff({ cap: Number.NaN })).toThrow('linearBackoff: cap must be');
    expect(() => constantBackoff({ delay: 2 ** 31 })).toThrow(RangeError);
    expect(() => decorrelatedJitterBackoff({ random: 1 as never })).toThrow(TypeError);
  });

  describe('bounds hold for every input', () => {
    const options = fc.record({
      base: fc.double({ min: 0, max: 2 ** 31 - 1, noNaN: true }),
      cap: fc.double({ min: 0, max: 2 ** 31 - 1, noNaN: true }),
      jitter: fc.constantFrom('none' as const, 'full' as const, 'equal' as const),
      r: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    });
    const attempt = fc.oneof(fc.integer({ min: -5, max: 10_000 }), fc.double());
    const previous = fc.option(fc.double(), { nil: undefined });

    it.each([
      [
        'exponential',
        (o: { base: number; cap: number; jitter: 'none' | 'full' | 'equal'; r: number }) =>
          exponentialBackoff({ ...o, factor: 3, random: fixed(o.r) }),
      ],
      [
        'linear',
        (o: { base: number; cap: number; jitter: 'none' | 'full' | 'equal'; r: number }) =>
          linearBackoff({ ...o, random: fixed(o.r) }),
      ],
      [
        'constant',
        (o: { base: number; cap: number; jitter: 'none' | 'full' | 'equal'; r: number }) =>
          constantBackoff({ delay: o.base, jitter: o.jitter, random: fixed(o.r) }),
      ],
      [
        'decorrelated',
        (o: { base: number; cap: number; jitter: 'none' | 'full' | 'equal'; r: number }) =>
          decorrelatedJitterBackoff({ base: o.base, cap: o.cap, random: fixed(o.r) }),
      ],
    ])('%s: finite, ≥ 0, ≤ cap and ≤ 2^31−1', (name, make) => {
      fc.assert(
        fc.property(options, attempt, previous, (o, n, prev) => {
          const delay = make(o)(n, { previousDelay: prev });
          expect(Number.isFinite(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(2 ** 31 - 1);
          if (name !== 'constant') expect(delay).toBeLessThanOrEqual(o.cap);
        }),
      );
    });
  });
});
