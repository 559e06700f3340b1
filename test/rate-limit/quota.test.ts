// The pure parts of the limiter: what a response announces, and how the per-key count follows answers.
import { describe, expect, it } from 'vitest';
import { announcedQuota, parseRateLimitList, refusalWait } from '../../src/headers/quota.ts';
import { Quota } from '../../src/rate-limit/quota.ts';

const NOW = Date.UTC(2030, 0, 1);
const quota = (headers: Record<string, string>) => announcedQuota(new Headers(headers), NOW);

describe('announcedQuota', () => {
  it('reads the IETF fields, with the limit from the matching policy', () => {
    expect(
      quota({ ratelimit: '"burst";r=3;t=10', 'ratelimit-policy': '"day";q=1000;w=86400, "burst";q=20;w=60' }),
    ).toEqual({ remaining: 3, resetAt: NOW + 10_000, limit: 20 });
  });

  it('of several policies takes the one with the fewest calls left, the later reset on a tie', () => {
    expect(quota({ ratelimit: '"a";r=50;t=1, "b";r=2;t=30' })).toMatchObject({ remaining: 2 });
    expect(quota({ ratelimit: '"a";r=2;t=1, "b";r=2;t=30' })).toMatchObject({ resetAt: NOW + 30_000 });
    // Across header families too.
    expect(
      quota({ ratelimit: '"a";r=9;t=1', 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': '20' }),
    ).toMatchObject({ remaining: 4, resetAt: NOW + 20_000 });
  });

  it('reads X-RateLimit-* with an epoch or a delta reset', () => {
    const epoch = String(NOW / 1000 + 60);
    expect(
      quota({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epoch, 'x-ratelimit-limit': '60' }),
    ).toEqual({ remaining: 0, resetAt: NOW + 60_000, limit: 60 });
    expect(quota({ 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '5' })).toEqual({
      remaining: 7,
      resetAt: NOW + 5_000,
      limit: undefined,
    });
  });

  it("reads OpenAI's request headers with Go durations, not the token ones", () => {
    expect(
      quota({
        'x-ratelimit-remaining-requests': '59',
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '6m0s',
      }),
    ).toEqual({ remaining: 59, resetAt: NOW + 1_000, limit: 60 });
  });

  it("reads the earlier drafts' RateLimit-Remaining/-Reset/-Limit", () => {
    expect(
      quota({ 'ratelimit-remaining': '1', 'ratelimit-reset': '3', 'ratelimit-limit': '10, 10;w=1' }),
    ).toEqual({ remaining: 1, resetAt: NOW + 3_000, limit: 10 });
  });

  it('ignores a count without a reset, malformed values, and cached responses', () => {
    expect(quota({ 'x-ratelimit-remaining': '3' })).toBeUndefined();
    expect(quota({ 'x-ratelimit-remaining': '-1', 'x-ratelimit-reset': '3' })).toBeUndefined();
    expect(quota({ 'x-ratelimit-remaining': '1e3', 'x-ratelimit-reset': '3' })).toBeUndefined();
    expect(quota({ ratelimit: '"a";r=1.5;t=3' })).toBeUndefined();
    expect(quota({ ratelimit: '"a";r=1;t=3,' })).toBeUndefined();
    expect(quota({ ratelimit: '"a";r=1;t=3', age: '12' })).toBeUndefined();
    expect(quota({ ratelimit: '"a";r=1;t=3', age: '0' })).toMatchObject({ remaining: 1 });
  });

  it('parses RateLimit lists with quoted and token names', () => {
    expect(parseRateLimitList('"a\\"b";r=1, tok;q=2;flag')).toEqual([
      { name: 'a"b', params: { r: 1 } },
      { name: 'tok', params: { q: 2, flag: Number.NaN } },
    ]);
  });
});

describe('refusalWait', () => {
  const response = (status: number, headers: Record<string, string>) =>
    new Response(null, { status, headers });
  it('reads Retry-After (or retry-after-ms) on a 429 or 403 only', () => {
    expect(refusalWait(response(429, { 'retry-after': '3' }), NOW)).toBe(3_000);
    expect(refusalWait(response(403, { 'retry-after': '2' }), NOW)).toBe(2_000);
    expect(refusalWait(response(429, { 'retry-after-ms': '250.5' }), NOW)).toBe(251);
    expect(refusalWait(response(503, { 'retry-after': '3' }), NOW)).toBeUndefined();
    expect(refusalWait(response(429, {}), NOW)).toBeUndefined();
  });
});

describe('Quota', () => {
  const announce = (q: Quota, remaining: number, resetIn: number, limit?: number, now = NOW) =>
    q.adopt({ remaining, resetAt: now + resetIn, limit }, now);

  it('counts calls in flight against the remaining quota: 20 at once with 5 left send 5', () => {
    const q = new Quota(Number.POSITIVE_INFINITY, undefined, undefined);
    announce(q, 5, 10_000);
    let sent = 0;
    for (let i = 0; i < 20; i++) {
      if (q.canSend(NOW)) {
        q.take(NOW);
        sent++;
      }
    }
    expect(sent).toBe(5);
    expect(q.available(NOW)).toBe(0);
  });

  it('never raises the count within a window, whatever order the answers come in', () => {
    const q = new Quota(Number.POSITIVE_INFINITY, undefined, undefined);
    announce(q, 5, 10_000);
    for (let i = 0; i < 3; i++) q.take(NOW);
    announce(q, 2, 10_000); // the third answer first
    q.inFlight--;
    announce(q, 4, 10_000); // then the first
    q.inFlight--;
    expect(q.remaining).toBe(2);
    expect(q.available(NOW)).toBe(1);
  });

  it('after the reset sends the announced limit, else is unlimited until an answer says', () => {
    const q = new Quota(Number.POSITIVE_INFINITY, undefined, undefined);
    announce(q, 0, 1_000, 3);
    expect(q.canSend(NOW + 999)).toBe(false);
    expect(q.canSend(NOW + 1_000)).toBe(true);
    expect(q.available(NOW + 1_000)).toBe(3);
    expect(q.resetAt).toBeUndefined();

    const unknown = new Quota(Number.POSITIVE_INFINITY, undefined, undefined);
    announce(unknown, 0, 1_000);
    unknown.roll(NOW + 1_000);
    expect(unknown.available(NOW + 1_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('ignores an answer about a window that has ended', () => {
    const q = new Quota(Number.POSITIVE_INFINITY, undefined, undefined);
    announce(q, 0, 0);
    expect(q.remaining).toBe(Number.POSITIVE_INFINITY);
  });

  it('a rate-limit refusal empties the quota until its Retry-After', () => {
    const q = new Quota(Number.POSITIVE_INFINITY, undefined, undefined);
    q.take(NOW);
    q.settle(new Response(null, { status: 429, headers: { 'retry-after': '2' } }), true, NOW);
    expect(q.canSend(NOW + 1_999)).toBe(false);
    expect(q.canSend(NOW + 2_000)).toBe(true);
    // `learn: false` reads nothing.
    const deaf = new Quota(Number.POSITIVE_INFINITY, undefined, undefined);
    deaf.take(NOW);
    deaf.settle(new Response(null, { status: 429, headers: { 'retry-after': '2' } }), false, NOW);
    expect(deaf.canSend(NOW)).toBe(true);
  });

  it('own quota: each slot comes back interval ms after it was used', () => {
    const q = new Quota(Number.POSITIVE_INFINITY, 2, 1_000);
    q.take(NOW);
    q.take(NOW + 400);
    expect(q.canSend(NOW + 999)).toBe(false);
    expect(q.readyAt(NOW + 500, 0)).toBe(NOW + 1_000);
    expect(q.readyAt(NOW + 500, 1)).toBe(NOW + 1_400);
    expect(q.readyAt(NOW + 500, 2)).toBe(NOW + 2_000);
    expect(q.canSend(NOW + 1_000)).toBe(true);
    expect(q.available(NOW + 1_000)).toBe(1);
    expect(q.idle(NOW + 1_000)).toBe(false); // inFlight
    q.inFlight = 0;
    expect(q.idle(NOW + 1_399)).toBe(false);
    expect(q.idle(NOW + 1_400)).toBe(true);
  });

  it('maxConcurrent bounds the calls in flight', () => {
    const q = new Quota(2, undefined, undefined);
    q.take(NOW);
    q.take(NOW);
    expect(q.canSend(NOW)).toBe(false);
    q.settle(undefined, true, NOW);
    expect(q.canSend(NOW)).toBe(true);
  });
});

describe('Quota: answers without quota headers', () => {
  it('count down within a window, and change nothing after a reset', () => {
    const q = new Quota(Number.POSITIVE_INFINITY, undefined, undefined);
    q.adopt({ remaining: 3, resetAt: NOW + 1_000, limit: 4 }, NOW);
    q.adopt(undefined, NOW);
    expect(q.remaining).toBe(2);
    q.adopt(undefined, NOW + 1_000); // the reset: the limit, and silence keeps it
    expect(q.remaining).toBe(4);
    q.adopt(undefined, NOW + 1_001);
    expect(q.available(NOW + 1_001)).toBe(4);
  });
});
