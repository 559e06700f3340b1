import { originKey } from '../circuit-breaker/key.ts';
import { Registry } from '../circuit-breaker/registry.ts';
import { bothListeners, type ResilienceEventListener } from '../events.ts';
import { requestMethod, requestSignal, requestUrl } from '../request-info.ts';
import { replayOf } from '../retry/body.ts';
import { createBudget, type RetryBudget } from '../retry/budget.ts';
import type { RetryBudgetOptions } from '../retry/options.ts';
import type { FetchLike, Middleware } from '../types.ts';
import { LatencyWindow } from './latency.ts';
import { type HedgeOptions, normaliseHedgeOptions } from './options.ts';
import { Race } from './race.ts';

/** What every call through one `hedge()` (and one pipeline's binding of it) shares. */
export interface HedgeStage {
  delay: number | 'auto';
  maxHedges: number;
  budget: RetryBudget | undefined;
  onEvent: ResilienceEventListener | undefined;
}

/**
 * Cuts tail latency: when an attempt of an idempotent call has not answered after `delay`, another is sent
 * (up to `maxHedges`), and the first answer that is not a retryable failure wins; every other attempt is
 * aborted and its body cancelled. A failure that comes while no other attempt is out is the answer at once;
 * when every attempt fails, the last failure is. A budget keeps hedges to a share of traffic.
 *
 * Only methods in `methods` are hedged, never a `ReadableStream` body; a `Request` input with a body is sent
 * through `clone()`.
 *
 * @throws {TypeError|RangeError} for a bad option, naming it.
 * @example
 * ```ts
 * const api = resilientFetch({ hedge: hedge({ delay: 'auto' }) });
 * await api('https://api.example.com/search?q=tail');
 * ```
 */
export function hedge(options: HedgeOptions = {}): Middleware {
  const o = normaliseHedgeOptions(options);
  const budget = options.budget === false ? undefined : hedgeBudget(options.budget);
  const windows = o.delay === 'auto' ? new Registry(o.maxKeys, () => new LatencyWindow()) : undefined;
  let lastUrl: string | undefined;
  let lastWindow: LatencyWindow | undefined;

  const bind = (next: FetchLike, onEvent: ResilienceEventListener | undefined): FetchLike => {
    const stage: HedgeStage = { delay: o.delay, maxHedges: o.maxHedges, budget, onEvent };
    return function hedgeFetch(input, init) {
      if (!o.methods.has(requestMethod(input, init))) return next(input, init);
      const replay = replayOf(input, init);
      if (replay === 'not-replayable') return next(input, init);
      const caller = requestSignal(input, init);
      if (caller?.aborted) return Promise.reject(caller.reason);
      budget?.deposit(Date.now());
      let window: LatencyWindow | undefined;
      if (windows !== undefined) {
        const url = requestUrl(input);
        // Most calls go to the origin of the call before: its window is kept.
        if (url !== lastUrl || lastWindow === undefined) {
          lastWindow = windows.get(originKey(url), Date.now());
          lastUrl = url;
        }
        window = lastWindow;
      }
      return new Race(stage, next, input, init, caller, replay === 'clone', window).run();
    };
  };

  // `resilientFetch()` passes its own listener as a second argument.
  const middleware = (next: FetchLike, onEvent?: ResilienceEventListener) =>
    bind(next, bothListeners(o.onEvent, onEvent));
  return middleware;
}

/** The retry stage's budget, with errors that name this stage's option. */
function hedgeBudget(options: RetryBudgetOptions | undefined): RetryBudget {
  try {
    return createBudget(options);
  } catch (error) {
    (error as Error).message = (error as Error).message.replace(/^retry: /, 'hedge: ');
    throw error;
  }
}
