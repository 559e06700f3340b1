// Every option is checked once, when the stage is built, with an error naming the option and the bad value.
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decorrelatedJitterBackoff, exponentialBackoff, linearBackoff } from '../../src/backoff.ts';
import { retry } from '../../src/retry/retry.ts';
import { retryAll, retryAsync } from '../../src/retry/retry-async.ts';
import { scripted } from '../helpers/fake-transport.ts';

const now = (): number => 0;
const random = (): number => 0;
const sleep = async (): Promise<void> => {};

describe('retry(): option errors name the option and the value', () => {
  it.each<[object, ErrorConstructor, string]>([
    [{ methods: 'GET' }, TypeError, 'retry: methods must be an array of method names, got "GET"'],
    [{ methods: ['GET', 1] }, TypeError, 'retry: methods must be an array of method names, got an array'],
    [{ statusCodes: [99] }, TypeError, 'retry: statusCodes must be an array of HTTP status codes (100-599)'],
    [{ statusCodes: [600] }, TypeError, 'retry: statusCodes must be an array of HTTP status codes'],
    [{ statusCodes: [503.5] }, TypeError, 'retry: statusCodes must be an array of HTTP status codes'],
    [{ idempotencyKey: 'k' }, TypeError, 'retry: idempotencyKey must be a boolean or a function, got "k"'],
    [{ shouldRetry: true }, TypeError, 'retry: shouldRetry must be a function, got true'],
    [{ onRetry: 1 }, TypeError, 'retry: onRetry must be a function, got 1'],
    [{ onEvent: 'x' }, TypeError, 'retry: onEvent must be a function, got "x"'],
    [{ clock: { now, sleep } }, TypeError, 'retry: clock must be a Clock ({ now, sleep, random })'],
    [{ clock: { now, random } }, TypeError, 'retry: clock must be'],
    [{ clock: { sleep, random } }, TypeError, 'retry: clock must be'],
    [{ clock: 5 }, TypeError, 'retry: clock must be a Clock ({ now, sleep, random }), got 5'],
  ])('%o', (options, type, message) => {
    expect(() => retry(options as never)).toThrow(type);
    expect(() => retry(options as never)).toThrow(message);
  });

  it('accepts the edges of statusCodes and every method name', () => {
    expect(() =>
      retry({ statusCodes: [100, 599], methods: ['get', 'PATCH'], idempotencyKey: false }),
    ).not.toThrow();
  });

  it('rejects a per-request retry option of the wrong type with a message naming it', async () => {
    const fetch = retry()(scripted(200));
    await expect(fetch('http://x.test/', { resilience: { retry: 'yes' as never } })).rejects.toThrow(
      'resilience.retry must be an options object, a number or false, got "yes"',
    );
    await expect(fetch('http://x.test/', { resilience: { retry: null as never } })).rejects.toThrow(
      TypeError,
    );
  });

  it('idempotencyKey: false leaves a POST unretried and without a key', async () => {
    const transport = scripted(500, 200);
    const response = await retry({ idempotencyKey: false })(transport)('http://x.test/', { method: 'POST' });
    expect(response.status).toBe(500);
    expect(transport.calls).toHaveLength(1);
  });
});

describe('retryAsync() / retryAll(): option errors', () => {
  it.each([
    [{ signal: {} }, 'retryAsync: signal must be an AbortSignal, got an object'],
    [{ backoff: 1 }, 'retryAsync: backoff must be a function, got 1'],
    [{ shouldRetry: 1 }, 'retryAsync: shouldRetry must be a function, got 1'],
    [{ onRetry: 1 }, 'retryAsync: onRetry must be a function, got 1'],
    [{ timeout: 0 }, 'retryAsync: timeout must be greater than 0, got 0'],
    [[], 'retryAsync: options must be an options object, got an array'],
  ])('%o', async (options, message) => {
    await expect(retryAsync(async () => 1, options as never)).rejects.toThrow(message);
  });

  it('names the operation and the option that is wrong', async () => {
    await expect(retryAsync(undefined as never)).rejects.toThrow('retryAsync: operation must be a function');
    await expect(retryAll('x' as never)).rejects.toThrow(
      'retryAll: operations must be an array of functions, got "x"',
    );
    await expect(retryAll([async () => 1, 2 as never])).rejects.toThrow(
      'retryAll: operations[1] must be a function, got 2',
    );
    await expect(retryAll([], { concurrency: 0 })).rejects.toThrow(
      'retryAll: concurrency must be a positive integer, got 0',
    );
    await expect(retryAll([], { minSuccessRatio: 2 })).rejects.toThrow(
      'retryAll: minSuccessRatio must be a number between 0 and 1, got 2',
    );
    await expect(retryAll([], { limit: -1 })).rejects.toThrow(
      'retryAll: limit must be a non-negative integer, got -1',
    );
  });

  it('with no operations, resolves empty lists even with minSuccessRatio 1', async () => {
    await expect(retryAll([], { minSuccessRatio: 1 })).resolves.toEqual({ successful: [], failed: [] });
  });
});

describe('retryAsync(): nothing left behind', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('removes its listeners from a shared signal and clears its deadline timer, on success and on failure', async () => {
    const caller = new AbortController();
    const seen: AbortSignal[] = [];
    for (let i = 0; i < 20; i++) {
      const run = retryAsync(
        ({ signal, attempt }) => {
          seen.push(signal);
          if (attempt === 1) throw new Error('once');
          return i % 2 === 0 ? 'ok' : Promise.reject(new Error('again'));
        },
        { signal: caller.signal, timeout: 60_000, limit: 1, backoff: () => 10 },
      );
      run.catch(() => {});
      await vi.advanceTimersByTimeAsync(10);
      await run.catch(() => {});
    }
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    expect(seen.every((s) => getEventListeners(s, 'abort').length === 0)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('backoff defaults, when called without options', () => {
  it('linear: 300 ms steps before jitter; decorrelated: from 300 ms; exponential: 300 ms base', () => {
    expect(linearBackoff({ random: () => 0.999_999 })(3)).toBeCloseTo(900, 0);
    for (let attempt = 1; attempt < 5; attempt++) {
      expect(linearBackoff()(attempt)).toBeLessThanOrEqual(300 * attempt);
      expect(exponentialBackoff()(attempt)).toBeLessThanOrEqual(300 * 2 ** (attempt - 1));
      const d = decorrelatedJitterBackoff()(attempt);
      expect(d).toBeGreaterThanOrEqual(300);
      expect(d).toBeLessThanOrEqual(900);
    }
  });

  it('exponential factor: 1 is allowed (a constant delay), below 1, infinite or not a number is not', () => {
    expect(exponentialBackoff({ factor: 1, jitter: 'none', base: 50 })(5)).toBe(50);
    for (const factor of [0.5, Number.POSITIVE_INFINITY, Number.NaN, '2']) {
      expect(() => exponentialBackoff({ factor: factor as number })).toThrow(
        `exponentialBackoff: factor must be a finite number ≥ 1, got ${typeof factor === 'string' ? '"2"' : String(factor)}`,
      );
    }
  });

  it('names the backoff and the option in errors', () => {
    expect(() => linearBackoff({ base: -1 })).toThrow('linearBackoff: base must be');
    expect(() => linearBackoff({ step: -1 })).toThrow('linearBackoff: step must be');
    expect(() => linearBackoff({ cap: -1 })).toThrow('linearBackoff: cap must be');
    expect(() => linearBackoff({ random: 1 as never })).toThrow('linearBackoff: random must be a function');
    expect(() => linearBackoff(1 as never)).toThrow('linearBackoff: options must be an options object');
    expect(() => exponentialBackoff({ base: -1 })).toThrow('exponentialBackoff: base must be');
    expect(() => decorrelatedJitterBackoff({ base: -1 })).toThrow('decorrelatedJitterBackoff: base must be');
    expect(() => decorrelatedJitterBackoff({ cap: -1 })).toThrow('decorrelatedJitterBackoff: cap must be');
  });
});
