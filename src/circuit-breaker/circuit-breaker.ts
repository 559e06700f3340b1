import type { CircuitState } from '../events.ts';
import { requestSignal } from '../request-info.ts';
import { perRequest } from '../request-options.ts';
import { isResponse, notAResponse } from '../response-check.ts';
import type { FetchLike, Middleware } from '../types.ts';
import { invalid } from '../validate.ts';
import { admission, type BreakerCore, fleetOf, registerCore } from './admission.ts';
import { Circuit } from './circuit.ts';
import { consecutiveStrategy } from './consecutive.ts';
import { controls } from './control.ts';
import { originKey } from './key.ts';
import { type CircuitBreakerOptions, normaliseBreakerOptions } from './options.ts';
import { Registry } from './registry.ts';
import { type SamplingStrategyOptions, samplingStrategy } from './sampling.ts';
import { settlement } from './settlement.ts';

/** A circuit breaker: a `Middleware` that also carries state inspection and manual control, per key. */
export interface CircuitBreaker extends Middleware {
  /** The state a call to `key` would meet now; `'closed'` for a key never seen. */
  state(key: string): CircuitState;
  /** Holds the circuit open until `reset(key)`: every call is refused with `retryAfter: Infinity`. */
  isolate(key: string): void;
  /** Closes the circuit and forgets its failures and any server cool-down. */
  reset(key: string): void;
  /** Opens the circuit now, as if it had just tripped: trial calls after `recoveryTimeout`. */
  open(key: string): void;
  /** How many circuits are held (at most `maxCircuits`, plus isolated ones). */
  readonly size: number;
}

/**
 * Stops calling an origin that keeps failing. One circuit per origin by default: after `failureThreshold`
 * failures in a row (or a failure rate over a window, with `failureRateThreshold`) the circuit opens and calls
 * to that origin are refused at once with a `CircuitOpenError`, without touching the network; after
 * `recoveryTimeout` a few trial calls go through, and their outcome closes or re-opens it.
 *
 * A 429, 503, 529 or rate-limit 403 with `Retry-After` (or `retry-after-ms`) also holds back every other call
 * to that origin until the time the server named (`coolDown`). `init.resilience.circuitBreaker: false` bypasses the breaker for one call.
 *
 * The parts, each in its file: admission (`admission.ts`), settlement (`settlement.ts`), server cool-down
 * (`cool-down.ts`), the state machine of one circuit (`circuit.ts`) and the bounded registry (`registry.ts`).
 *
 * @example
 * ```ts
 * const breaker = circuitBreaker({ failureThreshold: 3, recoveryTimeout: 10_000 });
 * const guardedFetch = compose(breaker, timeout(5_000))(globalThis.fetch);
 * breaker.state('https://api.example.com'); // 'closed'
 * ```
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const o = normaliseBreakerOptions(options);
  const registry = new Registry(o.maxCircuits, (key): Circuit => {
    const strategy =
      o.failureRateThreshold === undefined
        ? consecutiveStrategy(o.failureThreshold)
        : samplingStrategy(o as SamplingStrategyOptions);
    return fleet ? fleet.circuit(key, strategy, o) : new Circuit(key, strategy, o);
  });
  const fleet = o.store && fleetOf(o.store, o, (): Registry => registry);
  const core: BreakerCore = { ...o, registry, keyOf: o.key ?? lastOriginKey(), fleet };
  const admit = admission(core);
  const settle = settlement(core);

  const middleware: Middleware = (next: FetchLike) =>
    async function circuitBreakerFetch(input, init) {
      if (perRequest(init, 'circuitBreaker', onlyFalse) === false) return next(input, init);
      let permit = admit(input, init);
      // Awaited only when admission had to wait: the common path costs no extra tick.
      if (permit instanceof Promise) permit = await permit;
      let response: Response;
      try {
        response = await next(input, init);
        // Reading `status` off it would throw a plain TypeError that retry takes for a network error. The error
        // says nothing about the server, abort or not: settling gives back the slot.
        if (!isResponse(response)) throw notAResponse('circuitBreaker', response);
      } catch (error) {
        settle(permit, { error }, requestSignal(input, init)?.aborted);
        throw error;
      }
      settle(permit, { response });
      return response;
    };

  const control = controls(registry, o.clock);
  const breaker = Object.assign(middleware, fleet ? fleet.controls(control) : control);
  Object.defineProperty(breaker, 'size', { get: () => registry.size, enumerable: true });
  registerCore(breaker, core);
  return breaker as CircuitBreaker;
}

/** The default key, remembering the last URL: most calls go to the origin of the call before. */
function lastOriginKey(): (url: string) => string {
  let lastUrl: string | undefined;
  let lastKey = '';
  return (url) => {
    if (url !== lastUrl) {
      lastKey = originKey(url);
      lastUrl = url;
    }
    return lastKey;
  };
}

/** `resilience.circuitBreaker` may only turn the breaker off for a call. */
const onlyFalse = (where: string, value: unknown): never => invalid(where, 'false', value);
