import { type Backoff, defaultBackoff } from '../backoff.ts';
import { type Clock, startTimer, systemClock } from '../clock.ts';
import { RetryExhaustedError } from '../errors/retry-exhausted-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import type { Outcome } from '../outcome.ts';
import {
  clockOption,
  deadline,
  func,
  invalid,
  nonNegativeInteger,
  type OptionSpecs,
  optionsObject,
  positiveInteger,
  ratio,
  readOptions,
  rule,
} from '../validate.ts';
import { type Attempts, execute, type RunState } from './engine.ts';
import { DONE, NOT_RETRYABLE, type Verdict } from './rules.ts';

/** What an operation run by `retryAsync()` is given. */
export interface OperationContext {
  /** The attempt number, from 1. */
  attempt: number;
  /** Aborts when the caller's `signal` aborts or the run's `timeout` passes: pass it on to what you call. */
  signal: AbortSignal;
}

/** What `shouldRetry`, `onRetry` and `backoff` learn about the attempt that just failed. */
export interface RetryAsyncContext {
  /** Attempts made so far, counting the one that just failed (1 after the first). */
  attempt: number;
  /** ms since the run started. */
  elapsed: number;
  /** The error of the attempt that just failed. */
  error: unknown;
  /** The delay used before the previous retry, in ms. */
  previousDelay?: number;
}

/** Options of `retryAsync()`. */
export interface RetryAsyncOptions {
  /** Retries after the first attempt (so `limit + 1` attempts at most). @default 2 */
  limit?: number;
  /** Delay before retry number `attempt` (1 for the first). @default exponentialBackoff() with full jitter */
  backoff?: Backoff;
  /**
   * Whether to retry after `error`: `true`, `false`, or `undefined` for the default, which retries every error
   * but an abort (an error named `AbortError`).
   */
  shouldRetry?: (
    error: unknown,
    context: RetryAsyncContext,
  ) => boolean | undefined | Promise<boolean | undefined>;
  /** Ends the run at once when it aborts; the run rejects with its reason. */
  signal?: AbortSignal;
  /** ms for the whole run, waits included; the run then rejects with a `TimeoutError`. @default none */
  timeout?: number;
  /** Called before each wait, with the context and the chosen delay in ms. */
  onRetry?: (context: RetryAsyncContext, delay: number) => void;
  /** Time and randomness, for tests. @default systemClock */
  clock?: Clock;
}

/** Options of `retryAll()`: those of `retryAsync()`, applied to each operation, plus these. */
export interface RetryAllOptions extends RetryAsyncOptions {
  /** Operations running at once. @default 8 */
  concurrency?: number;
  /** When set (0–1), fewer successes than this share reject the whole with `RetryExhaustedError`. */
  minSuccessRatio?: number;
}

/** An operation for `retryAsync()`. A synchronous throw counts as a failed attempt. */
export type Operation<T> = (context: OperationContext) => Promise<T> | T;

/** What `retryAll()` resolves to: values and errors, each in input order. */
export interface RetryAllResult<T> {
  /** Values of the operations that succeeded, in input order. */
  successful: T[];
  /** Errors of the operations that failed, in input order. */
  failed: unknown[];
}

type Settings = RetryAllOptions &
  Required<Pick<RetryAllOptions, 'limit' | 'backoff' | 'clock' | 'concurrency' | 'minSuccessRatio'>> & {
    /** Attempts made by all runs on these settings (those of one `retryAll()`). */
    made: number;
  };

const RETRY: Verdict = { kind: 'retry', reason: 'should-retry' };

const SPECS: OptionSpecs<RetryAsyncOptions> = {
  clock: [clockOption, systemClock],
  signal: [
    rule((signal) => typeof (signal as AbortSignal)?.addEventListener === 'function', 'an AbortSignal'),
  ],
  limit: [nonNegativeInteger, 2],
  backoff: [func],
  shouldRetry: [func],
  onRetry: [func],
  timeout: [deadline],
};

/** The options read once for a run or a `retryAll()`, against `specs` (`retryAll` adds its own to the table). */
function settings(
  name: string,
  options: RetryAllOptions,
  specs: OptionSpecs<RetryAsyncOptions> | OptionSpecs<RetryAllOptions> = SPECS,
): Settings {
  optionsObject(`${name}: options`, options);
  const s = readOptions<RetryAsyncOptions, Settings>(`${name}: `, options, specs);
  s.backoff ??= defaultBackoff(() => s.clock.random());
  s.made = 0;
  return s;
}

async function run<T>(operation: Operation<T>, s: Settings): Promise<T> {
  const caller = s.signal;
  if (caller?.aborted) throw caller.reason;
  // One controller per run, linked to the caller's signal by a listener removed when the run settles; an abort
  // also rejects `aborted`, which each attempt races, so the run ends at once whatever the operation does. The
  // engine makes the first attempt synchronously, so `aborted` has a handler before it can ever reject.
  const controller = new AbortController();
  const signal = controller.signal;
  let stop!: (reason: unknown) => void;
  const aborted = new Promise<never>((_, reject) => {
    stop = reject;
  });
  const abort = (reason: unknown) => {
    controller.abort(reason);
    stop(reason);
  };
  const onAbort = () => abort(caller!.reason);
  caller?.addEventListener('abort', onAbort);
  const limit = s.timeout;
  const timer = limit && startTimer(() => abort(new TimeoutError(limit)), limit);
  const context = (call: RunState, outcome: Outcome<T>): RetryAsyncContext => {
    // Only a failed attempt is retried, so `outcome` holds an error.
    const ctx: RetryAsyncContext = {
      attempt: call.attempts,
      elapsed: s.clock.now() - call.start,
      error: (outcome as { error: unknown }).error,
    };
    if (call.previousDelay !== undefined) ctx.previousDelay = call.previousDelay;
    return ctx;
  };
  // The run's state and its kind of attempts in one object, which the engine is handed twice; `limit`,
  // `backoff` and `clock` come with the settings.
  const call: RunState & Attempts<T, RunState, RetryAsyncContext> = {
    ...s,
    refusal: 'limit',
    signal,
    start: s.clock.now(),
    attempts: 0,
    // The async wrapper makes a synchronous throw a failed attempt.
    attempt: (_call, attempt) => Promise.race([aborted, (async () => operation({ attempt, signal }))()]),
    async classify(call, outcome) {
      if (!outcome.threw) return DONE;
      const answer = await s.shouldRetry?.(outcome.error, context(call, outcome));
      // No answer: every error but an abort is retried.
      return (answer === undefined ? (outcome.error as Error | undefined)?.name !== 'AbortError' : answer)
        ? RETRY
        : NOT_RETRYABLE;
    },
    context,
    retrying: (_call, ctx, delay) => s.onRetry?.(ctx, delay),
  };
  try {
    return await execute(call, call);
  } finally {
    s.made += call.attempts;
    clearTimeout(timer);
    caller?.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs `operation` until it resolves, retrying failures with backoff: the same engine as `retry()`, for code
 * that is not a fetch (an SDK call, a database query). With `limit: 0` an error is rethrown unchanged; after
 * more than one attempt a retryable failure rejects with `RetryExhaustedError` (`cause` = the last error);
 * an error `shouldRetry` refuses is rethrown unchanged.
 *
 * @example
 * ```ts
 * const user = await retryAsync(({ signal }) => db.findUser(id, { signal }), { limit: 4, timeout: 5_000 });
 * ```
 */
export async function retryAsync<T>(operation: Operation<T>, options: RetryAsyncOptions = {}): Promise<T> {
  func('retryAsync: operation', operation, false);
  return run(operation, settings('retryAsync', options));
}

/**
 * Runs many operations, each with `retryAsync()`, at most `concurrency` at once. Resolves with the values and
 * the errors, each in input order; with `minSuccessRatio`, rejects with a `RetryExhaustedError` carrying
 * both (`attempts` = all attempts made, `cause` = an `AggregateError` of the failures) when too few succeed.
 * When `signal` aborts, rejects with its reason.
 *
 * @example
 * ```ts
 * const { successful, failed } = await retryAll(ids.map((id) => () => fetchJson(id)), { concurrency: 4 });
 * ```
 */
export async function retryAll<T>(
  operations: readonly Operation<T>[],
  options: RetryAllOptions = {},
): Promise<RetryAllResult<T>> {
  if (!Array.isArray(operations)) invalid('retryAll: operations', 'an array of functions', operations);
  operations.forEach((op, i) => {
    func(`retryAll: operations[${i}]`, op, false);
  });
  // No minSuccessRatio reads as 0, which never rejects.
  const s = settings('retryAll', options, {
    ...SPECS,
    concurrency: [positiveInteger, 8],
    minSuccessRatio: [ratio, 0],
  });

  // Each value or error at its operation's index; Object.values() then lists them in input order.
  let successful: T[] = [];
  let failed: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < operations.length) {
      const i = next++;
      try {
        successful[i] = await run(operations[i]!, s);
      } catch (error) {
        failed[i] = error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(s.concurrency, operations.length) }, worker));
  if (s.signal?.aborted) throw s.signal.reason;

  successful = Object.values(successful);
  failed = Object.values(failed);
  if (successful.length < s.minSuccessRatio * operations.length) {
    const cause = new AggregateError(failed, `${failed.length} of ${operations.length} operations failed`);
    throw new RetryExhaustedError(s.made, cause, { successful, failed });
  }
  return { successful, failed };
}
