import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CircuitOpenError, isCircuitOpenError } from '../src/errors/circuit-open-error.ts';
import { isRetryExhaustedError, RetryExhaustedError } from '../src/errors/retry-exhausted-error.ts';
import { isTimeoutError, TimeoutError } from '../src/errors/timeout-error.ts';

describe('errors', () => {
  it('set name, fields and cause', () => {
    const cause = new Error('root');
    const t = new TimeoutError(500, { cause });
    expect(t).toBeInstanceOf(Error);
    expect([t.name, t.timeout, t.cause, t.message]).toEqual([
      'TimeoutError',
      500,
      cause,
      'Request timed out after 500 ms',
    ]);
    const c = new CircuitOpenError('http://a.test', 1_000, { cause });
    expect([c.name, c.key, c.retryAfter, c.cause]).toEqual([
      'CircuitOpenError',
      'http://a.test',
      1_000,
      cause,
    ]);
    const r = new RetryExhaustedError(3, cause);
    expect([r.name, r.attempts, r.cause, r.message]).toEqual([
      'RetryExhaustedError',
      3,
      cause,
      'Gave up after 3 attempts',
    ]);
    const all = new RetryExhaustedError(2, cause, { successful: [1], failed: [cause] });
    expect([all.successful, all.failed]).toEqual([[1], [cause]]);
  });

  it('guards accept instances and same-shaped errors from another realm', () => {
    expect(isTimeoutError(new TimeoutError(1))).toBe(true);
    expect(isCircuitOpenError(new CircuitOpenError('k', 0))).toBe(true);
    expect(isRetryExhaustedError(new RetryExhaustedError(2, null))).toBe(true);
    const foreign = runInNewContext(
      `class TimeoutError extends Error { name = 'TimeoutError'; timeout = 5 }
       class CircuitOpenError extends Error { name = 'CircuitOpenError'; key = 'k'; retryAfter = 0 }
       class RetryExhaustedError extends Error { name = 'RetryExhaustedError'; attempts = 3 }
       [new TimeoutError(), new CircuitOpenError(), new RetryExhaustedError()]`,
    ) as unknown[];
    expect(foreign[0] instanceof TimeoutError).toBe(false);
    expect([
      isTimeoutError(foreign[0]),
      isCircuitOpenError(foreign[1]),
      isRetryExhaustedError(foreign[2]),
    ]).toEqual([true, true, true]);
  });

  it("guards reject look-alikes: the platform's own TimeoutError is not ours", () => {
    expect(isTimeoutError(new DOMException('t', 'TimeoutError'))).toBe(false);
    expect(isTimeoutError(null)).toBe(false);
    expect(isCircuitOpenError(new Error('CircuitOpenError'))).toBe(false);
    expect(isRetryExhaustedError('RetryExhaustedError')).toBe(false);
  });
});
