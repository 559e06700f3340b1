import type { Circuit } from './circuit.ts';

/** How an admitted attempt ended: with a response, or with an error (`aborted` when the caller's signal ended it). */
export type Outcome =
  | { response: Response; error?: undefined; aborted?: undefined }
  | { response?: undefined; error: unknown; aborted: boolean };

/** A ticket for one admitted attempt; `settle()` it exactly once with the attempt's outcome. */
export class Permit {
  readonly circuit: Circuit;
  readonly generation: number;
  readonly trial: boolean;
  readonly #settle: (permit: Permit, outcome: Outcome) => void;

  constructor(circuit: Circuit, trial: boolean, settle: (permit: Permit, outcome: Outcome) => void) {
    this.circuit = circuit;
    this.generation = circuit.generation;
    this.trial = trial;
    this.#settle = settle;
  }

  settle(outcome: Outcome): void {
    this.#settle(this, outcome);
  }
}

/**
 * The breaker's admission step, for integrations that cannot wrap a fetch (the ky hooks): returns a `Permit`
 * (or a promise of one, while a server cool-down is waited out) or throws `CircuitOpenError`.
 * @internal
 */
export const ADMIT: unique symbol = Symbol('resilient-fetch.circuit-breaker.admit');
