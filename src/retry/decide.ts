import { isCircuitOpenError } from '../errors/circuit-open-error.ts';
import type { RetryReason } from '../events.ts';
import { serverRequestedWait } from '../headers/rate-limit.ts';
import { requestHeader } from '../request-info.ts';
import { isBrokenTransport, transportFailure } from '../response-check.ts';
import { DONE, NOT_RETRYABLE, type Verdict } from './engine.ts';
import type { NormalisedRetryOptions, RetryContext } from './options.ts';

/**
 * The HTTP decision rules, in plain words:
 * - a response is retried when its status is in `statusCodes`; a 409 also when the request carries an
 *   `Idempotency-Key` (the IETF Idempotency-Key draft's "a request with this key is still being processed");
 * - fetch's network error (`TypeError`) and a per-attempt `TimeoutError` are retried;
 * - anything else (a `CircuitOpenError`, an unknown error) is not; the caller's own abort is handled before;
 * - `shouldRetry` overrides the outcome when it returns a boolean; `undefined` keeps the default.
 */

const STATUS: Verdict = { kind: 'retry', reason: 'status' };
const NETWORK: Verdict = { kind: 'retry', reason: 'network-error' };
const TIMEOUT: Verdict = { kind: 'retry', reason: 'timeout' };
const RETRY_AFTER_TOO_LONG: Verdict = { kind: 'fail', giveUp: 'retry-after-too-long' };

/** The default verdict for an error. */
export function errorVerdict(error: unknown): Verdict {
  if (isCircuitOpenError(error) || isBrokenTransport(error)) return NOT_RETRYABLE;
  const failure = transportFailure(error);
  return failure === 'timeout' ? TIMEOUT : failure === 'network-error' ? NETWORK : NOT_RETRYABLE;
}

/** True when `status` is retried for this request. */
export function retriableStatus(
  options: NormalisedRetryOptions,
  status: number,
  input: string | URL | Request,
  init: RequestInit | undefined,
): boolean {
  if (options.statusCodes.has(status)) return true;
  return status === 409 && requestHeader(input, init, 'idempotency-key') !== null;
}

/**
 * The verdict for a response. The server-requested wait is read only for a retried status with a retry
 * still possible; one above `maxRetryAfter` is not honoured by clamping: the call gives up with the response.
 */
export function responseVerdict(
  options: NormalisedRetryOptions,
  response: Response,
  retriable: boolean,
  final: boolean,
  now: number,
  reason: RetryReason = 'status',
): Verdict {
  if (!retriable) return DONE;
  if (final) return STATUS;
  const wait = serverRequestedWait(response.headers, now);
  if (wait === undefined) return reason === 'status' ? STATUS : { kind: 'retry', reason };
  if (wait > options.maxRetryAfter) return RETRY_AFTER_TOO_LONG;
  return { kind: 'retry', reason, wait };
}

/** Applies `shouldRetry`'s answer over the default verdict. */
export async function overrideVerdict(
  options: NormalisedRetryOptions,
  context: RetryContext,
  verdict: Verdict,
  final: boolean,
  now: number,
): Promise<Verdict> {
  const answer = await options.shouldRetry!(context);
  if (answer === undefined || answer === (verdict.kind === 'retry')) return verdict;
  // Here the answer differs from the rules: `false` refuses a retry they would make, so the call gives up.
  if (answer === false) return NOT_RETRYABLE;
  const response = context.response;
  if (response) return responseVerdict(options, response, true, final, now, 'should-retry');
  return { kind: 'retry', reason: 'should-retry' };
}

export { DONE };
