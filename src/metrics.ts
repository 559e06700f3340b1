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

const COUNTED = {
  request: 'requests',
  attempt: 'attempts',
  retry: 'retries',
  'give-up': 'giveUps',
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
    counts = {
      requests: 0,
      attempts: 0,
      retries: 0,
      successesAfterRetry: 0,
      giveUps: 0,
      circuitOpens: 0,
      circuitRejections: 0,
      timeouts: 0,
      budgetExhausted: 0,
      fallbacks: 0,
    };
    delayTotal = 0;
  };
  reset();
  return {
    onEvent(event) {
      const counter = COUNTED[event.type as keyof typeof COUNTED];
      if (counter) counts[counter]++;
      if (event.type === 'retry') delayTotal += event.delay;
      else if (event.type === 'success' && event.attempts > 1) counts.successesAfterRetry++;
      else if (event.type === 'circuit-state' && event.to === 'open') counts.circuitOpens++;
    },
    snapshot() {
      // 0 / 0 (no retry yet) is NaN, reported as 0.
      return { ...counts, averageDelay: delayTotal / counts.retries || 0 };
    },
    reset,
  };
}
