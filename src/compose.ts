import type { FetchLike, Middleware } from './types.ts';

/**
 * Chains middleware into one: `compose(a, b)(transport)` is `a(b(transport))`, so the first is outermost.
 * A middleware may call its `next` more than once (retry does).
 *
 * @throws {TypeError} when any argument is not a function, naming its position.
 * @example
 * ```ts
 * const fetchWithRetry = compose(timeout(30_000), retry(), timeout(10_000))(globalThis.fetch);
 * ```
 */
export function compose(...middleware: Middleware[]): Middleware {
  middleware.forEach((m, i) => {
    if (typeof m !== 'function') {
      throw new TypeError(`compose: middleware at position ${i} must be a function, got ${typeof m}`);
    }
  });
  return function composed(next: FetchLike): FetchLike {
    if (typeof next !== 'function') {
      throw new TypeError(`compose: the transport must be a function, got ${typeof next}`);
    }
    return middleware.reduceRight<FetchLike>((inner, m) => m(inner), next);
  };
}
