import ky, { HTTPError, isHTTPError, type Options } from 'ky';
import type { FetchLike } from '../../src/types.ts';
import { all, type Expected, type PortCase, type Reply, type Run } from './harness.ts';

/**
 * ky's own retry tests (sindresorhus/ky `test/retry.ts`) and the `beforeRetry` cases of `test/hooks.ts`, in
 * our words, with what each integration is expected to do. Where an integration differs from ky, `differs`
 * names the difference as the README's ky section lists it. Long waits of ky's suite are scaled down (a
 * Retry-After of 1 s stays, capped by a small `maxRetryAfter`; delays of 300 ms become a few ms).
 */

const ok = (body = 'fixture'): Reply => ({ body });
const status = (code: number, headers?: Record<string, string>): Reply => ({ status: code, headers });
/** `status` for the first `failures` requests, then `then`. */
const failing =
  (failures: number, code: number | 'reset', then: Reply = ok(), headers?: Record<string, string>) =>
  (n: number): Reply =>
    n > failures ? then : code === 'reset' ? 'reset' : status(code, headers);

const fine = (attempts: number, outcome = '200 fixture'): Expected => ({ attempts, outcome });
const failed = (attempts: number, outcome: string): Expected => ({ attempts, outcome });
const only = <T>(value: T) => value;

const D413 = '413 is not a default retried status';
const DJITTER = 'the default backoff is jittered';
const DTIMEOUT = 'a per-attempt timeout is retried by default';
const DBEFORE = 'no beforeRetry hooks under kyResilience()';
const DMAXRETRYAFTER = 'maxRetryAfter: a longer server wait is refused under kyResilience()';
const DTYPEERROR = 'any TypeError from the transport is a network error';
const DEXHAUSTED = 'kyResilience(): an error retried to the end is a RetryExhaustedError';
const DRATELIMIT = 'RateLimit-Reset is ignored while RateLimit-Remaining says quota is left';
const DIDEMPOTENCY = 'POST with an Idempotency-Key is retried';
const DUNPROCESSED =
  'a request the server did not process (408, 429, 503, 529) is retried whatever its method';
const DTHROW = 'throwHttpErrors: false does not stop kyResilience() retrying a status';
const DVALIDATION = 'a bad retry option is a TypeError naming it';

/** A custom fetch that throws `error` for its first `times` calls, then asks the server. */
const throwing =
  (times: number, make: () => Error) =>
  (run: Run): FetchLike =>
  (input, init) => {
    if (run.offline < times) {
      run.offline++;
      return Promise.reject(make());
    }
    return fetch(input, init);
  };

const beforeRetry = (hook: NonNullable<NonNullable<Options['hooks']>['beforeRetry']>[number]) => ({
  hooks: { beforeRetry: [hook] },
});

export const CASES: PortCase[] = [
  // test/retry.ts
  {
    title: 'network error',
    from: 'retry.ts',
    serve: failing(2, 'reset'),
    expect: all(fine(3)),
  },
  {
    title: 'status code 500',
    from: 'retry.ts',
    serve: failing(2, 500),
    expect: all(fine(3)),
  },
  {
    title: 'only on defined status codes',
    from: 'retry.ts',
    serve: failing(2, 400),
    expect: all(failed(1, 'HTTPError 400')),
  },
  {
    title: 'not on POST',
    from: 'retry.ts',
    method: 'post',
    serve: failing(2, 500),
    expect: all(failed(1, 'HTTPError 500')),
  },
  {
    title: 'QUERY retries by default, body replayed',
    from: 'retry.ts',
    method: 'query',
    options: () => ({ json: { foo: true } }),
    serve: (n, a) => (n > 2 ? { body: `${a.method} ${a.body}` } : status(500)),
    expect: all(fine(3, '200 QUERY {"foo":true}')),
  },
  {
    title: 'respect Retry-After: 0 and retry immediately (413)',
    from: 'retry.ts',
    options: () => ({ retry: 4 }),
    serve: failing(4, 413, ok(), { 'retry-after': '0' }),
    expect: {
      ky: fine(5),
      kyHooks: { ...failed(1, 'HTTPError 413'), differs: D413 },
      kyResilience: { ...failed(1, 'HTTPError 413'), differs: D413 },
    },
  },
  {
    title: 'Retry-After: 0 on a 429 replaces a long delay',
    from: 'extra',
    options: () => ({ retry: { limit: 4, delay: () => 5_000 } }),
    serve: failing(4, 429, ok(), { 'retry-after': '0' }),
    expect: all({ ...fine(5), within: 4_000 }),
  },
  {
    title: 'RateLimit-Reset delay seconds are respected like Retry-After',
    from: 'retry.ts',
    // ky's test waits 1 s twice; a 50 ms maxRetryAfter (a cap in ky) keeps the point: the server's wait
    // replaces the 1 ms delay.
    options: () => ({ retry: { maxRetryAfter: 50 } }),
    serve: (n) => (n > 2 ? ok() : status(429, { [n < 2 ? 'ratelimit-reset' : 'retry-after']: '1' })),
    expect: {
      ky: { ...fine(3), minGaps: [50, 50] },
      kyHooks: { ...fine(3), minGaps: [50, 50] },
      kyResilience: { ...failed(1, 'HTTPError 429'), differs: DMAXRETRYAFTER },
    },
  },
  {
    title: 'RateLimit-Reset while RateLimit-Remaining says quota is left',
    from: 'extra',
    options: () => ({ retry: { maxRetryAfter: 50 } }),
    serve: failing(1, 503, ok(), { 'ratelimit-reset': '1', 'ratelimit-remaining': '5' }),
    expect: {
      ky: { ...fine(2), minGaps: [50] },
      kyHooks: { ...fine(2), differs: DRATELIMIT },
      kyResilience: { ...fine(2), differs: DRATELIMIT },
    },
  },
  {
    title: 'respect custom afterStatusCodes (500) with Retry-After',
    from: 'retry.ts',
    options: () => ({ retry: { afterStatusCodes: [500], delay: () => 5_000 } }),
    serve: failing(2, 500, ok(), { 'retry-after': '0' }),
    expect: all({ ...fine(3), within: 4_000 }),
  },
  {
    title: 'custom afterStatusCodes does not retry statuses missing from statusCodes',
    from: 'retry.ts',
    options: () => ({ retry: { afterStatusCodes: [400] } }),
    serve: () => status(400, { 'retry-after': '1' }),
    expect: all(failed(1, 'HTTPError 400')),
  },
  {
    title: 'respect number of retries (limit 3 against 408)',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 3 } }),
    serve: () => status(408),
    expect: all(failed(4, 'HTTPError 408')),
  },
  {
    title: 'respect retry methods: POST not in methods',
    from: 'retry.ts',
    method: 'post',
    options: () => ({ retry: { limit: 3, methods: ['get'] } }),
    serve: () => status(408),
    expect: {
      ky: failed(1, 'HTTPError 408'),
      kyHooks: { ...failed(4, 'HTTPError 408'), differs: DUNPROCESSED },
      kyResilience: { ...failed(4, 'HTTPError 408'), differs: DUNPROCESSED },
    },
  },
  {
    title: 'respect retry methods: GET in methods',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 2, methods: ['get'] } }),
    serve: () => status(408),
    expect: all(failed(3, 'HTTPError 408')),
  },
  {
    title: 'respect maxRetryAfter (413, Retry-After 1 s, cap 20 ms)',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 4, maxRetryAfter: 20 } }),
    serve: failing(4, 413, ok(), { 'retry-after': '1' }),
    expect: {
      // Four uncapped waits would take 4 s.
      ky: { ...fine(5), within: 3_000 },
      kyHooks: { ...failed(1, 'HTTPError 413'), differs: D413 },
      kyResilience: { ...failed(1, 'HTTPError 413'), differs: D413 },
    },
  },
  {
    title: 'maxRetryAfter on a 429 (Retry-After 1 s, cap 20 ms)',
    from: 'extra',
    options: () => ({ retry: { limit: 2, maxRetryAfter: 20 } }),
    serve: failing(2, 429, ok(), { 'retry-after': '1' }),
    expect: {
      // Two uncapped waits would take 2 s.
      ky: { ...fine(3), minGaps: [20, 20], within: 1_500 },
      kyHooks: { ...fine(3), minGaps: [20, 20], within: 1_500 },
      kyResilience: { ...failed(1, 'HTTPError 429'), differs: DMAXRETRYAFTER },
    },
  },
  {
    title: 'invalid Retry-After header falls back to retry delay',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 1, delay: () => 50, maxRetryAfter: 10 } }),
    serve: failing(1, 429, ok(), { 'retry-after': 'not-a-valid-value' }),
    expect: all({ ...fine(2), minGaps: [50] }),
  },
  {
    title: 'can provide retry as number',
    from: 'retry.ts',
    options: () => ({ retry: 4 }),
    serve: () => status(408),
    expect: all(failed(5, 'HTTPError 408')),
  },
  {
    title: 'extending a numeric retry with an object keeps the limit',
    from: 'retry.ts',
    instance: { retry: 3 },
    extend: { retry: { methods: ['get'] } },
    serve: () => status(408),
    expect: all(failed(4, 'HTTPError 408')),
  },
  {
    title: 'an .extend() retry limit, overridden by the call',
    from: 'extra',
    extend: { retry: { limit: 4 } },
    options: () => ({ retry: { limit: 1 } }),
    serve: () => status(503),
    expect: all(failed(2, 'HTTPError 503')),
  },
  {
    title: "doesn't retry on 413 with empty statusCodes and methods",
    from: 'retry.ts',
    options: () => ({ retry: { limit: 10, statusCodes: [], methods: [] } }),
    serve: () => status(413),
    expect: all(failed(1, 'HTTPError 413')),
  },
  {
    title: "doesn't retry on 413 with empty methods",
    from: 'retry.ts',
    options: () => ({ retry: { limit: 10, methods: [] } }),
    serve: () => status(413),
    expect: all(failed(1, 'HTTPError 413')),
  },
  {
    title: "doesn't retry a 500 with empty methods",
    from: 'extra',
    options: () => ({ retry: { methods: [] } }),
    serve: () => status(500),
    expect: all(failed(1, 'HTTPError 500')),
  },
  {
    title: 'empty methods, against a 503',
    from: 'extra',
    options: () => ({ retry: { methods: [] } }),
    serve: () => status(503),
    expect: {
      ky: failed(1, 'HTTPError 503'),
      kyHooks: { ...failed(3, 'HTTPError 503'), differs: DUNPROCESSED },
      kyResilience: { ...failed(3, 'HTTPError 503'), differs: DUNPROCESSED },
    },
  },
  {
    title: 'does retry on 408 with methods provided as array',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 3, methods: ['get'] } }),
    serve: () => status(408),
    expect: all(failed(4, 'HTTPError 408')),
  },
  {
    title: 'does retry on 408 with methods provided as uppercase array',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 3, methods: ['GET' as 'get'] } }),
    serve: () => status(408),
    expect: all(failed(4, 'HTTPError 408')),
  },
  {
    title: 'does retry on 408 with statusCodes provided as array',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 3, statusCodes: [408] } }),
    serve: () => status(408),
    expect: all(failed(4, 'HTTPError 408')),
  },
  {
    title: 'statusCodes [408] does not retry a 500',
    from: 'extra',
    options: () => ({ retry: { statusCodes: [408] } }),
    serve: () => status(500),
    expect: all(failed(1, 'HTTPError 500')),
  },
  {
    title: "doesn't retry when retry.limit is set to 0",
    from: 'retry.ts',
    options: () => ({ retry: { limit: 0 } }),
    serve: () => status(408),
    expect: all(failed(1, 'HTTPError 408')),
  },
  {
    title: "doesn't retry with retry: 0",
    from: 'extra',
    options: () => ({ retry: 0 }),
    serve: () => status(503),
    expect: all(failed(1, 'HTTPError 503')),
  },
  {
    title: 'POST body retries and succeeds when methods include post',
    from: 'retry.ts',
    method: 'post',
    options: () => ({ body: 'payload', retry: { limit: 1, methods: ['post'] } }),
    serve: (n, a) => (n > 1 ? { body: a.body } : status(500)),
    expect: all(fine(2, '200 payload')),
  },
  {
    title: 'throws when retry.methods is not an array',
    from: 'retry.ts',
    options: () => ({ retry: { methods: 'get' as never } }),
    serve: () => ok(),
    expect: {
      ky: failed(0, 'Error'),
      kyHooks: { ...failed(0, 'TypeError'), differs: DVALIDATION },
      kyResilience: { ...failed(0, 'TypeError'), differs: DVALIDATION },
    },
  },
  {
    title: 'retry options ignore undefined overrides and keep defaults',
    from: 'retry.ts',
    options: () => ({ retry: { limit: undefined } }),
    serve: () => status(500),
    expect: all(failed(3, 'HTTPError 500')),
  },
  {
    title: 'respect maximum backoffLimit',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 4, delay: () => 10_000, backoffLimit: 20 } }),
    serve: failing(4, 500),
    expect: all({ ...fine(5), minGaps: [20, 20, 20, 20], within: 4_000 }),
  },
  {
    title: "ky's default delay (0.3 s, 0.6 s) against this package's backoff",
    from: 'extra',
    defaultDelays: true,
    serve: failing(2, 500),
    expect: {
      ky: { ...fine(3), minGaps: [300, 600] },
      kyHooks: { ...fine(3), differs: DJITTER },
      kyResilience: { ...fine(3), differs: DJITTER },
    },
  },
  {
    title: 'respect custom retry.delay',
    from: 'retry.ts',
    options: () => ({ retry: { delay: (n) => 30 * n } }),
    serve: failing(2, 500),
    expect: all({ ...fine(3), minGaps: [30, 60] }),
  },
  {
    title: 'jitter: custom function applies custom jitter',
    from: 'retry.ts',
    options: (run) => ({
      retry: {
        limit: 3,
        delay: (n) => 3 * 2 ** (n - 1),
        jitter: (delay) => {
          run.log.push(delay);
          return delay / 2;
        },
      },
    }),
    serve: failing(3, 500),
    expect: all({ ...fine(4), log: [3, 6, 12] }),
  },
  {
    title: 'jitter respects backoffLimit',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 2, delay: () => 10_000, jitter: (d) => d * 2, backoffLimit: 30 } }),
    serve: failing(2, 500),
    expect: all({ ...fine(3), minGaps: [30, 30], within: 4_000 }),
  },
  {
    title: 'jitter is not applied when Retry-After header is present',
    from: 'retry.ts',
    options: (run) => ({
      retry: {
        delay: () => 5_000,
        jitter: (delay) => {
          run.log.push(delay);
          return delay;
        },
      },
    }),
    serve: failing(2, 429, ok(), { 'retry-after': '0' }),
    expect: all({ ...fine(3), log: [], within: 4_000 }),
  },
  {
    title: 'retryOnTimeout: false (default) - does not retry on timeout',
    from: 'retry.ts',
    options: () => ({ timeout: 50, retry: { limit: 3 } }),
    serve: () => ({ body: 'late', after: 400 }),
    expect: {
      ky: failed(1, 'TimeoutError'),
      kyHooks: { ...failed(4, 'TimeoutError'), differs: DTIMEOUT },
      kyResilience: { ...failed(4, 'RetryExhaustedError'), differs: `${DTIMEOUT}; ${DEXHAUSTED}` },
    },
  },
  {
    title: 'retryOnTimeout: false, said by the call',
    from: 'extra',
    options: () => ({ timeout: 50, retry: { limit: 3, retryOnTimeout: false } }),
    serve: () => ({ body: 'late', after: 400 }),
    expect: all(failed(1, 'TimeoutError')),
  },
  {
    title: 'timeout: false does not throw TimeoutError during retries',
    from: 'retry.ts',
    options: () => ({ timeout: false, retry: { limit: 1 } }),
    serve: failing(1, 500),
    expect: all(fine(2)),
  },
  {
    title: 'retryOnTimeout: each retry gets the full per-attempt timeout',
    from: 'retry.ts',
    // ky's test: 500 ms per attempt against 1 s answers. The third answer comes at once and must arrive
    // within one attempt's deadline, on a loaded machine too.
    options: () => ({ timeout: 400, retry: { limit: 3, retryOnTimeout: true, delay: () => 0 } }),
    serve: (n) => (n <= 2 ? { body: 'late', after: 1_500 } : ok()),
    expect: all(fine(3)),
  },
  {
    title: 'shouldRetry: returns false - prevents retry',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 3, shouldRetry: () => false } }),
    serve: () => status(500),
    expect: all(failed(1, 'HTTPError 500')),
  },
  {
    title: 'shouldRetry: returns undefined - uses default retry logic',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 3, shouldRetry: () => undefined } }),
    serve: failing(2, 500),
    expect: all(fine(3)),
  },
  {
    title: 'shouldRetry: receives correct state object',
    from: 'retry.ts',
    options: (run) => ({
      retry: {
        limit: 3,
        shouldRetry: ({ error, retryCount }) => void run.log.push(`${error.name} ${retryCount}`),
      },
    }),
    serve: failing(2, 500),
    expect: all({ ...fine(3), log: ['HTTPError 1', 'HTTPError 2'] }),
  },
  {
    title: 'shouldRetry: not asked once the limit is reached',
    from: 'extra',
    options: (run) => ({
      retry: { limit: 2, shouldRetry: ({ retryCount }) => void run.log.push(retryCount) },
    }),
    serve: () => status(500),
    expect: all({ ...failed(3, 'HTTPError 500'), log: [1, 2] }),
  },
  {
    title: 'shouldRetry: custom business logic with HTTPError',
    from: 'retry.ts',
    options: () => ({
      retry: {
        limit: 3,
        async shouldRetry({ error, retryCount }) {
          if (!(error instanceof HTTPError)) return undefined;
          const code = error.response.status;
          if (code === 400 && retryCount <= 1) return true;
          return code >= 400 && code < 500 ? false : undefined;
        },
      },
    }),
    serve: (n) => (n === 1 ? status(400) : n === 2 ? status(500) : ok()),
    expect: all(fine(3)),
  },
  {
    title: 'shouldRetry: error propagates if shouldRetry throws',
    from: 'retry.ts',
    options: () => ({
      retry: {
        shouldRetry() {
          throw new RangeError('from shouldRetry');
        },
      },
    }),
    serve: () => status(500),
    expect: all(failed(1, 'RangeError')),
  },
  {
    title: 'shouldRetry: handles Promise return value correctly',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 2, shouldRetry: async ({ retryCount }) => retryCount === 1 } }),
    serve: () => status(500),
    expect: all(failed(2, 'HTTPError 500')),
  },
  {
    title: 'non-network TypeError is not retried',
    from: 'retry.ts',
    transport: throwing(9, () => new TypeError('Cannot read properties of undefined')),
    serve: () => ok(),
    expect: {
      ky: failed(1, 'TypeError'),
      kyHooks: { ...failed(3, 'TypeError'), differs: DTYPEERROR },
      kyResilience: { ...failed(3, 'RetryExhaustedError'), differs: `${DTYPEERROR}; ${DEXHAUSTED}` },
    },
  },
  {
    title: 'shouldRetry can force retry of non-network errors',
    from: 'retry.ts',
    options: () => ({ retry: { limit: 2, shouldRetry: () => true } }),
    transport: throwing(1, () => new Error('not a network error')),
    serve: () => ok(),
    expect: all(fine(2)),
  },
  {
    title: 'NetworkError is retried by default, until the limit',
    from: 'retry.ts',
    serve: () => 'reset',
    expect: {
      ky: failed(3, 'NetworkError'),
      kyHooks: failed(3, 'NetworkError'),
      kyResilience: { ...failed(3, 'RetryExhaustedError'), differs: DEXHAUSTED },
    },
  },
  {
    title: 'NetworkError is not retried for non-retriable method (POST)',
    from: 'retry.ts',
    method: 'post',
    serve: () => 'reset',
    expect: all(failed(1, 'NetworkError')),
  },
  {
    title: 'shouldRetry receives NetworkError (not raw TypeError)',
    from: 'retry.ts',
    options: (run) => ({
      retry: { limit: 1, shouldRetry: ({ error }) => void run.log.push(error.name) },
    }),
    serve: failing(1, 'reset'),
    expect: all({ ...fine(2), log: ['NetworkError'] }),
  },
  {
    title: 'network error then HTTP error share one retry limit',
    from: 'hooks.ts',
    serve: (n) => (n === 1 ? 'reset' : n === 2 ? status(500) : status(503)),
    expect: all(failed(3, 'HTTPError 503')),
  },
  // test/hooks.ts, beforeRetry
  {
    title: 'beforeRetry hook is never called for the initial request',
    from: 'hooks.ts',
    options: (run) => beforeRetry(() => void run.log.push('beforeRetry')),
    serve: () => ok(),
    expect: all({ ...fine(1), log: [] }),
  },
  {
    title: 'beforeRequest hook runs only once and does not run again on retry',
    from: 'hooks.ts',
    options: (run) => ({
      retry: { limit: 1 },
      hooks: { beforeRequest: [({ retryCount }) => void run.log.push(retryCount)] },
    }),
    serve: failing(1, 500),
    expect: all({ ...fine(2), log: [0] }),
  },
  {
    title: 'beforeRetry hook allows modifications of non initial requests',
    from: 'hooks.ts',
    options: () => beforeRetry(({ request }) => void request.headers.set('unicorn', 'fixture')),
    serve: (n, a) => (n > 1 ? { body: String(a.headers.unicorn ?? '') } : status(408)),
    expect: {
      ky: fine(2),
      kyHooks: fine(2),
      kyResilience: { ...fine(2, '200'), differs: DBEFORE },
    },
  },
  {
    title: 'beforeRetry hook is called with error and retryCount',
    from: 'hooks.ts',
    options: (run) =>
      beforeRetry(({ error, retryCount }) => {
        run.log.push(`${isHTTPError(error) ? error.response.status : error.name} ${retryCount}`);
      }),
    serve: failing(1, 408),
    expect: {
      ky: { ...fine(2), log: ['408 1'] },
      kyHooks: { ...fine(2), log: ['408 1'] },
      kyResilience: { ...fine(2), log: [], differs: DBEFORE },
    },
  },
  {
    title: 'beforeRetry hook is called even if the error has no response',
    from: 'hooks.ts',
    options: (run) => ({
      retry: 1,
      ...beforeRetry(({ error, retryCount }) => void run.log.push(`${error.name} ${retryCount}`)),
    }),
    serve: failing(1, 'reset', ok('unicorn')),
    expect: {
      ky: { ...fine(2, '200 unicorn'), log: ['NetworkError 1'] },
      kyHooks: { ...fine(2, '200 unicorn'), log: ['NetworkError 1'] },
      kyResilience: { ...fine(2, '200 unicorn'), log: [], differs: DBEFORE },
    },
  },
  {
    title: 'beforeRetry hook with parseJson and error.data',
    from: 'hooks.ts',
    json: true,
    options: (run) => ({
      retry: 1,
      parseJson: () => ({ awesome: true }),
      ...beforeRetry(({ error }) => void run.log.push((error as HTTPError).data)),
    }),
    serve: (n) =>
      n > 1 ? ok('text') : { status: 502, headers: { 'content-type': 'application/json' }, body: 'text' },
    expect: {
      ky: { ...fine(2, '200 {"awesome":true}'), log: [{ awesome: true }] },
      kyHooks: { ...fine(2, '200 {"awesome":true}'), log: [{ awesome: true }] },
      kyResilience: { ...fine(2, '200 {"awesome":true}'), log: [], differs: DBEFORE },
    },
  },
  {
    title: 'beforeRetry hook can cancel retries by returning stop',
    from: 'hooks.ts',
    options: () => beforeRetry(() => ky.stop),
    serve: failing(2, 408),
    expect: {
      ky: failed(1, 'stopped'),
      kyHooks: failed(1, 'stopped'),
      kyResilience: { ...fine(3), differs: DBEFORE },
    },
  },
  {
    title: 'catches beforeRetry thrown errors (beforeError not called)',
    from: 'hooks.ts',
    options: (run) => ({
      hooks: {
        beforeRetry: [
          () => {
            throw new RangeError('oops');
          },
        ],
        beforeError: [
          ({ error }) => {
            run.log.push('beforeError');
            return error;
          },
        ],
      },
    }),
    serve: failing(1, 408),
    expect: {
      ky: { ...failed(1, 'RangeError'), log: [] },
      kyHooks: { ...failed(1, 'RangeError'), log: [] },
      kyResilience: { ...fine(2), log: [], differs: DBEFORE },
    },
  },
  {
    title: 'beforeRetry hook can return modified Request with new URL',
    from: 'hooks.ts',
    options: (run) => beforeRetry(({ request }) => new Request(run.url('other'), request)),
    serve: (_n, a) => (a.path === '/other' ? ok('other') : status(500)),
    expect: {
      ky: fine(2, '200 other'),
      kyHooks: fine(2, '200 other'),
      kyResilience: { ...failed(3, 'HTTPError 500'), differs: DBEFORE },
    },
  },
  {
    title: 'beforeRetry hook can return Response to skip retry',
    from: 'hooks.ts',
    options: () => beforeRetry(() => new Response('from hook')),
    serve: () => status(500),
    expect: {
      ky: fine(1, '200 from hook'),
      kyHooks: fine(1, '200 from hook'),
      kyResilience: { ...failed(3, 'HTTPError 500'), differs: DBEFORE },
    },
  },
  // Differences on purpose that ky's suite has no test for.
  {
    title: 'POST with an Idempotency-Key header, against a 500',
    from: 'extra',
    method: 'post',
    options: () => ({ headers: { 'idempotency-key': 'k-1' }, body: 'x' }),
    serve: failing(2, 500),
    expect: {
      ky: failed(1, 'HTTPError 500'),
      kyHooks: { ...fine(3), differs: DIDEMPOTENCY },
      kyResilience: { ...fine(3), differs: DIDEMPOTENCY },
    },
  },
  {
    title: 'throwHttpErrors: false',
    from: 'extra',
    options: () => ({ throwHttpErrors: false }),
    serve: () => status(503),
    expect: {
      ky: failed(1, '503'),
      kyHooks: failed(1, '503'),
      kyResilience: { ...failed(3, '503'), differs: DTHROW },
    },
  },
];

export const DIFFERENCES = only([
  D413,
  DJITTER,
  DTIMEOUT,
  DBEFORE,
  DMAXRETRYAFTER,
  DTYPEERROR,
  DEXHAUSTED,
  DRATELIMIT,
  DIDEMPOTENCY,
  DUNPROCESSED,
  DTHROW,
  DVALIDATION,
]);
