import type { CircuitState } from '../events.ts';
import type { NormalisedBreakerOptions } from './options.ts';
import type { Strategy } from './strategy.ts';

/** What every circuit of one breaker shares: its options (`onEvent` hears each change of state, once made). */
export type CircuitConfig = Pick<
  NormalisedBreakerOptions,
  'recoveryTimeout' | 'halfOpenMaxCalls' | 'successThreshold' | 'onEvent'
>;

/**
 * The state machine of one circuit: closed → open → half-open → closed, plus isolated (held open by hand).
 * It costs no timer: an open circuit turns half-open on the first call after `openUntil`.
 *
 * Each change of state starts a new `generation`. A call remembers the generation that admitted it, and its
 * outcome counts only if the circuit is still in that generation: a slow call admitted while closed cannot
 * close a circuit that has since opened, and a trial from before a `reset()` cannot free a slot it never held.
 */
export class Circuit {
  state: CircuitState = 'closed';
  openUntil = 0;
  /** Trial calls in flight while half-open. */
  trials = 0;
  /** Successful trial calls since the circuit turned half-open. */
  successes = 0;
  /** Epoch ms until which a server cool-down holds calls back (0: none). */
  coolDownUntil = 0;
  /** Calls admitted and not yet settled, any generation. */
  inFlight = 0;
  generation = 0;
  /** Second-chance bit of the registry's eviction sweep. */
  used = false;

  declare readonly key: string;
  declare readonly strategy: Strategy;
  readonly #config: CircuitConfig;

  constructor(key: string, strategy: Strategy, config: CircuitConfig) {
    this.key = key;
    this.strategy = strategy;
    this.#config = config;
  }

  /** The state a caller would meet now: open past its `openUntil` is half-open. */
  effectiveState(now: number): CircuitState {
    return this.state === 'open' && now >= this.openUntil ? 'half-open' : this.state;
  }

  /** Whether the state lets calls in at epoch ms `at` (closed, or half-open by then), cool-downs aside. */
  admitsAt(at: number): boolean {
    return this.state === 'open' ? at >= this.openUntil : this.state !== 'isolated';
  }

  /**
   * Lets a call in (`undefined`) or refuses it with the refusal's `retryAfter` in ms. A call let in while
   * half-open takes a trial slot.
   */
  refusal(now: number): number | undefined {
    const state = this.state;
    if (state === 'closed') return undefined;
    if (!this.admitsAt(now)) return state === 'open' ? this.openUntil - now : Infinity;
    if (state === 'open') this.moveTo('half-open', now);
    if (this.trials >= this.#config.halfOpenMaxCalls) return 0;
    this.trials++;
    return undefined;
  }

  /**
   * Records the outcome of a call admitted in `generation` (while half-open when `trial`): a failure, a success,
   * or `undefined` for neither (the caller's abort), which only gives back its trial slot.
   */
  finish(failed: boolean | undefined, generation: number, trial: boolean, now: number): void {
    if (generation !== this.generation) return;
    if (this.state === 'closed') {
      if (failed === false) this.strategy.success(now);
      else if (failed && this.strategy.failure(now)) this.moveTo('open', now);
    } else if (trial) {
      this.trials--;
      if (failed) this.moveTo('open', now);
      else if (failed === false && ++this.successes >= this.#config.successThreshold)
        this.moveTo('closed', now);
    }
  }

  moveTo(to: CircuitState, now: number): void {
    const from = this.state;
    this.state = to;
    this.generation++;
    this.trials = 0;
    this.successes = 0;
    if (to === 'open') this.openUntil = now + this.#config.recoveryTimeout;
    if (to === 'closed') this.strategy.reset();
    if (from !== to) this.#config.onEvent?.({ type: 'circuit-state', key: this.key, from, to });
  }

  /** True when dropping this circuit loses nothing a fresh one would not have. */
  idle(now: number): boolean {
    return this.state === 'closed' && !this.inFlight && this.coolDownUntil <= now;
  }
}
