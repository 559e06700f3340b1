/**
 * Retry-After parsing, RFC 9110 §10.2.3: `Retry-After = HTTP-date / delay-seconds`, `delay-seconds = 1*DIGIT`.
 * Strict on purpose: `"1.5"`, `"-1"`, `"1e3"`, `""` and values with surrounding spaces are not delay-seconds
 * and are ignored rather than guessed at. (fetch's `Headers` already strips the field's surrounding OWS.)
 */

/** Longer than any valid value (the longest HTTP-date, RFC 850 with a Wednesday, is 33 characters). */
const MAX_LENGTH = 64;

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// RFC 9110 §5.6.7: the three forms a recipient must accept.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/**
 * Milliseconds to wait, from a Retry-After value: delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or
 * asctime). A date in the past means "now" (0). Returns `undefined` for a missing or malformed value.
 * The result may be very large: deciding whether to honour it is the caller's job.
 *
 * @param now the current time in ms since the epoch, for dates.
 * @example
 * ```ts
 * parseRetryAfter('120'); // 120_000
 * parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 27)); // 10_000
 * parseRetryAfter('1.5'); // undefined
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = parseHttpDate(value, now);
  return at === undefined ? undefined : Math.max(0, Math.ceil(at - now));
}

/** An HTTP-date (RFC 9110 §5.6.7) as ms since the epoch, or `undefined`. The weekday name is not checked. */
export function parseHttpDate(value: string, now: number): number | undefined {
  let m = IMF_FIXDATE.exec(value);
  if (m) return utc(m[3]!, m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  m = RFC_850.exec(value);
  if (m) return utc(fullYear(Number(m[3]), now), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  m = ASCTIME.exec(value);
  if (m) return utc(m[6]!, m[1]!, m[2]!.trim(), m[3]!, m[4]!, m[5]!);
  return undefined;
}

/**
 * RFC 9110 §5.6.7: a two-digit year that would lie more than 50 years in the future is the most recent past
 * year with those last two digits.
 */
function fullYear(twoDigits: number, now: number): number {
  const current = new Date(now).getUTCFullYear();
  let year = current - (current % 100) + twoDigits;
  if (year > current + 50) year -= 100;
  return year;
}

function utc(
  year: string | number,
  month: string,
  day: string,
  hour: string,
  minute: string,
  second: string,
): number | undefined {
  const y = Number(year);
  const mo = MONTHS.indexOf(month) / 3;
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  // A leap second (60) is allowed by the grammar; anything else out of range is malformed.
  if (h > 23 || mi > 59 || s > 60 || d < 1) return undefined;
  // Date.UTC rolls "31 Feb" over into March: reject it instead.
  if (new Date(Date.UTC(y, mo, d)).getUTCDate() !== d) return undefined;
  return Date.UTC(y, mo, d, h, mi, s);
}
