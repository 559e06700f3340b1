import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/circuit-breaker/circuit-breaker.ts';
import { compose } from '../src/compose.ts';
import { isCircuitOpenError } from '../src/errors/circuit-open-error.ts';
import { isRetryExhaustedError } from '../src/errors/retry-exhausted-error.ts';
import { TimeoutError } from '../src/errors/timeout-error.ts';
import { notAResponse, transportFailure } from '../src/response-check.ts';
import { retry } from '../src/retry/retry.ts';
import { scripted } from './helpers/fake-transport.ts';

/** What workerd's fetch rejects with when the connection is refused or reset (seen with miniflare 4). */
const workerdDisconnect = () =>
  Object.assign(new Error('Network connection lost.'), { retryable: true, remote: true });

describe('transportFailure()', () => {
  it.each<[string, () => unknown, 'network-error' | 'timeout' | undefined]>([
    ["undici's TypeError", () => new TypeError('fetch failed'), 'network-error'],
    ["Chromium's TypeError", () => new TypeError('Failed to fetch'), 'network-error'],
    [
      'a TypeError from another realm',
      () => runInNewContext('new TypeError("Load failed")'),
      'network-error',
    ],
    ["workerd's disconnect error", workerdDisconnect, 'network-error'],
    [
      "workerd's disconnect error without its flags",
      () => new Error('Network connection lost.'),
      'network-error',
    ],
    ['our TimeoutError', () => new TimeoutError(100), 'timeout'],
    ["AbortSignal.timeout()'s DOMException", () => new DOMException('late', 'TimeoutError'), 'timeout'],
    ['an application Error', () => new Error('invalid token'), undefined],
    [
      'an Error subclass with the disconnect message',
      () => new RangeError('Network connection lost.'),
      undefined,
    ],
    ['an AbortError', () => new DOMException('stop', 'AbortError'), undefined],
    ['a string', () => 'Network connection lost.', undefined],
    ['undefined', () => undefined, undefined],
    ['null', () => null, undefined],
  ])('%s', (_name, make, expected) => {
    expect(transportFailure(make())).toBe(expected);
  });

  it('keeps a broken transport a TypeError (the callers check isBrokenTransport first)', () => {
    expect(transportFailure(notAResponse('retry', 42))).toBe('network-error');
  });
});

describe("workerd's disconnect error in the stages", () => {
  it('is retried like a network error, and exhausts into RetryExhaustedError', async () => {
    const transport = scripted(workerdDisconnect());
    const fetch = compose(retry({ limit: 2, backoff: () => 0, budget: false }))(transport);
    const error = await fetch('https://api.example/').catch((e: unknown) => e);
    expect(transport.calls).toHaveLength(3);
    expect(isRetryExhaustedError(error) && error.cause).toMatchObject({
      message: 'Network connection lost.',
    });
  });

  it('counts as a failure for the breaker', async () => {
    const transport = scripted(workerdDisconnect());
    const breaker = circuitBreaker({ failureThreshold: 2 });
    const fetch = compose(breaker)(transport);
    for (let i = 0; i < 2; i++)
      await expect(fetch('https://api.example/')).rejects.toThrow('Network connection lost.');
    expect(breaker.state('https://api.example')).toBe('open');
    expect(isCircuitOpenError(await fetch('https://api.example/').catch((e: unknown) => e))).toBe(true);
    expect(transport.calls).toHaveLength(2);
  });
});
