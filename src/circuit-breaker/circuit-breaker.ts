import { CircuitOpenError, isCircuitOpenError } from '../errors/circuit-open-error.ts';
import { type CircuitState, redactUrl } from '../events.ts';
import { requestMethod, requestSignal, requestUrl } from '../request-info.ts';
import { isBrokenTransport, isResponse, notAResponse, transportFailure } from '../response-check.ts';
import type { FetchLike, Middleware } from '../types.ts';
import { ADMITTED, Circuit, type CircuitConfig } from './circuit.ts';
import { consecutiveStrategy } from './consecutive.ts';
import { controls } from './control.ts';
import { mayCoolDown, serverWait } from './cool-down.ts';
import { Fleet } from './fleet.ts';
import { originKey } from './key.ts';
import { type CircuitBreakerOptions, normaliseBreakerOptions } from './options.ts';
import { ADMIT, type Outcome, Permit } from './permit.ts';
import { Registry } from './registry.ts';
import { samplingStrategy } from './sampling.ts';
import type { CircuitBreakerSnapshot } from './snapshot.ts';

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
  /** The circuits that differ from a fresh one, as plain JSON with absolute times (see `restore`). */
  toJSON(): CircuitBreakerSnapshot;
  /** Takes back what `toJSON()` returned, possibly in another process; circuits not listed are kept. */
  restore(snapshot: CircuitBreakerSnapshot): void;
  /** How many circuits are held (at most `maxCircuits`, plus isolated ones). */
  readonly size: number;
  /** @internal */
  readonly [ADMIT]: (
    input: string | URL | Request,
    init: RequestInit | undefined,
  ) => Permit | Promise<Permit>;
}

/** The most jitter added to the end of a cool-down wait, so waiting calls trickle back instead of stampeding. */
const MAX_RELEASE_SPREAD = 1_000;

/**
 * Stops calling an origin that keeps failing. One circuit per origin by default: after `failureThreshold`
 * failures in a row (or a failure rate over a window, with `failureRateThreshold`) the circuit opens and calls
 * to that origin are refused at once with a `CircuitOpenError`, without touching the network; after
 * `recoveryTimeout` a few trial calls go through, and their outcome closes or re-opens it.
 *
 * A 429, 503, 529 or rate-limit 403 with `Retry-After` (or `retry-after-ms`) also holds back every other call
 * to that origin until the time the server named (`coolDown`). `init.resilience.circuitBreaker: false` bypasses the breaker for one call.
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
  const { clock, onEvent, isFailure } = o;
  // Most calls go to the origin of the call before: the last key is kept, so its hash is too.
  let lastUrl: string | undefined;
  let lastKey = '';
  const cachedOriginKey = (url: string) => {
    if (url !== lastUrl) {
      lastKey = originKey(url);
      lastUrl = url;
    }
    return lastKey;
  };
  const keyOf = o.key ?? cachedOriginKey;
  const rate = o.failureRateThreshold;
  const config: CircuitConfig = {
    recoveryTimeout: o.recoveryTimeout,
    halfOpenMaxCalls: o.halfOpenMaxCalls,
    successThreshold: o.successThreshold,
    changed: (key, from, to) => onEvent?.({ type: 'circuit-state', key, from, to }),
  };
  const registry = new Registry(o.maxCircuits, (key): Circuit => {
    const strategy =
      rate === undefined
        ? consecutiveStrategy(o.failureThreshold)
        : samplingStrategy({
            threshold: rate,
            duration: o.samplingDuration,
            minimumThroughput: o.minimumThroughput,
          });
    return fleet ? fleet.circuit(key, strategy, config) : new Circuit(key, strategy, config);
  });
  const fleet = o.store && new Fleet(o.store, o, (): Registry => registry);

  const refuse = (key: string, retryAfter: number, input: string | URL | Request, init?: RequestInit) => {
    onEvent?.({
      type: 'circuit-rejected',
      key,
      retryAfter,
      url: redactUrl(requestUrl(input)),
      method: requestMethod(input, init),
    });
    return new CircuitOpenError(key, retryAfter);
  };

  /** Waits out (or refuses during) a server cool-down; loops because a new 429 may extend it meanwhile. */
  const holdBack = async (key: string, input: string | URL | Request, init: RequestInit | undefined) => {
    for (;;) {
      const now = clock.now();
      const left = (registry.peek(key)?.coolDownUntil ?? 0) - now;
      if (left <= 0) return;
      if (o.coolDown === 'fail-fast') throw refuse(key, left, input, init);
      const spread = Math.min(MAX_RELEASE_SPREAD, left / 10);
      await clock.sleep(left + clock.random() * spread, requestSignal(input, init));
    }
  };

  const noteCoolDown = (circuit: Circuit, response: Response, now: number) => {
    const wait = serverWait(response, now);
    // A longer wait is left to the call that got it (retry's maxRetryAfter); the failures that follow still count.
    if (wait === undefined || wait <= 0 || wait > o.maxCoolDown || now + wait <= circuit.coolDownUntil)
      return;
    circuit.coolDownUntil = now + wait;
    fleet?.coolDown(circuit, now + wait);
    onEvent?.({ type: 'circuit-cool-down', key: circuit.key, delay: wait });
  };

  const judge = (outcome: { response?: Response; error?: unknown }) =>
    isFailure
      ? isFailure(outcome)
      : outcome.response
        ? outcome.response.status >= 500
        : transportFailure(outcome.error) !== undefined;

  /**
   * Admission, shared by the middleware and the ky hooks: waits out a server cool-down if needed, then lets
   * the attempt in (a `Permit` that must be settled exactly once) or throws `CircuitOpenError`.
   * Synchronous unless it has to wait, so the common path costs no extra promise; a closed circuit with no
   * cool-down does not even read the clock.
   */
  const admit = (input: string | URL | Request, init: RequestInit | undefined): Permit | Promise<Permit> => {
    const key = keyOf(requestUrl(input), init);
    const known = registry.find(key);
    if (known !== undefined && known.state === 'closed' && known.coolDownUntil === 0) {
      known.inFlight++;
      return new Permit(known, false, settle);
    }
    const now = clock.now();
    const circuit = known ?? registry.get(key, now);
    if (circuit.coolDownUntil !== 0 && circuit.coolDownUntil <= now) circuit.coolDownUntil = 0;
    // An open or isolated circuit refuses anyway: no point waiting out a cool-down first.
    if (o.coolDown !== false && circuit.coolDownUntil > now && admitsSoon(circuit.effectiveState(now))) {
      return holdBack(key, input, init).then(() => enter(registry.get(key, clock.now()), input, init));
    }
    return enter(circuit, input, init, now);
  };

  const enter = (
    circuit: Circuit,
    input: string | URL | Request,
    init: RequestInit | undefined,
    now = clock.now(),
  ): Permit | Promise<Permit> => {
    const verdict = circuit.admit(now);
    if (verdict !== ADMITTED) throw refuse(circuit.key, verdict, input, init);
    circuit.inFlight++;
    const permit = new Permit(circuit, circuit.state === 'half-open', settle);
    if (fleet && permit.trial) return fleet.lease(permit, (wait) => refuse(circuit.key, wait, input, init));
    return permit;
  };

  const settle = (permit: Permit, outcome: Outcome) => {
    if (outcome.response) settleResponse(permit, outcome.response);
    else settleError(permit, outcome.error, outcome.aborted);
  };

  const settleResponse = (permit: Permit, response: Response) => {
    const { circuit, generation, trial } = permit;
    circuit.inFlight--;
    const status = response.status;
    let now = -1;
    if (o.coolDown !== false && mayCoolDown(status)) {
      now = clock.now();
      noteCoolDown(circuit, response, now);
    }
    const failed = isFailure ? judgeOrRelease(circuit, { response }, generation, trial) : status >= 500;
    // Only the rate strategy needs the time of a success while closed.
    if (now === -1 && (failed || rate !== undefined || circuit.state !== 'closed')) now = clock.now();
    circuit.finish(failed, generation, trial, now);
  };

  const settleError = (permit: Permit, error: unknown, aborted: boolean) => {
    const { circuit, generation, trial } = permit;
    circuit.inFlight--;
    if (aborted || isCircuitOpenError(error) || isBrokenTransport(error)) {
      // The caller's abort or an outer deadline, an inner breaker's refusal, or a transport that broke the
      // fetch contract: not this circuit's business.
      circuit.release(generation, trial);
    } else if (judgeOrRelease(circuit, { error }, generation, trial)) {
      circuit.finish(true, generation, trial, clock.now());
    } else {
      circuit.release(generation, trial);
    }
  };

  const middleware: Middleware = (next: FetchLike) =>
    function circuitBreakerFetch(input, init) {
      if (init?.resilience?.circuitBreaker === false) return next(input, init);
      let permit: Permit | Promise<Permit>;
      try {
        permit = admit(input, init);
      } catch (error) {
        return Promise.reject(error);
      }
      if (permit instanceof Promise) return permit.then((p) => guarded(next, p, input, init));
      return guarded(next, permit, input, init);
    };

  /** One admitted attempt: settles the permit with its outcome. */
  const guarded = (
    next: FetchLike,
    permit: Permit,
    input: string | URL | Request,
    init: RequestInit | undefined,
  ): Promise<Response> => {
    let pending: Promise<Response>;
    try {
      pending = next(input, init);
    } catch (error) {
      settleError(permit, error, requestSignal(input, init)?.aborted === true);
      return Promise.reject(error);
    }
    return Promise.resolve(pending).then(
      (response) => {
        if (!isResponse(response)) {
          // Reading `status` off it would throw a plain TypeError that retry takes for a network error.
          const error = notAResponse('circuitBreaker', response);
          settleError(permit, error, false);
          throw error;
        }
        settleResponse(permit, response);
        return response;
      },
      (error) => {
        settleError(permit, error, requestSignal(input, init)?.aborted === true);
        throw error;
      },
    );
  };

  /** Runs `isFailure`; when it throws, gives back the trial slot before the error propagates. */
  function judgeOrRelease(circuit: Circuit, outcome: object, generation: number, trial: boolean) {
    try {
      return judge(outcome);
    } catch (error) {
      circuit.release(generation, trial);
      throw error;
    }
  }

  const control = controls(registry, clock);
  const breaker = Object.assign(middleware, { [ADMIT]: admit }, fleet ? fleet.controls(control) : control);
  Object.defineProperty(breaker, 'size', { get: () => registry.size, enumerable: true });
  if (options.restore !== undefined) breaker.restore(options.restore);
  return breaker as CircuitBreaker;
}

const admitsSoon = (state: CircuitState) => state === 'closed' || state === 'half-open';
