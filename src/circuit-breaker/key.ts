/**
 * The default circuit key: the URL's origin, `scheme://host[:port]` lower-cased, cut from the string with one
 * regular expression because `new URL()` costs about a microsecond per call. User info (`user:pass@`) is
 * dropped so credentials never reach a key, an event or an error message; default ports are dropped so
 * `http://a:80` and `http://a` share a circuit (as `new URL()` would have it).
 *
 * A URL without `//` (a relative path in a browser, `data:`, `blob:`) has no host of its own: relative paths
 * share the page's origin when there is one, anything else keys on its scheme.
 */
export function originKey(url: string): string {
  const m = ORIGIN.exec(url);
  if (!m) return noAuthorityKey(url);
  return `${m[1]}://${m[2]}`.toLowerCase().replace(DEFAULT_PORT, '$1$2');
}

/**
 * `scheme://[userinfo@]authority`: the scheme is all before the first `//` (so `blob:https` keys as such), the
 * user info runs to the last `@` of the authority, which ends at `/`, `?`, `#` or `\` (as WHATWG URL reads it).
 */
const ORIGIN = /^([^/]+):\/\/(?:[^/?#\\]*@)?([^/?#\\]*)/;

/** A key ending in the port `new URL()` drops for its scheme: the key before it is captured. */
const DEFAULT_PORT = /^(https:\/\/.*):443$|^(http:\/\/.*):80$/;

function noAuthorityKey(url: string): string {
  // A scheme: all before the first `:`, which comes before any `/`.
  const scheme = /^[^/:]+:/.exec(url);
  if (scheme) return scheme[0].toLowerCase();
  // A relative URL resolves against the page: `location` exists in browsers and workers only.
  return (globalThis as { location?: { origin?: string } }).location?.origin ?? 'relative';
}
