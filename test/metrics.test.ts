import { describe, expect, it } from 'vitest';
import type { ResilienceEvent } from '../src/events.ts';
import { createMetrics } from '../src/metrics.ts';

const at = { url: 'http://x.test/', method: 'GET' };

describe('createMetrics', () => {
  it('counts a scripted sequence of events', () => {
    const metrics = createMetrics();
    const events: ResilienceEvent[] = [
      // call 1: 503, retry after 100 ms, 200
      { type: 'request', ...at },
      { type: 'attempt', attempt: 1, ...at },
      { type: 'retry', attempt: 1, delay: 100, reason: 'status', status: 503, elapsed: 5, ...at },
      { type: 'attempt', attempt: 2, ...at },
      { type: 'success', attempts: 2, status: 200, elapsed: 120, ...at },
      // call 2: succeeds at once
      { type: 'request', ...at },
      { type: 'attempt', attempt: 1, ...at },
      { type: 'success', attempts: 1, status: 200, elapsed: 3, ...at },
      // call 3: two retries, then the circuit opens and the call gives up
      { type: 'request', ...at },
      { type: 'attempt', attempt: 1, ...at },
      { type: 'retry', attempt: 1, delay: 200, reason: 'network-error', elapsed: 1, ...at },
      { type: 'attempt', attempt: 2, ...at },
      { type: 'timeout', timeout: 1_000, key: 'attemptTimeout', ...at },
      { type: 'retry', attempt: 2, delay: 600, reason: 'timeout', elapsed: 1_300, ...at },
      { type: 'circuit-state', key: 'http://x.test', from: 'closed', to: 'open' },
      { type: 'circuit-rejected', key: 'http://x.test', retryAfter: 30_000, ...at },
      {
        type: 'give-up',
        attempts: 3,
        reason: 'not-retryable',
        error: 'CircuitOpenError',
        elapsed: 1_900,
        ...at,
      },
      { type: 'budget-exhausted', ...at },
      { type: 'fallback', error: 'CircuitOpenError', ...at },
      { type: 'circuit-state', key: 'http://x.test', from: 'open', to: 'half-open' },
    ];
    for (const event of events) metrics.onEvent(event);
    expect(metrics.snapshot()).toEqual({
      requests: 3,
      attempts: 5,
      retries: 3,
      successesAfterRetry: 1,
      giveUps: 1,
      circuitOpens: 1,
      circuitRejections: 1,
      timeouts: 1,
      budgetExhausted: 1,
      fallbacks: 1,
      averageDelay: 300,
    });
    metrics.reset();
    expect(metrics.snapshot()).toMatchObject({ requests: 0, retries: 0, averageDelay: 0 });
  });

  it('returns a copy: a snapshot does not change afterwards', () => {
    const metrics = createMetrics();
    const before = metrics.snapshot();
    metrics.onEvent({ type: 'request', ...at });
    expect(before.requests).toBe(0);
    expect(metrics.snapshot().requests).toBe(1);
  });
});
