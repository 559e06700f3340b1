/**
 * The default circuit key: the URL's origin, `scheme://host[:port]` lower-cased, cut from the string by hand
 * because `new URL()` costs about a microsecond per call. User info (`user:pass@`) is dropped so credentials
 * never reach a key, an event or an error message; default ports are dropped so `http://a:80` and `http://a`
 * share a circuit (as `new URL()` would have it).
 *
 * A URL without `//` (a relative path in a browser, `data:`, `blob:`) has no host of its own: relative paths
 * share the page's origin when there is one, anything else keys on its scheme.
 */
export function originKey(url: string): string {
  const slashes = url.indexOf('//');
  if (slashes === -1 || url.charCodeAt(slashes - 1) !== 58 /* ':' */) return noAuthorityKey(url);
  // Most URLs are already lower case with no user info (a `URL` or `Request` always is): then one slice.
  let plain = true;
  for (let i = 0; i < slashes; i++) if (isUpper(url.charCodeAt(i))) plain = false;
  let end = slashes + 2;
  let at = -1;
  for (; end < url.length; end++) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */ || c === 92 /* \ */) break;
    if (c === 64 /* @ */) at = end;
    else if (isUpper(c)) plain = false;
  }
  const port = defaultPort(url, slashes, end);
  if (plain && at === -1 && port === 0) return end === url.length ? url : url.slice(0, end);
  const scheme = url.slice(0, slashes - 1).toLowerCase();
  const authority = url.slice(at === -1 ? slashes + 2 : at + 1, end - port).toLowerCase();
  return `${scheme}://${authority}`;
}

const isUpper = (c: number) => c >= 65 && c <= 90;

/** The length of a default port suffix (`:443` after https, `:80` after http) ending at `end`, else 0. */
function defaultPort(url: string, slashes: number, end: number): number {
  const scheme = slashes - 1; // length of the scheme before ':'
  if (scheme === 5 && url.endsWith(':443', end) && /^https$/i.test(url.slice(0, 5))) return 4;
  if (scheme === 4 && url.endsWith(':80', end) && /^http$/i.test(url.slice(0, 4))) return 3;
  return 0;
}

function noAuthorityKey(url: string): string {
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon > 0 && (slash === -1 || colon < slash)) return url.slice(0, colon + 1).toLowerCase();
  // A relative URL resolves against the page: `location` exists in browsers and workers only.
  return (globalThis as { location?: { origin?: string } }).location?.origin ?? 'relative';
}
