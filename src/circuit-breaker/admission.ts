import { type AdmissionProbe, probeOf } from '../admission-probe.ts';
import { CircuitOpenError } from '../errors/circuit-open-error.ts';
import { redactUrl } from '../events.ts';
import { requestMethod, requestUrl } from '../request-info.ts';
import type { Store } from '../store.ts';
import { invalid } from '../validate.ts';
import type { Circuit } from './circuit.ts';
import { holdBack } from './cool-down.ts';
import type { Fleet } from './fleet.ts';
import type { NormalisedBreakerOptions } from './options.ts';
import type { Registry } from './registry.ts';

/** What the parts of one breaker (admission, settlement, cool-down, snapshots) share: its options, and more. */
export interface BreakerCore extends NormalisedBreakerOptions {
  registry: Registry;
  keyOf(url: string, init: RequestInit | undefined): string;
  /** The breaker's side of a shared store, when it has one. */
  fleet: Fleet | undefined;
}

/** One admitted attempt, to be settled exactly once with its outcome. */
export interface Permit {
  readonly circuit: Circuit;
  /** The circuit's generation when the attempt was let in: a later change of state makes its outcome moot. */
  readonly generation: number;
  /** Let in as a half-open trial: it holds a trial slot until settled. */
  readonly trial: boolean;
}

/**
 * Each breaker's core, kept off its public type: `coreOf()` is for this package's helpers that are not methods
 * (snapshots, so that a bundle without them does not carry them) and for `kyHooks()`, which checks that a
 * breaker came from `circuitBreaker()`.
 */
const cores = new WeakMap<object, BreakerCore>();

export const registerCore = (breaker: object, core: BreakerCore): void => void cores.set(breaker, core);

/** The core of a breaker built by `circuitBreaker()` (of this copy of the package), or `undefined`. */
export const coreOf = (breaker: object): BreakerCore | undefined => cores.get(breaker);

/** How a breaker built with a `store` joins its fleet. */
export type JoinFleet = (store: Store, options: NormalisedBreakerOptions, registry: () => Registry) => Fleet;

let joinFleet: JoinFleet | undefined;

/**
 * Called by `redisStore()`: the breaker's side of a store (`fleet.ts`) reaches a bundle only with a store, so
 * one without does not carry it.
 */
export const useFleet = (join: JoinFleet): void => {
  joinFleet = join;
};

/** The breaker's side of `store`; a store that no `redisStore()` made cannot be joined. */
export function fleetOf(store: Store, options: NormalisedBreakerOptions, registry: () => Registry): Fleet {
  return (joinFleet ?? invalid('circuitBreaker: store', 'a Store from redisStore()', store))(
    store,
    options,
    registry,
  );
}

/** The error for a refused call, reported as a `'circuit-rejected'` event. */
export function refuse(
  core: BreakerCore,
  key: string,
  retryAfter: number,
  input: string | URL | Request,
  init: RequestInit | undefined,
): CircuitOpenError {
  core.onEvent?.({
    type: 'circuit-rejected',
    key,
    retryAfter,
    url: redactUrl(requestUrl(input)),
    method: requestMethod(input, init),
  });
  return new CircuitOpenError(key, retryAfter);
}

/**
 * The admission step: waits out a server cool-down if needed, then lets the attempt in (a `Permit`) or throws
 * `CircuitOpenError`. Synchronous unless it has to wait, so the common path costs no extra promise; a closed
 * circuit with no cool-down does not even read the clock.
 */
export function admission(
  core: BreakerCore,
): (input: string | URL | Request, init: RequestInit | undefined) => Permit | Promise<Permit> {
  const { registry, clock } = core;

  const enter = (
    circuit: Circuit,
    input: string | URL | Request,
    init: RequestInit | undefined,
    now = clock.now(),
  ): Permit | Promise<Permit> => {
    const refusal = circuit.refusal(now);
    if (refusal !== undefined) throw refuse(core, circuit.key, refusal, input, init);
    circuit.inFlight++;
    const permit = { circuit, generation: circuit.generation, trial: circuit.state === 'half-open' };
    // A half-open trial across a fleet also needs the fleet's lease.
    if (core.fleet && permit.trial) {
      return core.fleet.lease(permit, (wait) => refuse(core, circuit.key, wait, input, init));
    }
    return permit;
  };

  /** Whether `circuit` would let an attempt in `ms` from now: not while open or isolated then, nor cooling down. */
  const admitsIn = (circuit: Circuit, ms: number) => {
    const at = clock.now() + ms;
    return circuit.coolDownUntil <= at && circuit.admitsAt(at);
  };

  return (input, init) => {
    const key = core.keyOf(requestUrl(input), init);
    const known = registry.find(key);
    const probe = probeOf(init) as AdmissionProbe<Circuit> | undefined;
    if (probe) {
      probe.circuit = known ?? registry.get(key, clock.now());
      probe.admitsIn = admitsIn;
    }
    // A closed circuit refuses nothing whatever the time: no clock read.
    if (known?.state === 'closed' && !known.coolDownUntil) return enter(known, input, init, 0);
    const now = clock.now();
    const circuit = known ?? registry.get(key, now);
    if (circuit.coolDownUntil <= now) circuit.coolDownUntil = 0;
    // An open or isolated circuit refuses anyway: no point waiting out a cool-down first.
    if (core.coolDown !== false && circuit.coolDownUntil > now && circuit.admitsAt(now)) {
      return holdBack(core, key, input, init).then(() => enter(registry.get(key, clock.now()), input, init));
    }
    return enter(circuit, input, init, now);
  };
}
