/**
 * Cheap reads of a fetch call's input: no `new URL()`, no `new Request()`. `Request` is recognised by shape,
 * not `instanceof`, so undici's `Request` and the global one both count.
 */

function isRequest(input: string | URL | Request): input is Request {
  return typeof input === 'object' && 'method' in input && 'signal' in input;
}

/** The request URL as a string. */
export function requestUrl(input: string | URL | Request): string {
  // A URL has no `url`, a Request no `href`.
  return typeof input === 'string' ? input : ((input as Request).url ?? (input as URL).href);
}

/** The request method, upper-cased as fetch normalises it (`init.method` wins over a `Request`'s own). */
export function requestMethod(input: string | URL | Request, init?: RequestInit): string {
  const method = init?.method ?? (isRequest(input) ? input.method : 'GET');
  return method.toUpperCase();
}

/** The caller's signal: `init.signal`, else a `Request` input's own signal. */
export function requestSignal(input: string | URL | Request, init?: RequestInit): AbortSignal | undefined {
  return init?.signal ?? (isRequest(input) ? input.signal : undefined);
}

/** The headers the request sends: `init.headers` when given, else a `Request` input's own. */
export function requestHeaders(input: string | URL | Request, init?: RequestInit): HeadersInit | undefined {
  return init?.headers ?? (isRequest(input) ? input.headers : undefined);
}

/** The value for `name` in request headers of any form (those `requestHeaders()` finds), or `null`. */
export function requestHeader(headers: HeadersInit | undefined, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const wanted = name.toLowerCase();
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [key, value] of entries) if (key.toLowerCase() === wanted) return value ?? null;
  return null;
}

export { isRequest };
