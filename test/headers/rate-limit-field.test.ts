// The IETF RateLimit field is a Structured Field list (RFC 9651): members, optional whitespace around commas,
// parameters with optional spaces after `;`. A malformed field is ignored as a whole (httpapi ratelimit draft).
import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseRateLimitField } from '../../src/headers/rate-limit.ts';
import { serverRequestedWait } from '../../src/headers/server-wait.ts';

describe('parseRateLimitField: the grammar', () => {
  it.each([
    ['  "a";r=0;t=5', 5_000],
    ['"a"; r=0; t=5', 5_000],
    ['"a";r=0;t=5 ,  "b";r=0;t=6', 6_000],
    ['"a";r=0;t=10, "b";r=0;t=5', 10_000],
    ['"a";r=0;t=0', 0],
    ['"es\\"c";r=0;t=5', 5_000],
    ['*star;r=0;t=5', 5_000],
    ['"a";r=0;t=5;q="x;y,z"', 5_000],
    ['"a";r=0;t=5;flag', 5_000],
  ])('%j → %s', (field, ms) => {
    expect(parseRateLimitField(field)).toBe(ms);
  });

  it.each([
    '',
    '   ',
    '"a";r=0;t=5,',
    '"a";r=0;t=5, ',
    '"a";r=0;t=5 x',
    '"a";r=0;t=5;;',
    '"unterminated;r=0;t=5',
    '1bad;r=0;t=5',
    '"a";r=0',
    '"a";r=0;t=-1',
    '"a";r=0;t=1.5',
    '"a";r=0;t="5"',
    '"a";r=0;t=?1',
    '"a";r=0;t=five',
    '"a";R=0;T=5',
  ])('ignores %j', (field) => {
    expect(parseRateLimitField(field)).toBeUndefined();
  });

  it('accepts byte-sequence parameters (RFC 9651 §3.3.5), which are valid Structured Field values', () => {
    expect(parseRateLimitField('"default";r=0;t=7;pk=:cHJlc2VydmU=:')).toBe(7_000);
    expect(parseRateLimitField('"a";pk=:YWJj:;r=0;t=2, "b";r=0;t=5;pk=::')).toBe(5_000);
    // An unterminated byte sequence is malformed: the whole field is ignored.
    expect(parseRateLimitField('"default";r=0;t=7;pk=:cHJl')).toBeUndefined();
  });

  it('ignores a field longer than 1 KB', () => {
    const long = `"a";r=0;t=5${', "b";r=1;t=1'.repeat(90)}`;
    expect(long.length).toBeGreaterThan(1024);
    expect(parseRateLimitField(long)).toBeUndefined();
    expect(parseRateLimitField(long.slice(0, 11 + 13 * 70))).toBe(5_000);
  });
});

describe('serverRequestedWait: quota headers', () => {
  const wait = (headers: Record<string, string>) =>
    serverRequestedWait(new Headers(headers), Date.UTC(2030, 0, 1));

  it('honours a reset when the remaining header is not a whole number', () => {
    expect(wait({ 'x-ratelimit-reset': '3', 'x-ratelimit-remaining': '5x' })).toBe(3_000);
    expect(wait({ 'x-ratelimit-reset': '3', 'x-ratelimit-remaining': 'x5' })).toBe(3_000);
    expect(wait({ 'x-ratelimit-reset': '3', 'x-ratelimit-remaining': '0' })).toBe(3_000);
    expect(wait({ 'ratelimit-reset': '3', 'ratelimit-remaining': '2' })).toBeUndefined();
  });

  it('reads decimal reset values and ignores malformed or oversized ones', () => {
    expect(wait({ 'x-ratelimit-reset': '1.25' })).toBe(1_250);
    expect(wait({ 'x-ratelimit-reset': '1.' })).toBeUndefined();
    expect(wait({ 'x-ratelimit-reset': '1e3' })).toBeUndefined();
    expect(wait({ 'retry-after-ms': '1'.repeat(33) })).toBeUndefined();
    expect(wait({ 'retry-after-ms': '1.2.3' })).toBeUndefined();
  });

  it('takes the larger Go duration, whichever header carries it, and only from exhausted quotas', () => {
    expect(wait({ 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-reset-tokens': '1s' })).toBe(2_000);
    expect(wait({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '2s' })).toBe(2_000);
    expect(
      wait({
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-reset-tokens': '9s',
        'x-ratelimit-remaining-tokens': '100',
      }),
    ).toBe(1_000);
    expect(wait({ 'x-ratelimit-reset-requests': 'soon', 'x-ratelimit-reset-tokens': '3s' })).toBe(3_000);
  });

  it('ignores a Go duration longer than 64 characters', () => {
    expect(parseGoDuration('1s'.repeat(32))).toBe(32_000);
    expect(parseGoDuration('1s'.repeat(33))).toBeUndefined();
    expect(parseGoDuration(null)).toBeUndefined();
  });
});
