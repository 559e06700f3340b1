// Every stage reads init.resilience through perRequest(): the same rules, the same errors, for each.
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/circuit-breaker/circuit-breaker.ts';
import { mergedOver, perRequest } from '../src/request-options.ts';
import { retry } from '../src/retry/retry.ts';
import { timeout } from '../src/timeout.ts';
import { scripted } from './helpers/fake-transport.ts';

describe('perRequest', () => {
  const read = (where: string, value: unknown) => `${where}=${String(value)}`;

  it('gives undefined without an option, false for false, else what read makes of the value', () => {
    expect(perRequest(undefined, 'retry', read)).toBeUndefined();
    expect(perRequest({}, 'retry', read)).toBeUndefined();
    expect(perRequest({ resilience: { retry: false } }, 'retry', read)).toBe(false);
    expect(perRequest({ resilience: { retry: 3 } }, 'retry', read)).toBe('resilience.retry=3');
  });

  it('merges an object or a number over the raw options, normalised again', () => {
    const merge = mergedOver({ limit: 2, base: 1 }, (o) => ({ ...o, normalised: true }), 'limit');
    expect(merge('resilience.retry', 5)).toEqual({ limit: 5, base: 1, normalised: true });
    expect(merge('resilience.retry', { base: 7 })).toEqual({ limit: 2, base: 7, normalised: true });
    expect(() => merge('resilience.retry', 'x')).toThrow(
      'resilience.retry must be an options object, a number or false, got "x"',
    );
  });
});

describe('a bad per-request value rejects that call only, in every stage', () => {
  it.each([
    [
      'retry',
      retry(),
      { retry: 'many' },
      'resilience.retry must be an options object, a number or false, got "many"',
    ],
    ['retry', retry(), { retry: -1 }, 'retry: limit must be a non-negative integer, got -1'],
    ['timeout', timeout(1_000), { timeout: 0 }, 'resilience.timeout must be greater than 0, got 0'],
    [
      'circuitBreaker',
      circuitBreaker(),
      { circuitBreaker: true },
      'resilience.circuitBreaker must be false, got true',
    ],
  ])('%s', async (_stage, stage, resilience, message) => {
    const transport = scripted(200, 200);
    const fetch = stage(transport);
    await expect(fetch('http://a.test/', { resilience: resilience as never })).rejects.toThrow(message);
    expect(transport.calls).toHaveLength(0);
    await expect(fetch('http://a.test/')).resolves.toMatchObject({ status: 200 });
  });
});
