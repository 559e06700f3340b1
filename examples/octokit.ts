import { Octokit } from '@octokit/rest';
import { type FetchLike, type ResilienceRequestOptions, resilientFetch } from 'resilient-fetch';

// @octokit/rest has no retry plugin, so nothing retries twice. GitHub's rate limits are retried: a primary
// limit (403 or 429 with `x-ratelimit-remaining: 0`) waits until `x-ratelimit-reset`, and gives up at once
// with the 403 when that is further than `maxRetryAfter` (60 s by default; the reset may be an hour away);
// a secondary limit with `retry-after` waits as told. A permission 403 is not retried; a POST (creating an
// issue) is not retried after a 502, which may have created it.
const github = resilientFetch();

export function createOctokit(auth?: string, baseUrl?: string): Octokit {
  return new Octokit({ auth, baseUrl, request: { fetch: github } });
}

/**
 * Octokit drops `request` options it does not know, so `request: { resilience }` never reaches the fetch.
 * Per-call options go through a per-call `request.fetch` instead.
 */
export const withOptions =
  (resilience: ResilienceRequestOptions): FetchLike =>
  (input, init) =>
    github(input, { ...init, resilience });

/** A call that must not wait: one attempt, two seconds at most. */
export async function isPublic(octokit: Octokit, owner: string, repo: string): Promise<boolean> {
  const { data } = await octokit.rest.repos.get({
    owner,
    repo,
    request: { fetch: withOptions({ retry: false, timeout: 2_000 }) },
  });
  return !data.private;
}
