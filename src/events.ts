/**
 * The events every stage reports through `onEvent`. They carry what a dashboard needs (method, URL without
 * its query string, attempt numbers, delays, reasons, elapsed time) and never a header value or a body.
 */

/** Why a retry is made. */
export type RetryReason = 'status' | 'network-error' | 'timeout' | 'should-retry';

/** Why a call ended without success after retrying, or without being allowed to retry. */
export type GiveUpReason =
  | 'limit' // every allowed attempt was made
  | 'budget' // the retry budget refused the retry
  | 'retry-after-too-long' // the server asked for a wait above `maxRetryAfter`
  | 'deadline' // an outer timeout (the total deadline) ended the call
  | 'aborted' // the caller's own signal ended the call
  | 'not-replayable' // the request body is a stream and cannot be sent again
  | 'not-retryable' // the last outcome is one the rules do not retry
  | 'circuit-open'; // the breaker below would not let the next attempt in: the call ends with what it has

/** A circuit's state. `'isolated'` is held open by hand until `reset()`. */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'isolated';

/** What every event about one call carries. */
export interface RequestFields {
  /** The request URL without query string or fragment (they may hold secrets). */
  url: string;
  /** The request method, upper case. */
  method: string;
}

/** A call entered the pipeline. */
export interface RequestEvent extends RequestFields {
  type: 'request';
}

/** An attempt is about to be sent; `attempt` counts from 1. */
export interface AttemptEvent extends RequestFields {
  type: 'attempt';
  attempt: number;
}

/** A retry is scheduled: `attempt` is the number of the retry about to be made (1 for the first). */
export interface RetryEvent extends RequestFields {
  type: 'retry';
  attempt: number;
  delay: number;
  reason: RetryReason;
  status?: number;
  elapsed: number;
}

/** The call ended with a response the rules do not treat as failing. */
export interface SuccessEvent extends RequestFields {
  type: 'success';
  attempts: number;
  status: number;
  elapsed: number;
}

/** The call ended with a failing response or an error after retrying, or after being refused a retry. */
export interface GiveUpEvent extends RequestFields {
  type: 'give-up';
  attempts: number;
  reason: GiveUpReason;
  status?: number;
  /** The error's `name`, when the call ended with an error. */
  error?: string;
  elapsed: number;
}

/** A `timeout()` stage's deadline passed; `key` is the per-request option it reads. */
export interface TimeoutEvent extends RequestFields {
  type: 'timeout';
  timeout: number;
  key: string;
}

/** A circuit changed state. */
export interface CircuitStateEvent {
  type: 'circuit-state';
  key: string;
  from: CircuitState;
  to: CircuitState;
}

/** An open circuit refused a call. */
export interface CircuitRejectedEvent extends RequestFields {
  type: 'circuit-rejected';
  key: string;
  retryAfter: number;
}

/** A 429, 503, 529 or rate-limit 403 with Retry-After holds back every call of the circuit for `delay` ms. */
export interface CircuitCoolDownEvent {
  type: 'circuit-cool-down';
  key: string;
  delay: number;
}

/** The retry budget refused a retry. */
export interface BudgetExhaustedEvent extends RequestFields {
  type: 'budget-exhausted';
}

/** A `rateLimit()` stage holds the call back; `delay` is the estimated wait in ms (0 when unknown). */
export interface RateLimitWaitEvent extends RequestFields {
  type: 'rate-limit-wait';
  key: string;
  delay: number;
}

/** A `rateLimit()` stage refused the call without sending it. */
export interface RateLimitRejectedEvent extends RequestFields {
  type: 'rate-limit-rejected';
  key: string;
  reason: 'queue-full' | 'wait-too-long';
}

/** A `hedge()` stage sent another attempt after `delay` ms: `attempt` is 2 for the first hedge. */
export interface HedgeEvent extends RequestFields {
  type: 'hedge';
  attempt: number;
  delay: number;
}

/** A `fallback()` handler answered instead of the failing call: `status` of the failing response or `error` name. */
export interface FallbackEvent extends RequestFields {
  type: 'fallback';
  status?: number;
  error?: string;
}

/** The breaker's store became unreachable: circuits go on with local state. Once per outage. */
export interface StoreErrorEvent {
  type: 'store-error';
  error: unknown;
}

/** The store is reachable again; the fleet's state is read back. */
export interface StoreRecoveredEvent {
  type: 'store-recovered';
}

/** Every event, told apart by `type`. */
export type ResilienceEvent =
  | RequestEvent
  | AttemptEvent
  | RetryEvent
  | SuccessEvent
  | GiveUpEvent
  | TimeoutEvent
  | CircuitStateEvent
  | CircuitRejectedEvent
  | CircuitCoolDownEvent
  | BudgetExhaustedEvent
  | RateLimitWaitEvent
  | RateLimitRejectedEvent
  | HedgeEvent
  | FallbackEvent
  | StoreErrorEvent
  | StoreRecoveredEvent;

/** The type of an `onEvent` listener (named so that it does not shadow the DOM's `ResilienceEventListener`). */
export type ResilienceEventListener = (event: ResilienceEvent) => void;

/** Strips the query string and fragment: events must not leak tokens or signatures from URLs. */
export function redactUrl(url: string): string {
  return url.replace(/[?#].*/s, '');
}

/** One listener calling both, or whichever of the two exists. */
export function bothListeners(
  a: ResilienceEventListener | undefined,
  b: ResilienceEventListener | undefined,
): ResilienceEventListener | undefined {
  if (!a || !b) return a ?? b;
  return (event) => {
    a(event);
    b(event);
  };
}
