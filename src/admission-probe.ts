/**
 * How a retry stage asks the breaker below it whether the next attempt would be let in ("an open circuit
 * never hides a real answer"). Retry puts a fresh probe on the init it passes down, under a registered symbol
 * (two copies of the package agree on it, and no public type shows it); a breaker that lets an attempt in
 * leaves in it the circuit that did and its own rule for a later time. Stages in between pass it on as they
 * pass the init on (`{ ...init, signal }` copies it).
 */
export const PROBE: symbol = Symbol.for('resilient-fetch.admission-probe');

export interface AdmissionProbe<C = unknown> {
  /** The circuit that let the latest attempt in. */
  circuit?: C;
  /** Whether `circuit` would let an attempt in `ms` from now. */
  admitsIn?: (circuit: C, ms: number) => boolean;
}

/** The probe a retry stage above put on `init`, if any. */
export const probeOf = (init: RequestInit | undefined): AdmissionProbe | undefined =>
  (init as Record<symbol, AdmissionProbe | undefined> | undefined)?.[PROBE];
