import type { Backoff, BackoffContext } from '../backoff.ts';
import { type Clock, clampDelay } from '../clock.ts';
import { RetryExhaustedError } from '../errors/retry-exhausted-error.ts';
import type { GiveUpReason } from '../events.ts';
import type { Outcome } from '../outcome.ts';
import type { RetryBudget } from './budget.ts';
import { abortReason, isCircuitRefusal, type Verdict } from './rules.ts';

/**
 * The one retry loop, shared by `retry()` (attempts are fetches) and `retryAsync()` (attempts are any async
 * operation): attempt → classify the outcome → limit and budget → wait → next attempt. What an attempt is, how
 * an outcome is judged and what is reported belong to the kind of attempt (`Attempts`); the order of those
 * steps is the engine's.
 */

/** The state of one call through the engine; kinds of attempts extend it with their own fields. */
export interface RunState {
  /** Retries allowed for this call. */
  limit: number;
  /** Why a wanted retry beyond `limit` is refused: `'limit'`, or why this call may not retry at all. */
  refusal: GiveUpReason;
  backoff: Backoff;
  /** The caller's signal (or the run's own): an abort ends the call at once with its reason. */
  signal: AbortSignal | undefined;
  /** `clock.now()` when the call started. */
  start: number;
  /** Attempts started so far. */
  attempts: number;
  /** The delay used before the previous retry. */
  previousDelay?: number | undefined;
}

export type { Verdict };

/**
 * One kind of attempt, as the engine drives it: how to make one, judge its outcome, report it and release a
 * value it will not return. `httpAttempts()` (fetches) and `retryAsync`'s operations are the two kinds.
 */
export interface Attempts<T, C extends RunState, X extends BackoffContext> {
  clock: Clock;
  budget?: RetryBudget | undefined;
  /** Makes attempt number `n` (from 1). */
  attempt(call: C, n: number): Promise<T>;
  /** Judges an outcome; `final` is true when no retry may follow, so nothing needs to be prepared for one. */
  classify(call: C, outcome: Outcome<T>, final: boolean): Verdict | Promise<Verdict>;
  /** The context handed to the backoff and the retry hook. */
  context(call: C, outcome: Outcome<T>, verdict: Verdict): X;
  /** A retry is about to wait `delay` ms. */
  retrying?(call: C, context: X, delay: number, verdict: Verdict & { kind: 'retry' }): void;
  /** The call ends: with success (`giveUp` undefined), or by giving up. */
  end?(call: C, outcome: Outcome<T>, giveUp: GiveUpReason | undefined): void;
  /**
   * Whether what is below (a circuit breaker) would let the next attempt in, `delay` ms from now; `undefined`
   * when nothing below says. `false` ends the call at once with the outcome it has.
   */
  admits?(call: C, delay: number): boolean | undefined;
}

/**
 * Releases a value that will not be returned: a response's body is cancelled, since undici keeps the
 * connection busy until the body is consumed or cancelled. Anything else has nothing to release.
 */
function discard(value: unknown): undefined {
  try {
    (value as Response | undefined)?.body?.cancel().catch(() => {});
  } catch {
    // A locked or foreign body: nothing more can be done for it.
  }
}

/**
 * Runs `call` under `attempts` until it succeeds, may not retry, or runs out of attempts. The first attempt is
 * chained without an async function: a call that succeeds first time (most of them) never enters the loop.
 */
export function execute<T, C extends RunState, X extends BackoffContext>(
  attempts: Attempts<T, C, X>,
  call: C,
): Promise<T> {
  let first: Promise<T>;
  try {
    first = attempts.attempt(call, ++call.attempts);
  } catch (error) {
    return run(attempts, call, { threw: true, error });
  }
  return Promise.resolve(first).then(
    (value) => {
      const outcome: Outcome<T> = { threw: false, value };
      const judged = classify(attempts, call, outcome);
      // A promise has no `kind`: only a verdict already made ends the call here.
      if ((judged as Verdict).kind === 'done') return endWith(attempts, call, outcome, undefined);
      return run(attempts, call, outcome, judged);
    },
    (error) => run(attempts, call, { threw: true, error }),
  );
}

/** The attempts's verdict on the latest attempt; a throw ends the call (the value it would return is discarded). */
function classify<T, C extends RunState, X extends BackoffContext>(
  attempts: Attempts<T, C, X>,
  call: C,
  outcome: Outcome<T>,
): Verdict | Promise<Verdict> {
  try {
    return attempts.classify(call, outcome, call.attempts > call.limit);
  } catch (error) {
    throw failedToJudge(attempts, call, outcome, error);
  }
}

function failedToJudge<T, C extends RunState, X extends BackoffContext>(
  attempts: Attempts<T, C, X>,
  call: C,
  outcome: Outcome<T>,
  error: unknown,
): unknown {
  discard((outcome as { value?: T }).value);
  attempts.end?.(call, { threw: true, error }, 'not-retryable');
  return error;
}

/** The loop, from the outcome of attempt `call.attempts` (and its verdict when already judged). */
async function run<T, C extends RunState, X extends BackoffContext>(
  attempts: Attempts<T, C, X>,
  call: C,
  outcome: Outcome<T>,
  judged?: Verdict | Promise<Verdict>,
): Promise<T> {
  for (;;) {
    const n = call.attempts;
    const signal = call.signal;
    if (!judged) {
      // The caller's abort or an outer deadline: never retried, whatever the error says.
      if (outcome.threw && signal?.aborted) {
        attempts.end?.(call, outcome, abortReason(signal));
        throw signal.reason;
      }
      judged = classify(attempts, call, outcome);
    }

    const final = n > call.limit;
    let verdict: Verdict;
    try {
      verdict = await judged;
    } catch (error) {
      throw failedToJudge(attempts, call, outcome, error);
    }
    // A value (done: no `giveUp`), a failure not retried (its `giveUp`), or rule 8 (rules.ts, applied here): a retry beyond
    // the limit ends the call with what it has; then the breaker below, then the budget.
    if (verdict.kind !== 'retry') {
      return endWith(attempts, call, outcome, (verdict as { giveUp?: GiveUpReason }).giveUp);
    }
    if (final) return endWith(attempts, call, outcome, call.refusal);
    const context = attempts.context(call, outcome, verdict);
    // A server-given wait replaces the backoff and is not jittered; no timer ever exceeds 2^31−1 ms.
    const delay = clampDelay(verdict.wait ?? call.backoff(n, context));
    // API.md, "An open circuit never hides a real answer": asked before the wait and before the budget.
    const admitted = attempts.admits?.(call, delay);
    if (admitted === false) return endWith(attempts, call, outcome, 'circuit-open');
    // The budget refused a retry: `end` is told so by the reason.
    if (attempts.budget?.withdraw(attempts.clock.now()) === false) {
      return endWith(attempts, call, outcome, 'budget');
    }

    attempts.retrying?.(call, context, delay, verdict);
    // With a breaker below, the answer is kept until the next attempt is let in: should the breaker refuse
    // it after all (the circuit opened meanwhile), the call ends with this answer, not a CircuitOpenError.
    // Else it is released now, and nothing is held. (An error has no value: `discard(undefined)` does nothing.)
    const value = (outcome as { value?: T }).value;
    const held = admitted ? value : discard(value);
    try {
      await attempts.clock.sleep(delay, signal);
    } catch (error) {
      discard(held);
      attempts.end?.(call, { threw: true, error }, abortReason(signal));
      throw error;
    }
    call.previousDelay = delay;
    const previous = outcome;

    judged = undefined;
    try {
      outcome = { threw: false, value: await attempts.attempt(call, ++call.attempts) };
    } catch (error) {
      outcome = { threw: true, error };
    }
    // Refused below without reaching the network: a `CircuitOpenError`.
    if (admitted && outcome.threw && isCircuitRefusal(outcome.error)) {
      call.attempts--;
      return endWith(attempts, call, previous, 'circuit-open');
    }
    discard(held);
  }
}

/**
 * Ends the call with `outcome`: its value, or its error (a `RetryExhaustedError` when a retryable error ends
 * a call that made more than one attempt). `giveUp` is why it ends, `undefined` for an outcome judged done.
 * The rules judge an error they do not retry `'not-retryable'` (never done); any other reason ends a call
 * whose error was worth retrying.
 */
function endWith<T, C extends RunState, X extends BackoffContext>(
  attempts: Attempts<T, C, X>,
  call: C,
  outcome: Outcome<T>,
  giveUp: GiveUpReason | undefined,
): T {
  attempts.end?.(call, outcome, giveUp);
  if (!outcome.threw) return outcome.value;
  throw giveUp !== 'not-retryable' && call.attempts > 1
    ? new RetryExhaustedError(call.attempts, outcome.error)
    : outcome.error;
}
