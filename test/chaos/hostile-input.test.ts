import { afterAll, describe, expect, it } from 'vitest';
import {
  constantBackoff,
  decorrelatedJitterBackoff,
  exponentialBackoff,
  linearBackoff,
} from '../../src/backoff.ts';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import type { Clock } from '../../src/clock.ts';
import { TimeoutError } from '../../src/errors/timeout-error.ts';
import { fallback } from '../../src/fallback.ts';
import { installGlobal } from '../../src/install-global.ts';
import { kyResilience } from '../../src/ky.ts';
import { resilientFetch } from '../../src/resilient-fetch.ts';
import { retry } from '../../src/retry/retry.ts';
import { retryAll, retryAsync } from '../../src/retry/retry-async.ts';
import { timeout } from '../../src/timeout.ts';
import type { FetchLike } from '../../src/types.ts';
import { useChaosServer } from '../helpers/chaos-server.ts';
import { watchLateness } from '../helpers/noise.ts';

// Hostile input, each with the outcome the README documents under "Hostile input: what happens".

const server = useChaosServer();
const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
process.on('warning', onWarning);
afterAll(() => {
  process.off('warning', onWarning);
  // A timer set above 2^31-1 ms fires after 1 ms with this warning: a hot retry loop in disguise.
  expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
});

/** A clock whose sleeps return at once and move time on: the waits a pipeline chose, without waiting. */
function virtualClock() {
  let time = Date.now();
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => time,
    random: () => 0.5,
    async sleep(ms) {
      sleeps.push(ms);
      time += ms;
    },
  };
  return { clock, sleeps, start: time };
}

/** One 503 (or `status`) with the given headers, then 200: what the pipeline waited, and what came back. */
async function serverAsks(headers: Record<string, string>, status = 503) {
  const { clock, sleeps } = virtualClock();
  const fetch = resilientFetch({ retry: { backoff: () => 7, clock }, circuitBreaker: { clock } });
  const path = `/fail-then-ok/1`;
  const query = new URLSearchParams({ status: String(status) });
  for (const [name, value] of Object.entries(headers)) query.append('h', `${name}:${value}`);
  server.resetCounts();
  const response = await fetch(`${server.origin}${path}?${query}`);
  await response.body?.cancel();
  return { status: response.status, sleeps, hits: server.hits.get(path) };
}

const BACKOFF = { status: 200, sleeps: [7], hits: 2 }; // the header was ignored: the backoff was used
const GAVE_UP = { status: 503, sleeps: [], hits: 1 }; // the wait is too long: that response, at once

describe('hostile Retry-After and rate-limit headers', () => {
  it.each([
    ['retry-after', '999999999', GAVE_UP],
    ['retry-after', 'Fri, 31 Dec 9999 23:59:59 GMT', GAVE_UP],
    ['retry-after', '-1', BACKOFF],
    ['retry-after', '1.5', BACKOFF],
    ['retry-after', '1e3', BACKOFF],
    ['retry-after', '', BACKOFF],
    ['retry-after', '1'.repeat(10_240), BACKOFF],
    ['retry-after', 'Sun, 06 Nov 1994 08:49:37 GMT', { status: 200, sleeps: [0], hits: 2 }],
    ['retry-after', '2', { status: 200, sleeps: [2_000], hits: 2 }],
    ['ratelimit', '"default";r=0;t=abc', BACKOFF],
    ['ratelimit', '"default";r=0;t=-5', BACKOFF],
    ['ratelimit', 'default;r=0;t=4,,', BACKOFF],
    ['ratelimit', '"default";r=0;t=4', { status: 200, sleeps: [4_000], hits: 2 }],
    ['x-ratelimit-reset', '3', { status: 200, sleeps: [3_000], hits: 2 }],
    ['x-ratelimit-reset', '999999999999', GAVE_UP],
  ])('%s: %j', async (name, value, expected) => {
    expect(await serverAsks({ [name]: value })).toEqual(expected);
  });

  it('x-ratelimit-reset as epoch seconds is a time, not a delay (on a 429)', async () => {
    const epoch = Math.floor(Date.now() / 1000) + 5;
    const { status, sleeps } = await serverAsks({ 'x-ratelimit-reset': String(epoch) }, 429);
    expect(status).toBe(200);
    expect(sleeps[0]).toBeGreaterThan(3_000);
    expect(sleeps[0]).toBeLessThanOrEqual(5_000);
  });

  it('a Retry-After at the timer limit sets no overflowing timer anywhere (breaker cool-down included)', async () => {
    const fetch = resilientFetch({
      timeout: 100,
      retry: { maxRetryAfter: 2 ** 31 - 1 },
      circuitBreaker: { maxCoolDown: 2 ** 31 - 1 },
    });
    const url = `${server.origin}/status/503?h=retry-after:2147483`;
    // The retry waits 2^31-1 ms at most and the total deadline cuts it; the next call meets the cool-down.
    await expect(fetch(url)).rejects.toBeInstanceOf(TimeoutError);
    await expect(fetch(url)).rejects.toBeInstanceOf(TimeoutError);
  });
});

const NUMBERS = [-1, Number.NaN, Number.POSITIVE_INFINITY, '5', true];
const INTEGERS = [...NUMBERS, 1.5];
const RATIOS = [-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '0.5'];
const FUNCTIONS = [5, 'f', {}, null, true];

type Factory = (options: Record<string, unknown>) => unknown;
const cases: Array<[string, string, Factory, unknown[]]> = [];
const add = (name: string, factory: Factory, options: Record<string, unknown[]>) => {
  for (const [option, values] of Object.entries(options)) cases.push([name, option, factory, values]);
};
const pipeline = {
  timeout: [...NUMBERS, 0, null],
  attemptTimeout: [...NUMBERS, 0, null],
  retry: [...INTEGERS, 'x', null],
  circuitBreaker: ['x', true, 5, null],
  onEvent: FUNCTIONS,
};
add('resilientFetch', (o) => resilientFetch(o), { ...pipeline, fetch: FUNCTIONS });
add('installGlobal', (o) => installGlobal(o), { ...pipeline, fetch: [globalThis.fetch] });
add('kyResilience', (o) => kyResilience(o), pipeline);
add('retry', (o) => retry(o), {
  limit: INTEGERS,
  maxRetryAfter: NUMBERS,
  methods: ['GET', [1]],
  statusCodes: [[99], [503.5], '503'],
  backoff: FUNCTIONS,
  shouldRetry: FUNCTIONS,
  onRetry: FUNCTIONS,
  onEvent: FUNCTIONS,
  idempotencyKey: ['yes', 1],
  budget: [true, 5, null],
  clock: [{}, 5, null],
});
add('retry', (o) => retry({ budget: o }), {
  ratio: RATIOS,
  minRetriesPerSecond: INTEGERS,
  ttl: [...NUMBERS, 5],
});
add('timeout', (o) => timeout(o.ms as number, o), { ms: [...NUMBERS, 0, 2 ** 31] });
add('timeout', (o) => timeout(100, o), { key: ['', 5], onEvent: FUNCTIONS });
add('circuitBreaker', (o) => circuitBreaker(o), {
  failureThreshold: [...INTEGERS, 0],
  failureRateThreshold: RATIOS,
  samplingDuration: [...NUMBERS, 0],
  minimumThroughput: [...INTEGERS, 0],
  recoveryTimeout: NUMBERS,
  halfOpenMaxCalls: [...INTEGERS, 0],
  successThreshold: [...INTEGERS, 0],
  maxCoolDown: NUMBERS,
  maxCircuits: [...INTEGERS, 0],
  key: FUNCTIONS,
  isFailure: FUNCTIONS,
  onEvent: FUNCTIONS,
  coolDown: ['later', true],
  clock: [{}, 5, { now: () => 0, sleep: async () => {} }],
});
add('fallback', (o) => fallback(o.handler as never), { handler: FUNCTIONS });
add('fallback', (o) => fallback(() => new Response(), o), { when: FUNCTIONS, onEvent: FUNCTIONS });
add('exponentialBackoff', (o) => exponentialBackoff(o), {
  base: NUMBERS,
  cap: NUMBERS,
  factor: [...NUMBERS, 0.5],
  jitter: ['random', 1],
  random: FUNCTIONS,
});
add('linearBackoff', (o) => linearBackoff(o), { base: NUMBERS, step: NUMBERS, cap: NUMBERS });
add('constantBackoff', (o) => constantBackoff(o), { delay: NUMBERS, jitter: ['x'] });
add('decorrelatedJitterBackoff', (o) => decorrelatedJitterBackoff(o), { base: NUMBERS, cap: NUMBERS });

describe('option values that are negative, NaN, Infinity or of the wrong type', () => {
  it.each(cases)('%s: %s', (_name, option, factory, values) => {
    const before = globalThis.fetch;
    for (const value of values) {
      let error: unknown;
      try {
        factory({ [option]: value });
      } catch (e) {
        error = e;
      }
      expect(error, `${option}: ${String(value)}`).toBeInstanceOf(Error);
      expect([TypeError, RangeError]).toContain((error as Error).constructor);
      expect((error as Error).message).toContain(option === 'handler' ? 'fallback: handler' : option);
    }
    expect(globalThis.fetch).toBe(before); // installGlobal installed nothing
  });

  const operation = async () => 'never run';
  it.each<[string, Record<string, unknown[]>]>([
    [
      'retryAsync / retryAll',
      {
        limit: INTEGERS,
        timeout: [...NUMBERS, 0],
        backoff: FUNCTIONS,
        shouldRetry: FUNCTIONS,
        onRetry: FUNCTIONS,
        signal: [5, {}],
        clock: [{}, 5],
      },
    ],
  ])('%s reject before running the operation', async (_name, options) => {
    let ran = 0;
    const op = () => {
      ran++;
      return operation();
    };
    for (const [option, values] of Object.entries(options)) {
      for (const value of values) {
        await expect(retryAsync(op, { [option]: value })).rejects.toThrow(option);
        await expect(retryAll([op], { [option]: value })).rejects.toThrow(option);
      }
    }
    await expect(retryAll([op], { concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(retryAll([op], { minSuccessRatio: 2 })).rejects.toThrow('minSuccessRatio');
    await expect(retryAll('ops' as never)).rejects.toThrow('operations');
    await expect(retryAsync(5 as never)).rejects.toThrow('operation');
    expect(ran).toBe(0);
  });
});

describe('transports that break the fetch contract, through resilientFetch', () => {
  const through = (transport: FetchLike, extra = {}) =>
    resilientFetch({
      fetch: transport,
      timeout: 300,
      attemptTimeout: 100,
      retry: { backoff: () => 5 },
      ...extra,
    });
  const counting = (behaviour: () => unknown) => {
    const calls = { n: 0 };
    const transport = (() => {
      calls.n++;
      return behaviour();
    }) as FetchLike;
    return { transport, calls };
  };

  it('a synchronous throw becomes a rejection with that error, sent once', async () => {
    const boom = new Error('boom');
    const { transport, calls } = counting(() => {
      throw boom;
    });
    const pending = through(transport)('http://a.test/');
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toBe(boom);
    expect(calls.n).toBe(1);
  });

  it.each([undefined, null, 'ok', {}, { status: 200 }])(
    'a value that is not a Response (%o) rejects with one TypeError naming it, not retried',
    async (value) => {
      const { transport, calls } = counting(async () => value);
      const fetch = through(transport, { circuitBreaker: { recoveryTimeout: 0 } });
      await expect(fetch('http://a.test/')).rejects.toThrow(/the transport resolved to .*, not a Response/);
      expect(calls.n).toBe(1);
      // A trial call that got such a value gives its slot back: the half-open circuit still admits calls.
      fetch.circuitBreaker!.open('http://a.test');
      await expect(fetch('http://a.test/')).rejects.toThrow(TypeError);
      await expect(fetch('http://a.test/')).rejects.toThrow(TypeError);
      expect(calls.n).toBe(3);
    },
  );

  it.each(['boom', undefined, null, 42])(
    'a rejection with a non-Error (%o) comes back unchanged, once',
    async (reason) => {
      const { transport, calls } = counting(() => Promise.reject(reason));
      await expect(through(transport)('http://a.test/')).rejects.toBe(reason);
      expect(calls.n).toBe(1);
    },
  );

  it('a transport that never settles and ignores aborts is cut by the total deadline', async () => {
    const { transport, calls } = counting(() => new Promise(() => {}));
    const noise = watchLateness();
    const started = performance.now();
    await expect(through(transport)('http://a.test/')).rejects.toMatchObject({
      name: 'TimeoutError',
      timeout: 300,
    });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(300 + (await noise.margin(50)));
    noise.stop();
    expect(calls.n).toBeLessThanOrEqual(3);
  });

  it('a ReadableStream body is sent once and not retried', async () => {
    server.resetCounts();
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const fetch = resilientFetch({ retry: { backoff: () => 5 } });
    const init = { method: 'PUT', body, duplex: 'half' } as RequestInit;
    const response = await fetch(`${server.origin}/status/503`, init);
    expect(response.status).toBe(503);
    expect(server.hits.get('/status/503')).toBe(1);
  });
});
