/**
 * Cheap reads of a fetch call's input: no `new URL()`, no `new Request()`. A `Request`'s fields are read by
 * shape, not `instanceof`, so undici's `Request` and the global one both count: a URL or a string has none of
 * them (`method`, `signal`, `headers`, `url`).
 */

/** The input as a `Request`, for reading a field that only a `Request` has. */
const asRequest = (input: string | URL | Request) => input as Partial<Request>;

/** The request URL as a string. */
export function requestUrl(input: string | URL | Request): string {
  return typeof input === 'string' ? input : (asRequest(input).url ?? (input as URL).href);
}

/** The request method, upper-cased as fetch normalises it (`init.method` wins over a `Request`'s own). */
export function requestMethod(input: string | URL | Request, init?: RequestInit): string {
  const method = init?.method ?? asRequest(input).method ?? 'GET';
  return method.toUpperCase();
}

/** The caller's signal: `init.signal`, else a `Request` input's own signal. */
export function requestSignal(input: string | URL | Request, init?: RequestInit): AbortSignal | undefined {
  return init?.signal ?? asRequest(input).signal;
}

/** The headers the request sends: `init.headers` when given, else a `Request` input's own. */
export function requestHeaders(input: string | URL | Request, init?: RequestInit): HeadersInit | undefined {
  return init?.headers ?? asRequest(input).headers;
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
