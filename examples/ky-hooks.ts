// ky keeps its own retry loop; this package's hooks drive it: a circuit breaker per origin, our backoff,
// Retry-After rules and retry budget.
import ky from 'ky';
import { kyHooks } from 'resilient-fetch/ky';

export async function main(origin: string): Promise<string> {
  const api = ky.create({ prefix: origin, ...kyHooks({ retry: { limit: 3 } }) });
  return api.get('flaky').text();
}
