import { Octokit } from '@octokit/rest';
import { type FetchLike, resilientFetch } from 'resilient-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiServer,
  failure,
  json,
  printTable,
  type Row,
  showWaits,
  startApi,
  waits,
} from './api-server.ts';

// The real Octokit (@octokit/rest: no retry or throttling plugin), over resilient-fetch, against a loopback
// server that answers as GitHub does: primary rate limits (403 with x-ratelimit-remaining: 0 and an epoch
// x-ratelimit-reset), secondary limits (403 with retry-after), permission 403s, 502s.

const repo = { id: 1, name: 'r', full_name: 'o/r', private: false };
const ok = json(200, repo, { 'x-ratelimit-remaining': '4999' });
const message = (text: string) => ({ message: text, documentation_url: 'https://docs.github.com/rest' });
const quota = (remaining: string, reset: number) => ({
  'x-ratelimit-limit': '5000',
  'x-ratelimit-remaining': remaining,
  'x-ratelimit-reset': String(reset),
  'x-ratelimit-resource': 'core',
});
/** GitHub's primary limit: no quota left until `x-ratelimit-reset`, epoch seconds `inSeconds` from now. */
const primary =
  (inSeconds: number): Parameters<typeof startApi>[0][string][number] =>
  (req, res) =>
    json(
      403,
      message('API rate limit exceeded for user ID 1.'),
      quota('0', Math.ceil(Date.now() / 1000) + inSeconds),
    )(req, res);

let api: ApiServer;
const rows: Row[] = [];
const resets = new Map<string, number>();
beforeAll(async () => {
  api = await startApi({
    primary: [
      (req, res) => {
        const reset = Math.ceil(Date.now() / 1000);
        resets.set('primary', reset * 1000);
        json(403, message('API rate limit exceeded for user ID 1.'), quota('0', reset))(req, res);
      },
      ok,
    ],
    'primary-hour': [primary(3_600), ok],
    secondary: [
      json(403, message('You have exceeded a secondary rate limit.'), {
        'retry-after': '1',
        ...quota('4000', Math.ceil(Date.now() / 1000) + 3_600),
      }),
      ok,
    ],
    permission: [
      json(403, message('Resource not accessible by integration'), { 'x-ratelimit-remaining': '4998' }),
      ok,
    ],
    'bad-gateway': [json(502, message('Server Error')), ok],
    'bad-gateway-post': [json(502, message('Server Error')), json(201, { number: 1 })],
    'per-call': [json(502, message('Server Error'))],
    'dropped-option': [json(502, message('Server Error'))],
  });
});
afterAll(async () => {
  printTable('Octokit (@octokit/rest, no retry plugin)', rows);
  await api.close();
});

const pipeline = resilientFetch({ fetch: (input, init) => globalThis.fetch(input, init) });
const client = (id: string, fetch: FetchLike = pipeline) =>
  new Octokit({ baseUrl: api.base(id), request: { fetch } });
const getRepo = (octokit: Octokit, request?: object) =>
  octokit.rest.repos.get({ owner: 'o', repo: 'r', ...(request ? { request } : {}) });
describe('Octokit over resilientFetch', () => {
  it('a primary rate limit (403, x-ratelimit-remaining: 0) waits until x-ratelimit-reset', async () => {
    const result = await getRepo(client('primary'));
    expect(result.data.full_name).toBe('o/r');
    expect(api.hits('primary')).toBe(2);
    // The retry went out once the reset time had come (epoch seconds, so up to a second away).
    expect(performance.timeOrigin + api.times('primary')[1]!).toBeGreaterThanOrEqual(
      resets.get('primary')! - 20,
    );
    rows.push({
      scenario: '403, x-ratelimit-remaining: 0, reset within the second',
      hits: 2,
      wait: showWaits(waits(api, 'primary')),
      outcome: '200',
    });
  });

  it('a primary limit that resets in an hour gives up at once with the 403 (over maxRetryAfter)', async () => {
    const started = performance.now();
    const e = await getRepo(client('primary-hour')).catch((e: unknown) => e);
    expect((e as { status?: number }).status).toBe(403);
    expect(api.hits('primary-hour')).toBe(1);
    // At once: not the hour, nor the 60 s of maxRetryAfter (a loaded machine may take a moment).
    expect(performance.now() - started).toBeLessThan(5_000);
    rows.push({
      scenario: '403, x-ratelimit-remaining: 0, reset in an hour',
      hits: 1,
      wait: '-',
      outcome: `${failure(e)} at once (wait over maxRetryAfter)`,
    });
  });

  it('a secondary rate limit (403 with retry-after) waits as told', async () => {
    const result = await getRepo(client('secondary'));
    expect(result.status).toBe(200);
    expect(api.hits('secondary')).toBe(2);
    expect(waits(api, 'secondary')[0]).toBeGreaterThanOrEqual(990);
    rows.push({
      scenario: '403 secondary limit, retry-after: 1',
      hits: 2,
      wait: showWaits(waits(api, 'secondary')),
      outcome: '200',
    });
  });

  it('a permission 403 is not retried', async () => {
    const e = await getRepo(client('permission')).catch((e: unknown) => e);
    expect((e as { status?: number }).status).toBe(403);
    expect(api.hits('permission')).toBe(1);
    rows.push({
      scenario: '403 permission (quota left)',
      hits: 1,
      wait: '-',
      outcome: `${failure(e)} (not retried)`,
    });
  });

  it('a 502 is retried for a GET, not for a POST without Idempotency-Key', async () => {
    expect((await getRepo(client('bad-gateway'))).status).toBe(200);
    expect(api.hits('bad-gateway')).toBe(2);
    rows.push({
      scenario: '502 on GET /repos/o/r',
      hits: 2,
      wait: showWaits(waits(api, 'bad-gateway')),
      outcome: '200',
    });
    const e = await client('bad-gateway-post')
      .rest.issues.create({ owner: 'o', repo: 'r', title: 't' })
      .catch((e: unknown) => e);
    expect((e as { status?: number }).status).toBe(502);
    expect(api.hits('bad-gateway-post')).toBe(1);
    rows.push({
      scenario: '502 on POST /repos/o/r/issues',
      hits: 1,
      wait: '-',
      outcome: `${failure(e)} (not retried: may have been processed)`,
    });
  });

  it('per-call options go through a per-call request.fetch; Octokit drops request.resilience', async () => {
    const once: FetchLike = (input, init) => pipeline(input, { ...init, resilience: { retry: false } });
    const e = await getRepo(client('per-call'), { fetch: once }).catch((e: unknown) => e);
    expect((e as { status?: number }).status).toBe(502);
    expect(api.hits('per-call')).toBe(1);
    rows.push({
      scenario: '502, per call request: { fetch } with resilience: { retry: false }',
      hits: 1,
      wait: '-',
      outcome: `${failure(e)} (one attempt, as asked)`,
    });
    const dropped = await getRepo(client('dropped-option'), { resilience: { retry: false } }).catch(
      (e: unknown) => e,
    );
    expect((dropped as { status?: number }).status).toBe(502);
    expect(api.hits('dropped-option')).toBe(3);
    rows.push({
      scenario: '502, per call request: { resilience: { retry: false } }',
      hits: 3,
      wait: showWaits(waits(api, 'dropped-option')),
      outcome: `${failure(dropped)} (Octokit dropped the option: default retries)`,
    });
  });
});
