import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/headers/retry-after.ts';
import { cpuTime } from '../helpers/noise.ts';

const NOW = Date.UTC(1994, 10, 6, 8, 49, 27); // 10 s before Sun, 06 Nov 1994 08:49:37 GMT

describe('parseRetryAfter', () => {
  it('reads delay-seconds as ms', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('999999999')).toBe(999_999_999_000);
  });

  it.each(['1.5', '-1', '1e3', '', ' 12', '12 ', '+5', '0x10', 'soon', '٣'])('rejects %j', (value) => {
    expect(parseRetryAfter(value)).toBeUndefined();
  });

  it('returns undefined for null and undefined', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('reads the three HTTP-date forms of RFC 9110 §5.6.7', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(10_000);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(10_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', NOW)).toBe(10_000);
    expect(parseRetryAfter('Sun Nov 16 08:49:37 1994', NOW)).toBe(10 * 86_400_000 + 10_000);
  });

  it('reads a two-digit year more than 50 years ahead as the past century', () => {
    const now = Date.UTC(2030, 0, 1);
    expect(parseRetryAfter('Monday, 01-Jan-79 00:00:10 GMT', Date.UTC(2079, 0, 1))).toBe(10_000);
    // 2099 would be 69 years ahead of 2030: it means 1999, in the past.
    expect(parseRetryAfter('Friday, 01-Jan-99 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Tuesday, 01-Jan-30 00:00:05 GMT', now)).toBe(5_000);
  });

  it('treats a date in the past as now', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW + 3_600_000)).toBe(0);
  });

  it.each([
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 00 Nov 1994 08:49:37 GMT',
    'Sun, 06 Foo 1994 08:49:37 GMT',
    'Sunday, 06 Nov 1994 08:49:37 GMT',
    'Sun Nov 6 08:49:37 1994',
    '1994-11-06T08:49:37Z',
  ])('rejects the malformed date %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('rejects a 10 KB value fast', () => {
    // CPU time, not wall time: on a loaded machine the process may wait for a core in the middle.
    const spent = cpuTime(() => {
      expect(parseRetryAfter('1'.repeat(10_240))).toBeUndefined();
      expect(parseRetryAfter(`Sun, 06 Nov 1994 08:49:37 GMT${' '.repeat(10_000)}`)).toBeUndefined();
    });
    expect(spent).toBeLessThan(5);
  });

  it('never throws and returns undefined or a finite integer ≥ 0 (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 0, max: 4e12 }), (value, now) => {
        const ms = parseRetryAfter(value, now);
        return ms === undefined || (Number.isInteger(ms) && ms >= 0 && Number.isFinite(ms));
      }),
    );
  });

  it('round-trips any future IMF-fixdate formatted by Date#toUTCString (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2e12 }), fc.integer({ min: 0, max: 1e10 }), (now, ahead) => {
        const at = Math.floor((now + ahead) / 1000) * 1000;
        return parseRetryAfter(new Date(at).toUTCString(), now) === Math.max(0, at - now);
      }),
    );
  });

  it('round-trips any delay-seconds (property)', () => {
    fc.assert(fc.property(fc.nat(), (s) => parseRetryAfter(String(s)) === s * 1000));
  });
});
