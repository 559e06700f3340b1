import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseRateLimitField } from '../../src/headers/rate-limit.ts';
import { serverRequestedWait } from '../../src/headers/server-wait.ts';

const NOW = 1_800_000_000_000;
const wait = (headers: Record<string, string>, now = NOW) => serverRequestedWait(new Headers(headers), now);

describe('serverRequestedWait', () => {
  it('returns undefined when nothing asks for a wait', () => {
    expect(wait({})).toBeUndefined();
    expect(wait({ 'retry-after': 'soon' })).toBeUndefined();
  });

  it('prefers Retry-After over every rate-limit header', () => {
    expect(wait({ 'retry-after': '3', 'retry-after-ms': '100', ratelimit: '"d";r=0;t=30' })).toBe(3_000);
  });

  it('reads retry-after-ms, rounding up', () => {
    expect(wait({ 'retry-after-ms': '250' })).toBe(250);
    expect(wait({ 'retry-after-ms': '1.2' })).toBe(2);
    expect(wait({ 'retry-after-ms': '-5' })).toBeUndefined();
  });

  it('reads the RateLimit field: the largest t among exhausted policies', () => {
    expect(wait({ ratelimit: '"default";r=0;t=30' })).toBe(30_000);
    expect(wait({ ratelimit: '"burst";r=0;t=1, "day";r=0;t=600' })).toBe(600_000);
    expect(wait({ ratelimit: '"burst";r=5;t=1, "day";r=0;t=60' })).toBe(60_000);
    expect(wait({ ratelimit: 'default;r=0;t=7' })).toBe(7_000);
    // Quota left: the field asks for no wait.
    expect(wait({ ratelimit: '"default";r=10;t=30' })).toBeUndefined();
  });

  it('ignores a malformed RateLimit field and falls through', () => {
    for (const field of [
      '"default";r=0;t=-3',
      '"default;r=0;t=3',
      '"a";r=0;t=1,',
      'r=0;t=1.5.1',
      '"a";r=0;t=1.5',
    ]) {
      expect(wait({ ratelimit: field })).toBeUndefined();
    }
    expect(wait({ ratelimit: 'garbage!!', 'ratelimit-reset': '4' })).toBe(4_000);
  });

  it('reads RateLimit-Reset as delta seconds unless quota remains', () => {
    expect(wait({ 'ratelimit-reset': '12' })).toBe(12_000);
    expect(wait({ 'ratelimit-reset': '12', 'ratelimit-remaining': '0' })).toBe(12_000);
    expect(wait({ 'ratelimit-reset': '12', 'ratelimit-remaining': '7' })).toBeUndefined();
    expect(wait({ 'ratelimit-reset': '1.5' })).toBeUndefined();
  });

  it('reads X-RateLimit-Reset as epoch seconds from 1e9 and as delta seconds below', () => {
    expect(wait({ 'x-ratelimit-reset': String(NOW / 1000 + 42) })).toBe(42_000);
    expect(wait({ 'x-ratelimit-reset': String(NOW / 1000 - 42) })).toBe(0);
    expect(wait({ 'x-ratelimit-reset': '42' })).toBe(42_000);
    expect(wait({ 'x-ratelimit-reset': '999999999' })).toBe(999_999_999_000);
    expect(wait({ 'x-ratelimit-reset': '1000000000' }, 999_999_990_000)).toBe(10_000);
    expect(wait({ 'x-ratelimit-reset': '42', 'x-ratelimit-remaining': '4999' })).toBeUndefined();
  });

  it('reads Go-duration reset headers, the larger of requests and tokens', () => {
    expect(wait({ 'x-ratelimit-reset-requests': '6m0s' })).toBe(360_000);
    expect(wait({ 'x-ratelimit-reset-requests': '1.5s', 'x-ratelimit-reset-tokens': '250ms' })).toBe(1_500);
    expect(
      wait({
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-remaining-requests': '3',
        'x-ratelimit-reset-tokens': '250ms',
      }),
    ).toBe(250);
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['6m0s', 360_000],
    ['1.5s', 1_500],
    ['250ms', 250],
    ['1h2m3s', 3_723_000],
    ['0s', 0],
    ['1500us', 2],
    ['10ns', 1],
  ])('%s → %d ms', (value, ms) => {
    expect(parseGoDuration(value)).toBe(ms);
  });

  it.each(['', '5', 's', '1.s', '-1s', '1d', '1s ', ' 1s'])('rejects %j', (value) => {
    expect(parseGoDuration(value)).toBeUndefined();
  });
});

describe('rate-limit parsing (properties)', () => {
  const isMs = (ms: number | undefined) => ms === undefined || (Number.isInteger(ms) && ms >= 0);
  const names = [
    'retry-after',
    'retry-after-ms',
    'ratelimit',
    'ratelimit-reset',
    'ratelimit-remaining',
    'x-ratelimit-reset',
    'x-ratelimit-remaining',
    'x-ratelimit-reset-requests',
    'x-ratelimit-reset-tokens',
  ];
  const token = fc.stringMatching(/^[ -~]{0,40}$/);

  it('never throws; the result is undefined or a finite integer ≥ 0', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...names), token),
        fc.integer({ min: 0, max: 4e12 }),
        (h, now) => isMs(serverRequestedWait(new Headers(h), now)),
      ),
    );
  });

  it('the RateLimit field parser and the Go duration parser never throw', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => isMs(parseRateLimitField(s))));
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => isMs(parseGoDuration(s))));
  });

  it('round-trips formatted RateLimit fields and durations', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5), fc.nat(1e6)), { minLength: 1, maxLength: 5 }), (policies) => {
        const field = policies.map(([r, t], i) => `"p${i}";r=${r};t=${t}`).join(', ');
        const exhausted = policies.filter(([r]) => r === 0).map(([, t]) => t * 1000);
        const expected = exhausted.length ? Math.max(...exhausted) : undefined;
        return parseRateLimitField(field) === expected;
      }),
    );
    fc.assert(
      fc.property(fc.nat(99), fc.nat(59), fc.nat(59), fc.nat(999), (h, m, s, ms) => {
        return parseGoDuration(`${h}h${m}m${s}s${ms}ms`) === ((h * 60 + m) * 60 + s) * 1000 + ms;
      }),
    );
  });
});
