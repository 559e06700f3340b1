import { type AdmissionProbe, PROBE } from '../admission-probe.ts';
import type { Clock } from '../clock.ts';
import type { GiveUpEvent, ResilienceEventListener, RetryEvent, SuccessEvent } from '../events.ts';
import { requestUrl } from '../request-info.ts';
import { isResponse, markBroken, notAResponse } from '../response-check.ts';
import type { FetchLike } from '../types.ts';
import type { RetryBudget } from './budget.ts';
import type { Attempts, RunState } from './engine.ts';
import type { NormalisedRetryOptions, RetryContext } from './options.ts';
import { type Attempt, errorVerdict, overrideVerdict, responseVerdict, type Verdict } from './rules.ts';

/** One fetch call through the retry stage; it is also what the retry rules read of its request. */
export interface HttpCall extends RunState, Attempt {
  input: string | URL | Request;
  /** The init passed downstream: the caller's, marked so that a retry stage below does not retry too. */
  init: RequestInit;
  options: NormalisedRetryOptions;
  /** Send a `clone()` of the `Request` input on every attempt a retry may follow. */
  clone: boolean;
  /** The redacted URL for events, computed once per call when there is a listener (else unused). */
  url: string;
  /** The context built for the current attempt (for `shouldRetry`), reused by the backoff and `onRetry`. */
  context: RetryContext | undefined;
}

/** Fetch calls as the retry engine's attempts: each goes to `next`, its outcome judged by the HTTP rules. */
export function httpAttempts(
  next: FetchLike,
  clock: Clock,
  budget: RetryBudget | undefined,
  onEvent: ResilienceEventListener | undefined,
): Attempts<Response, HttpCall, RetryContext> {
  const now = () => clock.now();
  return {
    clock,
    budget,
    attempt(call, n) {
      onEvent?.({ type: 'attempt', attempt: n, url: call.url, method: call.method });
      let input = call.input;
      // Errors no retry can fix, marked so that the rules never retry them.
      if (call.clone && n <= call.limit) {
        try {
          input = (input as Request).clone();
        } catch (error) {
          // A body already read cannot be cloned.
          throw markBroken(error);
        }
      }
      try {
        return next(input, call.init);
      } catch (error) {
        throw markBroken(
          new TypeError('retry: the transport threw synchronously; a fetch function must return a promise', {
            cause: error,
          }),
        );
      }
    },

    classify(call, outcome, final) {
      const options = call.options;
      let verdict: Verdict;
      if (outcome.threw) {
        verdict = errorVerdict(options, call, outcome.error);
      } else {
        const response = outcome.value;
        if (!isResponse(response)) {
          throw notAResponse('retry', response);
        }
        verdict = responseVerdict(options, call, response, final, now);
      }
      call.context = undefined;
      if (!options.shouldRetry) return verdict;
      call.context = this.context(call, outcome, verdict);
      return overrideVerdict(options, call, call.context, verdict, final, now);
    },

    /**
     * The context for `shouldRetry`, the backoff and `onRetry`: the one built for this attempt
     * (`call.context`), else a new one, with the wait `verdict` holds.
     */
    context(call, outcome, verdict) {
      let context = call.context;
      if (!context) {
        context = {
          attempt: call.attempts,
          elapsed: clock.now() - call.start,
          method: call.method,
          url: requestUrl(call.input),
        };
        if (outcome.threw) context.error = outcome.error;
        else context.response = outcome.value;
        if (call.previousDelay !== undefined) context.previousDelay = call.previousDelay;
      }
      // Only a retry has a wait.
      const wait = (verdict as { wait?: number }).wait;
      if (wait !== undefined) context.retryAfter = wait;
      return context;
    },

    retrying(call, context, delay, verdict) {
      call.options.onRetry?.(context, delay);
      if (!onEvent) return;
      const event: RetryEvent = {
        type: 'retry',
        attempt: call.attempts,
        delay,
        reason: verdict.reason,
        url: call.url,
        method: call.method,
        elapsed: clock.now() - call.start,
      };
      if (context.response) event.status = context.response.status;
      onEvent(event);
    },

    end(call, outcome, giveUp) {
      if (!onEvent) return;
      if (giveUp === 'budget') onEvent({ type: 'budget-exhausted', url: call.url, method: call.method });
      // One object for both events: a success carries a status and no reason, a give-up a reason.
      const event = {
        type: giveUp ? 'give-up' : 'success',
        attempts: call.attempts,
        url: call.url,
        method: call.method,
        elapsed: clock.now() - call.start,
      } as Omit<GiveUpEvent, 'type'> & { type: 'success' | 'give-up' };
      if (giveUp) event.reason = giveUp;
      // An outcome the call ends with is an error or a response: the rules have checked it is one.
      if (outcome.threw) event.error = errorName(outcome.error);
      else event.status = outcome.value.status;
      onEvent(event as SuccessEvent | GiveUpEvent);
    },

    admits(call, delay) {
      // Where a breaker below says whether it would let the next attempt in.
      const probe = (call.init as Record<symbol, AdmissionProbe<object> | undefined>)[PROBE];
      return probe?.circuit && probe.admitsIn?.(probe.circuit, delay);
    },
  };
}

function errorName(error: unknown): string {
  const name = (error as Error | undefined)?.name;
  return typeof name === 'string' ? name : typeof error;
}
