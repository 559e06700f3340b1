import { parseRetryAfter } from './retry-after.ts';

/**
 * The wait a server asked for, from a response's headers, in ms. Pure: `now` is passed in.
 * Consulted only for a response whose status is retried. Precedence, first usable one wins:
 *
 * 1. `Retry-After` (RFC 9110 §10.2.3; it takes precedence over RateLimit fields, IETF httpapi ratelimit draft).
 * 2. `retry-after-ms`: a non-negative decimal number of ms, as some API SDKs send.
 * 3. `RateLimit` (IETF httpapi draft -10): a list of policies `"name";r=<remaining>;t=<seconds>`. Only the
 *    exhausted policies (`r=0`) hold the client back, and the client must wait for every one of them, so the
 *    wait is the largest `t` among them. When no policy is exhausted the field asks for no wait. A malformed
 *    field is ignored as a whole, as the draft requires.
 * 4. `RateLimit-Reset`: delay-seconds.
 * 5. `X-RateLimit-Reset`: epoch seconds when ≥ 1,000,000,000 (GitHub), delta seconds when smaller.
 * 6. `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens`: Go durations (`6m0s`, `1.5s`, `250ms`); the
 *    larger of the two.
 *
 * The reset headers (4–6) describe a quota window, sent on every response by some servers: they are ignored
 * when their companion remaining header (`RateLimit-Remaining`, `X-RateLimit-Remaining`,
 * `x-ratelimit-remaining-requests`/`-tokens`) says quota is left, since then the server is not asking the
 * client to wait for the reset (a GitHub 502 would otherwise wait for the hourly reset).
 *
 * @returns a finite integer ≥ 0, or `undefined` when the server asked for nothing usable.
 */
export function serverRequestedWait(headers: Headers, now: number): number | undefined {
  const explicit = explicitWait(headers, now);
  if (explicit !== undefined) return explicit;
  const policy = parseRateLimitField(headers.get('ratelimit'));
  if (policy !== undefined) return policy;
  if (exhausted(headers.get('ratelimit-remaining'))) {
    const reset = headers.get('ratelimit-reset');
    if (reset !== null && /^\d{1,16}$/.test(reset)) return Number(reset) * 1000;
  }
  if (exhausted(headers.get('x-ratelimit-remaining'))) {
    const reset = decimal(headers.get('x-ratelimit-reset'));
    // An epoch taken for a delay is a known bug ("retry after 1792152901 seconds"): tell them apart by size.
    if (reset !== undefined) return Math.ceil(reset >= 1e9 ? Math.max(0, reset * 1000 - now) : reset * 1000);
  }
  let go: number | undefined;
  for (const kind of ['requests', 'tokens']) {
    if (!exhausted(headers.get(`x-ratelimit-remaining-${kind}`))) continue;
    const wait = parseGoDuration(headers.get(`x-ratelimit-reset-${kind}`));
    if (wait !== undefined && (go === undefined || wait > go)) go = wait;
  }
  return go;
}

/**
 * The wait a server named outright (1 and 2 above: `Retry-After`, then `retry-after-ms`), in ms: a statement
 * about the server's state. The reset headers and fields (3–6) describe one quota, so they do not count here.
 */
export function explicitWait(headers: Headers, now: number): number | undefined {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const ms = decimal(headers.get('retry-after-ms'));
  return ms === undefined ? undefined : Math.ceil(ms);
}

/** A remaining-quota header allows a reset wait when it is absent, zero, or not a whole number. */
function exhausted(remaining: string | null): boolean {
  return !/^\s*\d*[1-9]\d*\s*$/.test(remaining ?? '');
}

function decimal(value: string | null): number | undefined {
  if (value === null || value.length > 32 || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return Number(value);
}

const GO_UNITS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  ns: 1e-6,
};
const GO_PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/y;

/** A Go `time.Duration` string (`1h2m3.5s`, `250ms`, `0s`) in ms, rounded up; `undefined` when malformed. */
export function parseGoDuration(value: string | null): number | undefined {
  if (value === null || value.length === 0 || value.length > 64) return undefined;
  GO_PART.lastIndex = 0;
  let total = 0;
  while (GO_PART.lastIndex < value.length) {
    const m = GO_PART.exec(value);
    if (!m) return undefined;
    total += Number(m[1]) * GO_UNITS[m[2]!]!;
  }
  return Math.ceil(total);
}

// RFC 9651 (Structured Fields), as far as a RateLimit list needs it, one sticky regex per step:
// a member (sf-string or sf-token), each `;key[=value]` parameter (integer, decimal, string, token, boolean or
// byte sequence), then `,` or the end, spaces around.
const MEMBER = /[ \t]*(?:"(?:[^"\\]|\\.)*"|[A-Za-z*][\w:/!#$%&'*+\-.^`|~]*)/y;
const PARAM =
  /;[ \t]*([a-z*][a-z\d_\-.*]*)(?:=(-?\d{1,15}(?:\.\d{1,3})?|"(?:[^"\\]|\\.)*"|[A-Za-z*][^;,\s]*|\?[01]|:[A-Za-z\d+/=]*:))?/y;
const SEPARATOR = /[ \t]*(,|$)/y;

/**
 * The wait from an IETF `RateLimit` field (a Structured Field list, RFC 9651): the largest `t` (seconds) among
 * policies with `r=0`; `undefined` when none is exhausted or the field is malformed.
 */
export function parseRateLimitField(value: string | null): number | undefined {
  if (value === null || value.length > 1024) return undefined;
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
    let r: number | undefined;
    let t: number | undefined;
    // A value that is not an sf-integer or sf-decimal (a string, token or boolean) parses as NaN.
    for (let param = step(PARAM); param; param = step(PARAM)) {
      if (param[1] === 'r') r = Number.parseFloat(param[2]!);
      if (param[1] === 't') t = Number.parseFloat(param[2]!);
    }
    if (r === 0) {
      if (!(t! >= 0 && Number.isInteger(t))) return undefined;
      wait = Math.max(wait, t!);
    }
    end = step(SEPARATOR);
    if (!end) return undefined;
  } while (end[1]);
  return wait < 0 ? undefined : wait * 1000;
}
