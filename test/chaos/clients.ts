import ky, { HTTPError, NetworkError } from 'ky';
import { isCircuitOpenError } from '../../src/errors/circuit-open-error.ts';
import { isRetryExhaustedError } from '../../src/errors/retry-exhausted-error.ts';
import { isTimeoutError } from '../../src/errors/timeout-error.ts';
import { kyResilience } from '../../src/ky.ts';
import type { ResilienceRequestOptions } from '../../src/request-options.ts';
import { type ResilientFetchOptions, resilientFetch } from '../../src/resilient-fetch.ts';

/** One way of calling through the pipeline: `get(url)` settles as the client's user would see it. */
export type Get = (
  url: string,
  init?: { signal?: AbortSignal; resilience?: ResilienceRequestOptions },
) => Promise<Response>;

export interface Client {
  name: string;
  make(options: ResilientFetchOptions): Get;
}

/** The standard pipeline, and real ky 2 with `kyResilience()` (ky's own retry and timeout off). */
export const CLIENTS: Client[] = [
  {
    name: 'resilientFetch',
    make: (options) => {
      const fetch = resilientFetch(options);
      return (url, init) => fetch(url, init);
    },
  },
  {
    name: 'ky',
    make: (options) => {
      // throwHttpErrors off: a 503 stays a value, as with fetch, and ky does not read a failing body.
      const api = ky.create({ ...kyResilience(options), throwHttpErrors: false });
      return (url, init) => api.get(url, init);
    },
  },
];

/** What a call may end with, per the contract; `classify` names it or says what else escaped. */
export type Outcome =
  | `response ${number}`
  | 'TimeoutError'
  | `RetryExhaustedError(${string})`
  | 'CircuitOpenError'
  | 'network-error'
  | 'caller-abort';

/**
 * Names a call's outcome, or returns `undocumented: …` for anything the contract does not allow. A fetch
 * network error (`TypeError`, ky's `NetworkError` around it) may come back unchanged when only one attempt was
 * allowed (the budget refused the retry).
 */
export function classify(
  settled: PromiseSettledResult<Response>,
  callerReason?: unknown,
): Outcome | `undocumented: ${string}` {
  if (settled.status === 'fulfilled') {
    const value = settled.value;
    return value instanceof Response ? `response ${value.status}` : `undocumented: ${String(value)}`;
  }
  const error: unknown = settled.reason;
  if (callerReason !== undefined && error === callerReason) return 'caller-abort';
  if (error instanceof HTTPError) return `response ${error.response.status}`;
  if (isTimeoutError(error)) return 'TimeoutError';
  if (isCircuitOpenError(error)) return 'CircuitOpenError';
  if (isRetryExhaustedError(error)) {
    const cause = error.cause;
    if (isTimeoutError(cause) || isNetworkError(cause)) return `RetryExhaustedError(${cause.name})`;
    return `undocumented: RetryExhaustedError caused by ${String(cause)}`;
  }
  if (isNetworkError(error)) return 'network-error';
  return `undocumented: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

function isNetworkError(error: unknown): error is Error {
  return error instanceof TypeError || error instanceof NetworkError;
}
