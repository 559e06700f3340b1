/**
 * Retry-After parsing, RFC 9110 §10.2.3: `Retry-After = HTTP-date / delay-seconds`, `delay-seconds = 1*DIGIT`.
 * Strict on purpose: `"1.5"`, `"-1"`, `"1e3"`, `""` and values with surrounding spaces are not delay-seconds
 * and are ignored rather than guessed at. (fetch's `Headers` already strips the field's surrounding OWS.)
 */

/** Longer than any valid value (the longest HTTP-date, RFC 850 with a Wednesday, is 33 characters). */
const MAX_LENGTH = 64;

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
// Any capitalised three letters: `utc()` looks them up in MONTHS.
const MONTH = '([A-Z][a-z]{2})';
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)';

// RFC 9110 §5.6.7: the three forms a recipient must accept.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d\\d) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(
  `^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\\d\\d)-${MONTH}-(\\d\\d) ${TIME} GMT$`,
);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d\\d) ${TIME} (\\d{4})$`);

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
function parseHttpDate(value: string, now: number): number | undefined {
  const m = IMF_FIXDATE.exec(value) ?? RFC_850.exec(value);
  const a = m ?? ASCTIME.exec(value);
  if (!a) return undefined;
  // Day, month, year, hour, minute, second: asctime writes month, day, time, year.
  const [day, month, year, hour, minute, second] = m ? m.slice(1) : [a[2], a[1], a[6], a[3], a[4], a[5]];
  const y = year!.length === 2 ? fullYear(Number(year), now) : Number(year);
  return utc(y, month!, Number(day), Number(hour), Number(minute), Number(second));
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

function utc(y: number, month: string, d: number, h: number, mi: number, s: number): number | undefined {
  const index = MONTHS.indexOf(month);
  // A leap second (60) is allowed by the grammar; anything else out of range is malformed.
  if (index % 3 || h > 23 || mi > 59 || s > 60 || d < 1) return undefined;
  const mo = index / 3;
  // Date.UTC rolls "31 Feb" over into March: reject it instead.
  if (new Date(Date.UTC(y, mo, d)).getUTCDate() !== d) return undefined;
  return Date.UTC(y, mo, d, h, mi, s);
}
