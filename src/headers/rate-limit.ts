/**
 * The rate-limit header families (pure, `now` passed in). `server-wait.ts` puts them in order. Each reset header
 * describes a quota window, sent on every response by some servers: it is ignored when its companion remaining
 * header says quota is left, since then the server is not asking the client to wait for the reset (a GitHub 502
 * would otherwise wait for the hourly reset).
 */

/**
 * 4 to 6 of `serverRequestedWait()`, first usable one wins, each read only when its remaining header is
 * exhausted (absent, zero, or not a whole number): `RateLimit-Reset` (IETF httpapi draft, older form:
 * delay-seconds); `X-RateLimit-Reset` (see `xRateLimitResetIn()`), rounded up; OpenAI's
 * `x-ratelimit-reset-requests` / `-tokens` (Go durations), the larger of the exhausted ones.
 */
export function resetWait(headers: Headers, now: number): number | undefined {
  // The reset header of a family and suffix, or `null` while its remaining header says quota is left.
  const reset = (family: string, suffix = '') =>
    /^\s*\d*[1-9]\d*\s*$/.test(headers.get(`${family}remaining${suffix}`) ?? '')
      ? null
      : headers.get(`${family}reset${suffix}`);
  const seconds = reset('ratelimit-');
  if (seconds && /^\d{1,16}$/.test(seconds)) return +seconds * 1000;
  const x = xRateLimitResetIn(reset('x-ratelimit-'), now);
  if (x !== undefined) return Math.ceil(x);
  const go = Math.max(
    parseGoDuration(reset('x-ratelimit-', '-requests')) ?? -1,
    parseGoDuration(reset('x-ratelimit-', '-tokens')) ?? -1,
  );
  return go < 0 ? undefined : go;
}

/** ms until an `X-RateLimit-Reset` value: epoch seconds when ≥ 1,000,000,000 (GitHub), delta seconds when smaller. */
export function xRateLimitResetIn(value: string | null, now: number): number | undefined {
  const reset = decimal(value);
  // An epoch taken for a delay is a known bug ("retry after 1792152901 seconds"): tell them apart by size.
  if (reset === undefined) return undefined;
  return reset >= 1e9 ? Math.max(0, reset * 1000 - now) : reset * 1000;
}

/** A non-negative decimal number (at most 32 characters), or `undefined`. */
export function decimal(value: string | null): number | undefined {
  if (value === null || value.length > 32 || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return +value;
}

// ms per unit; the two spellings of microseconds (`us`, `µs`) are the one unit not listed.
const GO_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, ns: 1e-6 };
const GO_PART = /(\d+(?:\.\d+)?)(h|ms|m|s|[uµ]s|ns)/g;

/** A Go `time.Duration` string (`1h2m3.5s`, `250ms`, `0s`) in ms, rounded up; `undefined` when malformed. */
export function parseGoDuration(value: string | null): number | undefined {
  if (!value || value.length > 64) return undefined;
  let total = 0;
  // Well-formed when nothing is left once every part is read.
  const rest = value.replace(GO_PART, (_, n: string, unit: string) => {
    total += +n * (GO_UNITS[unit] ?? 1e-3);
    return '';
  });
  return rest ? undefined : Math.ceil(total);
}

// RFC 9651 (Structured Fields), as far as a RateLimit list needs it, one sticky regex per step:
// a member (sf-string or sf-token), each `;key[=value]` parameter (integer, decimal, string, token, boolean or
// byte sequence), then `,` or the end, spaces around.
export const MEMBER = /[ \t]*(?:"(?:[^"\\]|\\.)*"|[A-Za-z*][\w:/!#$%&'*+\-.^`|~]*)/y;
export const PARAM =
  /;[ \t]*([a-z*][a-z\d_\-.*]*)(?:=(-?\d{1,15}(?:\.\d{1,3})?|"(?:[^"\\]|\\.)*"|[A-Za-z*][^;,\s]*|\?[01]|:[A-Za-z\d+/=]*:))?/y;
export const SEPARATOR = /[ \t]*(,|$)/y;

/**
 * The wait from an IETF `RateLimit` field (a Structured Field list, RFC 9651): the largest `t` (seconds) among
 * policies with `r=0`; `undefined` when none is exhausted or the field is malformed.
 */
export function parseRateLimitField(value: string | null): number | undefined {
  if (!value || value.length > 1024) return undefined;
  let i = 0;
  const step = (pattern: RegExp) => {
    pattern.lastIndex = i;
    const match = pattern.exec(value);
    if (match) i = pattern.lastIndex;
    return match;
  };
  let wait = -1;
  let end: RegExpExecArray | null;
  do {
    if (!step(MEMBER)) return undefined;
    const params: Record<string, number> = {};
    // A value that is not an sf-integer or sf-decimal (a string, token or boolean) parses as NaN.
    for (let param = step(PARAM); param; param = step(PARAM)) params[param[1]!] = parseFloat(param[2]!);
    const { r, t } = params;
    if (r === 0) {
      if (!(t! >= 0 && Number.isInteger(t))) return undefined;
      wait = Math.max(wait, t!);
    }
    end = step(SEPARATOR);
    if (!end) return undefined;
  } while (end[1]);
  return wait < 0 ? undefined : wait * 1000;
}
