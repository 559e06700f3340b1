import type { Store, StoreLink, StoreUpdate } from '../store.ts';
import type { JoinFleet, Permit } from './admission.ts';
import { Circuit, type CircuitConfig } from './circuit.ts';
import type { controls } from './control.ts';
import type { NormalisedBreakerOptions } from './options.ts';
import type { Registry } from './registry.ts';
import type { Strategy } from './strategy.ts';

type Controls = ReturnType<typeof controls>;

/**
 * The breaker's side of a `Store`: the one place where local circuits report to the fleet and where the
 * fleet's updates reach them. The breaker calls it at four points (circuit creation, a cool-down, a trial's
 * admission, manual control); everything else, the rules included, lives in the store.
 */
export class Fleet {
  declare readonly link: StoreLink;
  readonly #registry: () => Registry;
  readonly #o: NormalisedBreakerOptions;

  constructor(store: Store, o: NormalisedBreakerOptions, registry: () => Registry) {
    this.#o = o;
    this.#registry = registry;
    this.link = store.attach({
      recoveryTimeout: o.recoveryTimeout,
      maxCoolDown: o.maxCoolDown,
      halfOpenMaxCalls: o.halfOpenMaxCalls,
      successThreshold: o.successThreshold,
      apply: (key, update) => this.#apply(key, update),
      emit: (event) => o.onEvent?.(event),
    });
  }

  /** A circuit that reports its openings and trial outcomes to the store. */
  circuit(key: string, strategy: Strategy, config: CircuitConfig): Circuit {
    return new FleetCircuit(key, strategy, config, this.link);
  }

  /** A server cool-down started here; `until` is the local epoch ms it ends. */
  coolDown(circuit: Circuit, until: number): void {
    this.link.coolDown(circuit.key, until - this.#o.clock.now());
  }

  /**
   * A half-open trial asks the fleet for a lease (bounded by the store's `timeout`). Refused: its slot is
   * given back and the call gets the refusal `refuse(retryAfter)` builds.
   */
  async lease(permit: Permit, refuse: (retryAfter: number) => Error): Promise<Permit> {
    const { circuit, generation } = permit;
    const retryAfter = await this.link.lease(circuit.key);
    if (retryAfter === undefined) return permit;
    circuit.inFlight--;
    if (generation === circuit.generation) circuit.trials--;
    throw refuse(retryAfter);
  }

  /** Manual control that applies to the fleet too. */
  controls(local: Controls): Controls {
    const shared = (action: 'isolate' | 'reset' | 'open') => (key: string) => {
      local[action](key);
      this.link.control(key, action);
    };
    return { ...local, isolate: shared('isolate'), reset: shared('reset'), open: shared('open') };
  }

  /**
   * What the fleet says, applied within this process's own limits: an opening lasts at most
   * `recoveryTimeout`, a cool-down at most `maxCoolDown`. Only `reset` ends an isolation.
   */
  #apply(key: string, update: StoreUpdate): void {
    if (typeof key !== 'string' || typeof update !== 'object' || update === null) return;
    const now = this.#o.clock.now();
    const registry = this.#registry();
    const type = update.type;
    if (type === 'open' || type === 'cool-down') {
      const limit = type === 'open' ? this.#o.recoveryTimeout : this.#o.maxCoolDown;
      const ms = Math.min(update.ms, limit);
      if (!(ms > 0)) return;
      const circuit = registry.get(key, now);
      if (type === 'cool-down') {
        if (this.#o.coolDown !== false && now + ms > circuit.coolDownUntil) circuit.coolDownUntil = now + ms;
      } else if (
        circuit.state !== 'isolated' &&
        !(circuit.state === 'open' && circuit.openUntil >= now + ms)
      ) {
        circuit.moveTo('open', now);
        circuit.openUntil = now + ms;
      }
      return;
    }
    const circuit = type === 'isolated' ? registry.get(key, now) : registry.peek(key);
    if (circuit === undefined) return;
    if (type === 'isolated') {
      if (circuit.state !== 'isolated') circuit.moveTo('isolated', now);
    } else if (type === 'reset') {
      circuit.coolDownUntil = 0;
      if (circuit.state !== 'closed') circuit.moveTo('closed', now);
    } else if (type === 'closed' && circuit.state !== 'closed' && circuit.state !== 'isolated') {
      circuit.moveTo('closed', now);
    }
  }
}

/** A circuit that tells the store when it opens on its own evidence and how its trial calls end. */
class FleetCircuit extends Circuit {
  readonly #link: StoreLink;

  constructor(key: string, strategy: Strategy, config: CircuitConfig, link: StoreLink) {
    super(key, strategy, config);
    this.#link = link;
  }

  override finish(failed: boolean | undefined, generation: number, trial: boolean, now: number): void {
    // The hot path, a success while closed, tells the store nothing.
    if (!failed && !trial) {
      super.finish(failed, generation, trial, now);
      return;
    }
    const current = generation === this.generation;
    const wasClosed = this.state === 'closed';
    super.finish(failed, generation, trial, now);
    if (trial)
      this.#link.trialEnded(
        this.key,
        !current || failed === undefined ? 'released' : failed ? 'failure' : 'success',
      );
    else if (current && wasClosed && this.state === 'open') this.#link.opened(this.key);
  }
}

/** How a breaker joins a store's fleet (see `useFleet()`). */
export const joinFleet: JoinFleet = (store, options, registry) => new Fleet(store, options, registry);
