// Compiled against the built package (dist/*.d.ts) as a user's project would see it.

import { Redis } from 'ioredis';
import ky, { isHTTPError } from 'ky';
import { createClient } from 'redis';
import {
  compose,
  type FetchLike,
  type ResilienceRequestOptions,
  type RetryExhaustedDetails,
  RetryExhaustedError,
  resilientFetch,
  TimeoutError,
  timeout,
} from 'resilient-fetch';
import { kyHooks, kyResilience } from 'resilient-fetch/ky';
import { redisStore } from 'resilient-fetch/redis';

const transport: FetchLike = (input, init) => fetch(input, init);
const wrapped: FetchLike = compose(timeout(1_000))(transport);
const options: ResilienceRequestOptions = { timeout: 500 };
void wrapped('http://127.0.0.1/', { resilience: options });
void fetch('http://127.0.0.1/', { resilience: { attemptTimeout: false } });
// @ts-expect-error a misspelled per-request option does not compile
void fetch('http://127.0.0.1/', { resilience: { timeOut: 5 } });
export const error: Error = new TimeoutError(1);
// The type of every public parameter can be named.
const details: RetryExhaustedDetails = { successful: [1], failed: [] };
export const exhausted = new RetryExhaustedError(2, error, details);

// The ky entry: `resilience` type-checks on ky calls, a misspelled option does not.

const api = ky.create({ ...kyResilience({ retry: { limit: 3 } }) });
void api.get('http://127.0.0.1/', { resilience: { retry: 2, attemptTimeout: 500 } });
// @ts-expect-error a misspelled per-request option does not compile on ky either
void api.get('http://127.0.0.1/', { resilience: { retyr: 2 } });
void ky.create({ ...kyHooks({ retry: 3 }) });
// ky's own retry options type-check on calls of both integrations, and keep ky's meaning there.
void api.get('http://127.0.0.1/', {
  retry: {
    limit: 3,
    methods: ['get', 'put'],
    statusCodes: [408, 503],
    delay: (attempt) => 100 * attempt,
    backoffLimit: 1_000,
    maxRetryAfter: 5_000,
    shouldRetry: ({ error, retryCount }) => (retryCount < 3 && error.name !== 'HTTPError' ? true : undefined),
  },
  resilience: { attemptTimeout: 500 },
});
void api.get('http://127.0.0.1/', { retry: 0, timeout: 2_000 });
void ky.get('http://127.0.0.1/', { resilience: { retry: { limit: 1 } }, retry: { limit: 1 } });
const hooked = ky.create({ ...kyHooks() }).extend({
  retry: { limit: 3 },
  hooks: { beforeRetry: [({ error }) => (isHTTPError(error) ? void error.response.status : undefined)] },
});
void hooked.post('http://127.0.0.1/', { retry: { methods: ['post'] } });
// @ts-expect-error ky's retry option is a number or an options object
void api.get('http://127.0.0.1/', { retry: '3' });

// A resilientFetch function takes the same per-request options, and rejects a wrong shape.

const pipeline = resilientFetch({ retry: { limit: 3 } });
void pipeline('http://127.0.0.1/', { resilience: { retry: { limit: 5 }, circuitBreaker: false } });
// @ts-expect-error circuitBreaker per request is only `false`
void pipeline('http://127.0.0.1/', { resilience: { circuitBreaker: true } });
// @ts-expect-error a misspelled retry option does not compile
void pipeline('http://127.0.0.1/', { resilience: { retry: { limt: 5 } } });

// The redis entry accepts both clients as their own packages type them.
export const fromNodeRedis = () => resilientFetch({ store: redisStore(createClient(), { quorum: 2 }) });
export const fromIORedis = () => resilientFetch({ store: redisStore(new Redis({ lazyConnect: true })) });
