import { isCircuitOpenError } from '../errors/circuit-open-error.ts';
import type { Outcome } from '../outcome.ts';
import { isBrokenTransport, transportFailure } from '../response-check.ts';
import type { BreakerCore, Gate, Permit } from './admission.ts';
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
export function settlement(core: BreakerCore): Gate['settle'] {
  const { clock, coolDown, failureRateThreshold, isFailure = defaultIsFailure } = core.options;

  return (permit: Permit, outcome: Outcome<Response>, aborted: boolean) => {
    const { circuit, generation, trial } = permit;
    circuit.inFlight--;
    let judged: CircuitOutcome;
    let now = -1;
    if (outcome.threw) {
      const { error } = outcome;
      if (aborted || isCircuitOpenError(error) || isBrokenTransport(error)) {
        return circuit.release(generation, trial);
      }
      judged = { error };
    } else {
      const response = outcome.value;
      judged = { response };
      if (coolDown !== false && mayCoolDown(response.status)) {
        now = clock.now();
        noteCoolDown(core, circuit, response, now);
      }
    }
    let failed: boolean;
    try {
      failed = isFailure(judged);
    } catch (error) {
      // Give the trial slot back before the error propagates.
      circuit.release(generation, trial);
      throw error;
    }
    if (!failed && outcome.threw) return circuit.release(generation, trial);
    // Only the rate strategy needs the time of a success while closed.
    if (now === -1 && (failed || failureRateThreshold !== undefined || circuit.state !== 'closed')) {
      now = clock.now();
    }
    circuit.finish(failed, generation, trial, now);
  };
}
