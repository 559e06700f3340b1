import type { ResilienceEvent } from './events.ts';

/** Counters gathered from events. */
export interface MetricsSnapshot {
  /** Calls that entered a retry stage. */
  requests: number;
  /** Attempts sent, first attempts included. */
  attempts: number;
  /** Retries scheduled. */
  retries: number;
  /** Calls that succeeded after at least one retry. */
  successesAfterRetry: number;
  /** Calls that ended failing after retrying or being refused a retry. */
  giveUps: number;
  /** Times a circuit opened. */
  circuitOpens: number;
  /** Calls an open circuit refused. */
  circuitRejections: number;
  /** Deadlines that passed (total and per attempt). */
  timeouts: number;
  /** Retries the budget refused. */
  budgetExhausted: number;
  /** Fallback answers served. */
  fallbacks: number;
  /** Mean delay before a retry, in ms (0 before any retry). */
  averageDelay: number;
}

/** Live counters fed by `onEvent`. */
export interface Metrics {
  /** Pass this as `onEvent` to `resilientFetch()` or any stage. */
  onEvent: (event: ResilienceEvent) => void;
  /** The counters now, as a plain object. */
  snapshot(): MetricsSnapshot;
  /** Sets every counter back to zero. */
  reset(): void;
}

/** The counter each event feeds, in the snapshot's order. */
const COUNTED = {
  request: 'requests',
  attempt: 'attempts',
  retry: 'retries',
  // Only a success after a retry counts.
  success: 'successesAfterRetry',
  'give-up': 'giveUps',
  // Only a change into open counts.
  'circuit-state': 'circuitOpens',
  'circuit-rejected': 'circuitRejections',
  timeout: 'timeouts',
  'budget-exhausted': 'budgetExhausted',
  fallback: 'fallbacks',
} as const satisfies Partial<Record<ResilienceEvent['type'], keyof MetricsSnapshot>>;

type Counter = Exclude<keyof MetricsSnapshot, 'averageDelay'>;

/**
 * Counters for dashboards, cheap enough to leave on in production: each event is one property increment,
 * nothing is kept per call.
 *
 * @example
 * ```ts
 * const metrics = createMetrics();
 * const fetchWithRetry = resilientFetch({ onEvent: metrics.onEvent });
 * await fetchWithRetry('https://example.com/');
 * console.table(metrics.snapshot());
 * ```
 */
export function createMetrics(): Metrics {
  let counts: Record<Counter, number>;
  let delayTotal: number;
  const reset = () => {
    counts = {} as Record<Counter, number>;
    for (const counter of Object.values(COUNTED)) counts[counter] = 0;
    delayTotal = 0;
  };
  reset();
  return {
    onEvent(event) {
      const counter = COUNTED[event.type as keyof typeof COUNTED];
      if (event.type === 'retry') delayTotal += event.delay;
      if (
        counter &&
        (event.type === 'success'
          ? event.attempts > 1
          : event.type !== 'circuit-state' || event.to === 'open')
      ) {
        counts[counter]++;
      }
    },
    snapshot() {
      // 0 / 0 (no retry yet) is NaN, reported as 0.
      return { ...counts, averageDelay: delayTotal / counts.retries || 0 };
    },
    reset,
  };
}
