import { isCircuitOpenError } from '../errors/circuit-open-error.ts';
import { isBrokenTransport, transportFailure } from '../response-check.ts';
import type { BreakerCore, Permit } from './admission.ts';
import { mayCoolDown, noteCoolDown } from './cool-down.ts';
import type { CircuitOutcome } from './options.ts';

/** The default failure rule: network errors, timeouts and status ≥ 500. */
const defaultIsFailure = (outcome: CircuitOutcome) =>
  outcome.response ? outcome.response.status >= 500 : transportFailure(outcome.error) !== undefined;

/**
 * The settlement step: records how an admitted attempt ended. A response may start a server cool-down and
 * counts as a success or a failure; an error counts as a failure, or as neither when it says nothing about the
 * server (the caller's abort or an outer deadline, an inner breaker's refusal, a transport that broke the
 * fetch contract, an error `isFailure` does not call a failure): then a trial slot is given back.
 */
export function settlement(
  core: BreakerCore,
): (permit: Permit, outcome: CircuitOutcome, aborted?: boolean) => void {
  const { clock, coolDown, failureRateThreshold, isFailure = defaultIsFailure } = core;

  // The outcome is the one `isFailure` is given.
  return ({ circuit, generation, trial }: Permit, outcome: CircuitOutcome, aborted?: boolean) => {
    const { response, error } = outcome;
    circuit.inFlight--;
    if (response && coolDown !== false && mayCoolDown(response.status)) {
      noteCoolDown(core, circuit, response, clock.now());
    }
    // `undefined`: neither a success nor a failure.
    let failed: boolean | undefined;
    try {
      if (response) failed = !!isFailure(outcome);
      else if (!aborted && !isCircuitOpenError(error) && !isBrokenTransport(error)) {
        failed = isFailure(outcome) || undefined;
      }
    } finally {
      // Neither, or `isFailure` threw: the trial slot is given back before anything propagates. The time is
      // needed by a failure (it may open the circuit) and by the rate strategy's successes, not otherwise.
      circuit.finish(
        failed,
        generation,
        trial,
        failed || failureRateThreshold !== undefined ? clock.now() : 0,
      );
    }
  };
}
