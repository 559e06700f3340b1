// ky with this package's pipeline as its fetch: ky's own retry and timeout are off, so nothing doubles.
import ky from 'ky';
import { kyResilience } from 'resilient-fetch/ky';

export async function main(origin: string): Promise<string> {
  const api = ky.create({ prefix: origin, ...kyResilience({ retry: { limit: 3 } }) });
  // `resilience` reaches the pipeline: ky forwards options it does not know to its fetch.
  return api.get('flaky', { resilience: { attemptTimeout: 1_000 } }).text();
}
