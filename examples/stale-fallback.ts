// Serving stale data: remember the last good answer per URL, and serve it (marked) when the upstream fails.
import { compose, type FallbackContext, fallback, type Middleware, resilientFetch } from 'resilient-fetch';

interface Stored {
  body: ArrayBuffer;
  status: number;
  headers: [string, string][];
}

const urlOf = (input: string | URL | Request) =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

/** Keeps a copy of every successful GET response, per URL (at most `maxEntries`, oldest dropped first). */
export function lastGoodResponse(cache: Map<string, Stored>, maxEntries = 500): Middleware {
  return (next) =>
    async function remember(input, init) {
      const response = await next(input, init);
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      if (response.ok && method.toUpperCase() === 'GET') {
        const url = urlOf(input);
        const body = await response.clone().arrayBuffer();
        cache.delete(url);
        cache.set(url, { body, status: response.status, headers: [...response.headers] });
        if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      }
      return response;
    };
}

/** A `fallback()` handler: the stored copy with `x-stale: 1`, or the failure itself when there is none. */
export function staleFrom(cache: Map<string, Stored>) {
  return ({ input, response, error }: FallbackContext): Response => {
    const stored = cache.get(urlOf(input));
    if (!stored) {
      if (response) return response;
      throw error;
    }
    const headers = new Headers(stored.headers);
    headers.set('x-stale', '1');
    return new Response(stored.body.slice(0), { status: stored.status, headers });
  };
}

export async function main(origin: string): Promise<string[]> {
  const cache = new Map<string, Stored>();
  const api = compose(
    fallback(staleFrom(cache)), // outermost: covers retries and deadlines
    lastGoodResponse(cache),
  )(resilientFetch({ retry: { limit: 1 } }));

  const seen: string[] = [];
  for (let call = 0; call < 2; call++) {
    const response = await api(`${origin}/prices`);
    seen.push(`${response.status} ${response.headers.get('x-stale') ?? 'fresh'} ${await response.text()}`);
  }
  return seen;
}
