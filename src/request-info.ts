/**
 * Cheap reads of a fetch call's input: no `new URL()`, no `new Request()`. A `Request`'s fields are read by
 * shape, not `instanceof`, so undici's `Request` and the global one both count: a URL or a string has none of
 * them (`method`, `signal`, `headers`, `url`).
 */

/** The input as a `Request`, for reading a field that only a `Request` has. */
type AsRequest = Partial<Request>;

/** The request URL as a string. */
export function requestUrl(input: string | URL | Request): string {
  return typeof input === 'string' ? input : ((input as AsRequest).url ?? (input as URL).href);
}

/** The request method, upper-cased as fetch normalises it (`init.method` wins over a `Request`'s own). */
export function requestMethod(input: string | URL | Request, init?: RequestInit): string {
  const method = init?.method ?? (input as AsRequest).method ?? 'GET';
  return method.toUpperCase();
}

/** The caller's signal: `init.signal`, else a `Request` input's own signal. */
export function requestSignal(input: string | URL | Request, init?: RequestInit): AbortSignal | undefined {
  return init?.signal ?? (input as AsRequest).signal;
}

/** The headers the request sends: `init.headers` when given, else a `Request` input's own. */
export function requestHeaders(input: string | URL | Request, init?: RequestInit): HeadersInit | undefined {
  return init?.headers ?? (input as AsRequest).headers;
}

/** Whether request headers of any form (those `requestHeaders()` finds) hold `name` (lower case). */
export function hasHeader(headers: HeadersInit | undefined, name: string): boolean {
  if (!headers) return false;
  if (typeof (headers as Headers).has === 'function') return (headers as Headers).has(name);
  return (Array.isArray(headers) ? headers : Object.entries(headers)).some(
    ([key, value]) => value != null && key.toLowerCase() === name,
  );
}
