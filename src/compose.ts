import type { FetchLike, Middleware } from './types.ts';
import { func } from './validate.ts';

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
    func(`compose: middleware at position ${i}`, m, false);
  });
  return function composed(next: FetchLike): FetchLike {
    func('compose: the transport', next, false);
    return middleware.reduceRight<FetchLike>((inner, m) => m(inner), next);
  };
}
