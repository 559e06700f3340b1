// Per-request options: every call can tune or switch off a stage of the pipeline.
import { resilientFetch } from 'resilient-fetch';

export async function main(origin: string): Promise<string[]> {
  const fetchWithResilience = resilientFetch({ retry: { limit: 2 }, attemptTimeout: 5_000 });
  const results: string[] = [];

  // More retries and a tighter per-attempt deadline for this one call.
  const report = await fetchWithResilience(`${origin}/report`, {
    resilience: { retry: { limit: 5 }, attemptTimeout: 1_000 },
  });
  results.push(`report: ${report.status}`);

  // A number is the retry limit; `false` switches a stage off for this call.
  const once = await fetchWithResilience(`${origin}/once`, {
    resilience: { retry: false, circuitBreaker: false },
  });
  results.push(`once: ${once.status}`);

  const quick = await fetchWithResilience(`${origin}/quick`, { resilience: { retry: 1, timeout: 2_000 } });
  results.push(`quick: ${quick.status}`);
  return results;
}
