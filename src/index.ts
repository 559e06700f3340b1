export type {
  Backoff,
  BackoffContext,
  ConstantBackoffOptions,
  DecorrelatedJitterBackoffOptions,
  ExponentialBackoffOptions,
  Jitter,
  LinearBackoffOptions,
} from './backoff.ts';
export {
  constantBackoff,
  decorrelatedJitterBackoff,
  exponentialBackoff,
  linearBackoff,
} from './backoff.ts';
export type { CircuitBreaker } from './circuit-breaker/circuit-breaker.ts';
export { circuitBreaker } from './circuit-breaker/circuit-breaker.ts';
export type { CoolDownMode } from './circuit-breaker/cool-down.ts';
export type { CircuitBreakerOptions, CircuitOutcome } from './circuit-breaker/options.ts';
export type { CircuitBreakerSnapshot, CircuitSnapshot } from './circuit-breaker/snapshot.ts';
export { restoreBreaker, snapshotBreaker } from './circuit-breaker/snapshot.ts';
export type { StrategySnapshot } from './circuit-breaker/strategy.ts';
export type { Clock } from './clock.ts';
export { systemClock } from './clock.ts';
export { compose } from './compose.ts';
export { CircuitOpenError, isCircuitOpenError } from './errors/circuit-open-error.ts';
export type { RateLimitReason } from './errors/rate-limit-error.ts';
export { isRateLimitError, RateLimitError } from './errors/rate-limit-error.ts';
export type { RetryExhaustedDetails } from './errors/retry-exhausted-error.ts';
export { isRetryExhaustedError, RetryExhaustedError } from './errors/retry-exhausted-error.ts';
export { isTimeoutError, TimeoutError } from './errors/timeout-error.ts';
export type {
  AttemptEvent,
  BudgetExhaustedEvent,
  CircuitCoolDownEvent,
  CircuitRejectedEvent,
  CircuitState,
  CircuitStateEvent,
  FallbackEvent,
  GiveUpEvent,
  GiveUpReason,
  HedgeEvent,
  RateLimitRejectedEvent,
  RateLimitWaitEvent,
  RequestEvent,
  RequestFields,
  ResilienceEvent,
  ResilienceEventListener,
  RetryEvent,
  RetryReason,
  StoreErrorEvent,
  StoreRecoveredEvent,
  SuccessEvent,
  TimeoutEvent,
} from './events.ts';
export type { FallbackContext, FallbackOptions } from './fallback.ts';
export { fallback } from './fallback.ts';
export { parseRetryAfter } from './headers/retry-after.ts';
export { hedge } from './hedge/hedge.ts';
export type { HedgeOptions } from './hedge/options.ts';
export { installGlobal } from './install-global.ts';
export type { Metrics, MetricsSnapshot } from './metrics.ts';
export { createMetrics } from './metrics.ts';
export type { RateLimitOptions } from './rate-limit/options.ts';
export type { RateLimiter, RateLimitState } from './rate-limit/rate-limit.ts';
export { rateLimit } from './rate-limit/rate-limit.ts';
export type { RequestRetryOptions, ResilienceRequestOptions } from './request-options.ts';
export type { ResilientFetch, ResilientFetchOptions } from './resilient-fetch.ts';
export { resilientFetch } from './resilient-fetch.ts';
export type { RetryBudgetOptions, RetryContext, RetryOptions } from './retry/options.ts';
export { retry } from './retry/retry.ts';
export type {
  Operation,
  OperationContext,
  RetryAllOptions,
  RetryAllResult,
  RetryAsyncContext,
  RetryAsyncOptions,
} from './retry/retry-async.ts';
export { retryAll, retryAsync } from './retry/retry-async.ts';
export { retryDefaults } from './retry/rules.ts';
export type { Store, StoreHandle, StoreLink, StoreUpdate, TrialOutcome } from './store.ts';
export type { TimeoutOptions } from './timeout.ts';
export { timeout } from './timeout.ts';
export type { FetchLike, Middleware } from './types.ts';
