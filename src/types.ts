/**
 * Any function with the signature of `fetch`: `globalThis.fetch`, undici's `fetch`, a test double, or a chain
 * built with this package. (`string | URL | Request` is `RequestInfo | URL` spelled so that it also resolves
 * in projects without the DOM library.)
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Takes the next fetch and returns a fetch. `compose()` chains them; the first is outermost. */
export type Middleware = (next: FetchLike) => FetchLike;
