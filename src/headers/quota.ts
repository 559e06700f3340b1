import { MEMBER, PARAM, parseGoDuration, SEPARATOR, xRateLimitResetIn } from './rate-limit.ts';
import { explicitWait } from './server-wait.ts';

/** A quota a response announced: `remaining` calls until `resetAt` (epoch ms), of `limit` per window when known. */
export interface AnnouncedQuota {
  remaining: number;
  resetAt: number;
  limit: number | undefined;
}

const COUNT = /^\d{1,15}$/;
const count = (value: string | null | undefined) =>
  value != null && COUNT.test(value) ? Number(value) : undefined;

/**
 * The most restrictive quota a response announces, from every header family that carries a remaining count
 * together with its reset (a count without a reset says nothing about when calls may go again). Pure: `now`
 * is passed in.
 *
 * - IETF `RateLimit: "p";r=<remaining>;t=<seconds>` with `RateLimit-Policy: "p";q=<quota>;w=<seconds>`
 *   (httpapi ratelimit draft -10), and the earlier drafts' `RateLimit-Remaining`/`-Reset`/`-Limit`;
 * - `X-RateLimit-Remaining` with `X-RateLimit-Reset` (epoch seconds when ≥ 1,000,000,000, as GitHub sends it,
 *   delta seconds when smaller) and `X-RateLimit-Limit`;
 * - OpenAI's `x-ratelimit-remaining-requests` with `x-ratelimit-reset-requests` (a Go duration) and
 *   `x-ratelimit-limit-requests` (the `-tokens` family counts tokens, not calls).
 *
 * Of several policies the one with the fewest calls left counts, the later reset on a tie. A response served
 * from a cache (`Age` above 0) describes the past and is ignored (httpapi ratelimit draft, §"Caching").
 */
export function announcedQuota(headers: Headers, now: number): AnnouncedQuota | undefined {
  let best: AnnouncedQuota | undefined;
  const offer = (remaining: number | undefined, resetIn: number | undefined, limit: number | undefined) => {
    if (remaining === undefined || resetIn === undefined || !(resetIn >= 0)) return;
    const resetAt = now + Math.ceil(resetIn);
    if (
      best === undefined ||
      remaining < best.remaining ||
      (remaining === best.remaining && resetAt > best.resetAt)
    ) {
      best = { remaining, resetAt, limit };
    }
  };

  // Each family's remaining count first: a response without quota headers costs four lookups.
  const field = parseRateLimitList(headers.get('ratelimit'));
  if (field !== undefined) {
    const policies = parseRateLimitList(headers.get('ratelimit-policy'));
    for (const { name, params } of field) {
      const { r, t } = params;
      if (!Number.isInteger(r) || r! < 0) continue;
      const q = policies?.find((policy) => policy.name === name)?.params.q;
      offer(r, Number.isInteger(t) ? t! * 1000 : undefined, Number.isInteger(q) && q! > 0 ? q : undefined);
    }
  }
  const draft = count(headers.get('ratelimit-remaining'));
  if (draft !== undefined) {
    const reset = count(headers.get('ratelimit-reset'));
    offer(
      draft,
      reset === undefined ? undefined : reset * 1000,
      leadingCount(headers.get('ratelimit-limit')),
    );
  }
  const x = count(headers.get('x-ratelimit-remaining'));
  if (x !== undefined) {
    offer(
      x,
      xRateLimitResetIn(headers.get('x-ratelimit-reset'), now),
      count(headers.get('x-ratelimit-limit')),
    );
  }
  const openai = count(headers.get('x-ratelimit-remaining-requests'));
  if (openai !== undefined) {
    offer(
      openai,
      parseGoDuration(headers.get('x-ratelimit-reset-requests')),
      count(headers.get('x-ratelimit-limit-requests')),
    );
  }
  if (best !== undefined && !/^0?$/.test(headers.get('age') ?? '')) return undefined;
  return best;
}

/** The earlier drafts' `RateLimit-Limit: 100, 100;w=60`: the leading number is the quota. */
function leadingCount(value: string | null): number | undefined {
  const n = count(/^\d{1,15}/.exec(value ?? '')?.[0]);
  return n === 0 ? undefined : n;
}

/**
 * The wait a rate-limit refusal asks for, in ms: a 429 (RFC 6585 §4), or a 403 that is a rate-limit answer
 * (GitHub's primary and secondary limits: `x-ratelimit-remaining: 0` or a `Retry-After`), carrying
 * `Retry-After` or `retry-after-ms`. `undefined` for any other response.
 */
export function refusalWait(response: Response, now: number): number | undefined {
  const { status } = response;
  return status === 429 || status === 403 ? explicitWait(response.headers, now) : undefined;
}

/** One member of a RateLimit or RateLimit-Policy list: the policy name, and its numeric parameters. */
export interface RateLimitMember {
  name: string;
  /** Each parameter as a number: `NaN` when its value is a string, token, boolean or byte sequence. */
  params: Record<string, number>;
}

/**
 * An IETF `RateLimit` or `RateLimit-Policy` field (a Structured Field list, RFC 9651) as its members, read
 * with the grammar `parseRateLimitField` uses; `undefined` when absent, longer than 1 KB or malformed (the
 * draft: ignore it as a whole). Kept apart from that function, which the retry stage bundles and which needs
 * only the waits of exhausted policies.
 */
export function parseRateLimitList(value: string | null): RateLimitMember[] | undefined {
  if (!value || value.length > 1024) return undefined;
  const members: RateLimitMember[] = [];
  let at = 0;
  const read = (pattern: RegExp): RegExpExecArray | null => {
    pattern.lastIndex = at;
    const found = pattern.exec(value);
    if (found) at = pattern.lastIndex;
    return found;
  };
  for (;;) {
    const name = read(MEMBER)?.[0].trim();
    if (name === undefined) return undefined;
    const member: RateLimitMember = {
      name: name[0] === '"' ? name.slice(1, -1).replace(/\\(.)/g, '$1') : name,
      params: {},
    };
    for (let p = read(PARAM); p !== null; p = read(PARAM)) member.params[p[1]!] = Number.parseFloat(p[2]!);
    members.push(member);
    const separator = read(SEPARATOR);
    if (separator === null) return undefined;
    if (separator[1] === '') return members;
  }
}
