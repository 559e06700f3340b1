// Your own middleware composes with the package's stages: here a header and a logger around retries.
import { compose, type Middleware, retry, timeout } from 'resilient-fetch';

/** Adds a header to every attempt. */
const userAgent =
  (value: string): Middleware =>
  (next) =>
    function withUserAgent(input, init) {
      const headers = new Headers(init?.headers);
      headers.set('user-agent', value);
      return next(input, { ...init, headers });
    };

/** Records each attempt's status: placed inside `retry()`, it sees every attempt. */
const logAttempts =
  (log: string[]): Middleware =>
  (next) =>
    async function logged(input, init) {
      const response = await next(input, init);
      log.push(`${init?.method ?? 'GET'} ${response.status}`);
      return response;
    };

export async function main(origin: string): Promise<string[]> {
  const log: string[] = [];
  const fetchWithLog = compose(
    timeout(10_000), // total deadline
    retry({ limit: 2 }),
    userAgent('example/1.0'),
    logAttempts(log),
    timeout(2_000, { key: 'attemptTimeout' }), // per attempt
  )((input, init) => fetch(input, init));
  await fetchWithLog(`${origin}/flaky`);
  return log;
}
