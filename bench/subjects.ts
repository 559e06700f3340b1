// What the benchmarks compare: this package's standard pipeline and its peers, each configured the way its
// own documentation shows, around the same transport.

import {
  ConsecutiveBreaker,
  circuitBreaker,
  timeout as cockatielTimeout,
  ExponentialBackoff,
  handleAll,
  retry,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import fetchRetry from 'fetch-retry';
import ky from 'ky';
import pRetry from 'p-retry';
import { hedge, rateLimit, resilientFetch, type Store } from '../src/index.ts';
import type { FetchLike } from '../src/types.ts';

/** A call as the benchmarks make it: one URL, a response whose body the caller owns. */
export type Call = (url: string) => Promise<Response>;

export interface Subject {
  name: string;
  /** Builds the subject once around `transport`; the benchmark then times calls of the result. */
  make(transport: FetchLike): Call;
}

/**
 * This package's standard pipeline around `transport`, with its defaults: total timeout → retry → circuit
 * breaker → attempt timeout → transport. Every benchmark goes through here.
 */
export function ourPipeline(transport: FetchLike): FetchLike {
  return resilientFetch({ fetch: transport });
}

/** How the reports name what `ourPipeline()` holds. */
export const ourPipelineLabel = 'resilient-fetch (pipeline)';

export const ours: Subject = {
  name: ourPipelineLabel,
  make(transport) {
    const fetch = ourPipeline(transport);
    return (url) => fetch(url);
  },
};

export const raw: Subject = {
  name: 'raw transport',
  make: (transport) => (url) => transport(url),
};

/** Plain `fetch` with a fresh `AbortController` signal per call: the least any timeout needs. */
export const withSignal: Subject = {
  name: 'fetch + signal',
  make: (transport) => (url) => transport(url, { signal: new AbortController().signal }),
};

/** cockatiel 4: total timeout, then retry (2 retries, exponential backoff), then a consecutive breaker. */
export const cockatiel: Subject = {
  name: 'cockatiel (timeout+retry+breaker)',
  make(transport) {
    const policy = wrap(
      cockatielTimeout(30_000, TimeoutStrategy.Aggressive),
      retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
      circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) }),
    );
    return (url) => policy.execute(({ signal }) => transport(url, { signal }));
  },
};

/** ky 2 with its own retry and timeout; it builds a `Request` per call, which is part of its real cost. */
export const kySubject: Subject = {
  name: 'ky (retry+timeout)',
  make(transport) {
    const client = ky.create({ fetch: transport, retry: 2, timeout: 10_000 });
    return (url) => client.get(url);
  },
};

export const pRetrySubject: Subject = {
  name: 'p-retry (retry only)',
  make: (transport) => (url) => pRetry(() => transport(url), { retries: 2 }),
};

export const fetchRetrySubject: Subject = {
  name: 'fetch-retry (retry only)',
  make(transport) {
    const fetch = fetchRetry(transport, { retries: 2 });
    return (url) => fetch(url);
  },
};

/** The store `oursWithStore` attaches; `prepareStore()` (in bench/store.ts) connects it first. */
export const benchStore: { store?: Store } = {};

/** The standard pipeline with a `redisStore()` attached: the closed-circuit path must not notice it. */
export const oursWithStore: Subject = {
  name: 'resilient-fetch (pipeline + redisStore)',
  make(transport) {
    if (!benchStore.store) throw new Error('oursWithStore: call prepareStore() first');
    const fetch = resilientFetch({ fetch: transport, store: benchStore.store });
    return (url) => fetch(url);
  },
};

/** `rateLimit()` alone, with its defaults: learning from headers, no quota announced. */
export const rateLimitSubject: Subject = {
  name: 'rateLimit() alone',
  make(transport) {
    const fetch = rateLimit()(transport);
    return (url) => fetch(url);
  },
};

/** `hedge()` alone, with a delay no answer reaches: the cost of a call that answers before it. */
export const hedgeSubject: Subject = {
  name: 'hedge() alone (answer before the delay)',
  make(transport) {
    const fetch = hedge({ delay: 1_000 })(transport);
    return (url) => fetch(url);
  },
};

/** The standard pipeline with both traffic-shaping stages placed in it. */
export const shaped: Subject = {
  name: 'resilient-fetch (pipeline + rateLimit + hedge)',
  make(transport) {
    const fetch = resilientFetch({ fetch: transport, rateLimit: rateLimit(), hedge: hedge() });
    return (url) => fetch(url);
  },
};

/** Every subject by a short id, so a child process can be told which one to measure. */
export const subjectsById: Record<string, Subject> = {
  raw,
  ours,
  'ours-store': oursWithStore,
  withSignal,
  cockatiel,
  ky: kySubject,
  'p-retry': pRetrySubject,
  'fetch-retry': fetchRetrySubject,
  rateLimit: rateLimitSubject,
  hedge: hedgeSubject,
  shaped,
};
