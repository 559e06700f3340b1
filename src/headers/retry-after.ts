/**
 * Retry-After parsing, RFC 9110 §10.2.3: `Retry-After = HTTP-date / delay-seconds`, `delay-seconds = 1*DIGIT`.
 * Strict on purpose: `"1.5"`, `"-1"`, `"1e3"`, `""` and values with surrounding spaces are not delay-seconds
 * and are ignored rather than guessed at. (fetch's `Headers` already strips the field's surrounding OWS.)
 */

/** Longer than any valid value (the longest HTTP-date, RFC 850 with a Wednesday, is 33 characters). */
const MAX_LENGTH = 64;

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

// RFC 9110 §5.6.7: the three forms a recipient must accept, IMF-fixdate, RFC 850 and asctime, in one pattern
// that captures day, month, year, hour, minute and second in that order in each (asctime writes month, day,
// time, year: its day and year are captured by lookaheads). The month is any capitalised three letters
// (looked up in MONTHS); a leap second (60) is allowed by the grammar.
const HTTP_DATE =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ([A-Z][a-z]{2}) (\d{4}) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60) GMT|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\d\d)-([A-Z][a-z]{2})-(\d\d) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60) GMT|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?=... ( \d|\d\d))([A-Z][a-z]{2}) ..(?=.{10}(\d{4})) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60) \d{4})$/;

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
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return undefined;
  if (/^\d+$/.test(value)) return +value * 1000;
  // An HTTP-date (RFC 9110 §5.6.7); the weekday name is not checked.
  const m = HTTP_DATE.exec(value);
  if (!m) return undefined;
  // The six fields of the form that matched (each captured field is non-empty).
  const [day, month, year, h, mi, s] = m.slice(1).filter(Boolean);
  let y = +year!;
  // RFC 9110 §5.6.7: a two-digit year that would lie more than 50 years in the future is the most recent past
  // year with those last two digits.
  if (year!.length === 2) {
    const current = new Date(now).getUTCFullYear();
    y += current - (current % 100);
    if (y > current + 50) y -= 100;
  }
  const index = MONTHS.indexOf(month!);
  const d = +day!;
  const mo = index / 3;
  // Date.UTC rolls "31 Feb" over into March and day 0 back into the month before: reject them instead.
  if (index % 3 || new Date(Date.UTC(y, mo, d)).getUTCDate() !== d) return undefined;
  return Math.max(0, Math.ceil(Date.UTC(y, mo, d, +h!, +mi!, +s!) - now));
}
