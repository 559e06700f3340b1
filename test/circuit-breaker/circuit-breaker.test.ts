import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import type { CircuitBreakerOptions } from '../../src/circuit-breaker/options.ts';
import { restoreBreaker, snapshotBreaker } from '../../src/circuit-breaker/snapshot.ts';
import { CircuitOpenError } from '../../src/errors/circuit-open-error.ts';
import { TimeoutError } from '../../src/errors/timeout-error.ts';
import type { ResilienceEvent } from '../../src/events.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { networkError, type Step, scripted } from '../helpers/fake-transport.ts';

const A = 'https://a.test';
const B = 'https://b.test';

function setup(options: CircuitBreakerOptions = {}, ...steps: Step[]) {
  const clock = fakeClock();
  const events: ResilienceEvent[] = [];
  const breaker = circuitBreaker({ clock, onEvent: (e) => events.push(e), ...options });
  const transport = scripted(...(steps.length ? steps : [200]));
  const fetch = breaker(transport);
  /** Runs one call and reports how it ended, never throwing. */
  const call = async (url = `${A}/x`, init?: RequestInit) => {
    try {
      return (await fetch(url, init)).status;
    } catch (error) {
      return error;
    }
  };
  const states = () => events.filter((e) => e.type === 'circuit-state').map((e) => `${e.from}>${e.to}`);
  return { clock, events, breaker, transport, fetch, call, states };
}

const failN = async (call: () => Promise<unknown>, n: number) => {
  for (let i = 0; i < n; i++) await call();
};

describe('circuitBreaker: closed → open', () => {
  it('opens after failureThreshold consecutive failures (default 5) and then refuses without calling', async () => {
    const { breaker, transport, call, events, states, clock } = setup({}, networkError());
    await failN(call, 4);
    expect(breaker.state(A)).toBe('closed');
    await call();
    expect(breaker.state(A)).toBe('open');
    expect(states()).toEqual(['closed>open']);
    await clock.advance(10_000);
    const refused = await call(`${A}/secret?token=abc`);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toMatchObject({ key: A, retryAfter: 20_000, message: `Circuit for ${A} is open` });
    expect(transport.calls).toHaveLength(5);
    expect(events.at(-1)).toEqual({
      type: 'circuit-rejected',
      key: A,
      retryAfter: 20_000,
      url: `${A}/secret`,
      method: 'GET',
    });
  });

  it('counts status ≥ 500 and timeouts; a success starts the count again', async () => {
    const { breaker, call } = setup(
      { failureThreshold: 3 },
      500,
      new TimeoutError(10),
      200,
      502,
      503,
      new TimeoutError(10),
    );
    await failN(call, 5);
    expect(breaker.state(A)).toBe('closed');
    await call();
    expect(breaker.state(A)).toBe('open');
  });

  it('never counts a 4xx, so a 4xx never opens a circuit', async () => {
    const { breaker, call } = setup({ failureThreshold: 1 }, 404, 400, 429, 499);
    await failN(call, 50);
    expect(breaker.state(A)).toBe('closed');
  });

  it("records nothing for the caller's abort or a total deadline, and frees the trial slot", async () => {
    const { breaker, fetch, clock } = setup({ failureThreshold: 1, recoveryTimeout: 10 }, (_input, init) => {
      const signal = init!.signal!;
      return new Promise<Response>((_resolve, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    });
    // The deadline's TimeoutError would count as a failure if it were not the caller's own signal.
    for (const reason of [new TimeoutError(30_000), new DOMException('gone', 'AbortError')]) {
      const controller = new AbortController();
      const call = fetch(`${A}/`, { signal: controller.signal });
      controller.abort(reason);
      await expect(call).rejects.toBe(reason);
    }
    expect(breaker.state(A)).toBe('closed');
    breaker.open(A);
    await clock.advance(10);
    const controller = new AbortController();
    const trial = fetch(`${A}/`, { signal: controller.signal });
    expect(await fetch(`${A}/`).catch((e) => e)).toMatchObject({ retryAfter: 0 });
    controller.abort();
    await expect(trial).rejects.toMatchObject({ name: 'AbortError' });
    expect(breaker.state(A)).toBe('half-open');
    const again = fetch(`${A}/`, { signal: AbortSignal.abort() }); // admitted: the slot was given back
    await expect(again).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("does not count an inner breaker's CircuitOpenError", async () => {
    const { breaker, call } = setup({ failureThreshold: 1 }, new CircuitOpenError(A, 1_000));
    await failN(call, 3);
    expect(breaker.state(A)).toBe('closed');
  });

  it('counts an error that is neither a network error nor a timeout as neither success nor failure', async () => {
    const { breaker, call } = setup(
      { failureThreshold: 2 },
      networkError(),
      new Error('bug'),
      networkError(),
    );
    await failN(call, 3);
    expect(breaker.state(A)).toBe('open');
  });

  it('keeps one circuit per origin', async () => {
    const { breaker, call } = setup({ failureThreshold: 1 }, (input) =>
      String(input).startsWith(A) ? Promise.reject(networkError()) : Promise.resolve(new Response('ok')),
    );
    await call(`${A}/1`);
    expect(breaker.state(A)).toBe('open');
    expect(await call(`${B}/1`)).toBe(200);
    expect(breaker.state(B)).toBe('closed');
    expect(breaker.state('https://never.test')).toBe('closed');
  });

  it('reads the key of a Request input and of a URL', async () => {
    const { breaker, call } = setup({ failureThreshold: 2 }, networkError());
    await call(new Request(`${A}/r`) as never);
    await call(new URL(`${A}/u`) as never);
    expect(breaker.state(A)).toBe('open');
  });

  it('uses a custom key(url, init)', async () => {
    const keys: string[] = [];
    const { breaker, call } = setup(
      {
        failureThreshold: 1,
        key: (url, init) => {
          keys.push(`${init?.method ?? 'GET'} ${url}`);
          return 'everything';
        },
      },
      500,
    );
    await call(`${A}/x`, { method: 'PUT' });
    expect(keys).toEqual([`PUT ${A}/x`]);
    expect(breaker.state('everything')).toBe('open');
    expect(await call(`${B}/y`)).toMatchObject({ key: 'everything' });
  });

  it('uses a custom isFailure for responses and errors', async () => {
    const seen: unknown[] = [];
    const { breaker, call } = setup(
      {
        failureThreshold: 2,
        isFailure: ({ response, error }) => {
          seen.push(response?.status ?? (error as Error).message);
          return response?.status === 404;
        },
      },
      500,
      networkError(),
      404,
      404,
    );
    await failN(call, 3);
    expect(breaker.state(A)).toBe('closed'); // 500 is a success here, the network error neither
    await call();
    expect(breaker.state(A)).toBe('open');
    expect(seen).toEqual([500, 'fetch failed', 404, 404]);
  });

  it('gives back the trial slot when isFailure throws', async () => {
    const { breaker, call } = setup({
      isFailure: () => {
        throw new Error('bad predicate');
      },
    });
    breaker.open(A);
    restoreBreaker(breaker, { version: 1, circuits: [{ key: A, state: 'half-open' }] });
    expect(await call()).toMatchObject({ message: 'bad predicate' });
    expect(await call()).toMatchObject({ message: 'bad predicate' });
  });

  it('lets init.resilience.circuitBreaker: false bypass the breaker', async () => {
    const { breaker, transport, call } = setup({ failureThreshold: 1 }, 500);
    breaker.isolate(A);
    expect(await call(`${A}/`, { resilience: { circuitBreaker: false } })).toBe(500);
    expect(transport.calls).toHaveLength(1);
    breaker.reset(A);
    await failN(() => call(`${A}/`, { resilience: { circuitBreaker: false } }), 3);
    expect(breaker.state(A)).toBe('closed');
  });
});

describe('circuitBreaker: open → half-open → closed', () => {
  it('turns half-open lazily after recoveryTimeout, with no timer; one success closes it', async () => {
    const { breaker, call, clock, states } = setup({ failureThreshold: 1, recoveryTimeout: 1_000 }, 500, 200);
    await call();
    expect(clock.sleeping).toBe(0);
    await clock.advance(999);
    expect(breaker.state(A)).toBe('open');
    await clock.advance(1);
    expect(breaker.state(A)).toBe('half-open');
    expect(states()).toEqual(['closed>open']);
    expect(await call()).toBe(200);
    expect(breaker.state(A)).toBe('closed');
    expect(states()).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('re-opens on a failed trial, with a new recoveryTimeout', async () => {
    const { breaker, call, clock, states } = setup({ failureThreshold: 1, recoveryTimeout: 1_000 }, 500);
    await call();
    await clock.advance(1_000);
    expect(await call()).toBe(500);
    expect(breaker.state(A)).toBe('open');
    expect(await call()).toMatchObject({ retryAfter: 1_000 });
    expect(states()).toEqual(['closed>open', 'open>half-open', 'half-open>open']);
  });

  it('closes only after successThreshold successful trials', async () => {
    const { breaker, call, clock } = setup(
      { failureThreshold: 1, successThreshold: 3, recoveryTimeout: 10 },
      500,
      200,
    );
    await call();
    await clock.advance(10);
    await call();
    await call();
    expect(breaker.state(A)).toBe('half-open');
    await call();
    expect(breaker.state(A)).toBe('closed');
  });

  it('forgets the failures of the previous closed period', async () => {
    const { breaker, call, clock } = setup({ failureThreshold: 2, recoveryTimeout: 10 }, 500, 500, 200, 500);
    await failN(call, 2);
    await clock.advance(10);
    await call(); // trial succeeds: closed
    await call(); // one failure, not two
    expect(breaker.state(A)).toBe('closed');
  });
});

describe('circuitBreaker: control by hand', () => {
  it('isolate holds the circuit open until reset (retryAfter Infinity)', async () => {
    const { breaker, call, clock, transport, states } = setup();
    breaker.isolate(A);
    breaker.isolate(A);
    await clock.advance(10 ** 9);
    expect(breaker.state(A)).toBe('isolated');
    expect(await call()).toMatchObject({ retryAfter: Number.POSITIVE_INFINITY, key: A });
    breaker.reset(A);
    expect(breaker.state(A)).toBe('closed');
    expect(await call()).toBe(200);
    expect(transport.calls).toHaveLength(1);
    expect(states()).toEqual(['closed>isolated', 'isolated>closed']);
  });

  it('open opens a circuit now; reset closes it and forgets its failures', async () => {
    const { breaker, call, clock } = setup({ failureThreshold: 2, recoveryTimeout: 500 }, 500, 500, 500);
    breaker.open(A);
    expect(breaker.state(A)).toBe('open');
    expect(await call()).toMatchObject({ retryAfter: 500 });
    await clock.advance(500);
    expect(breaker.state(A)).toBe('half-open');
    breaker.reset(A);
    await call();
    expect(breaker.state(A)).toBe('closed');
    breaker.reset(A);
    await call();
    expect(breaker.state(A)).toBe('closed');
    breaker.reset('https://unknown.test');
    expect(breaker.size).toBe(1);
  });

  it('ignores the outcome of a call admitted before the circuit changed state', async () => {
    let answer!: (status: number) => void;
    const { breaker, fetch } = setup(
      {},
      () => new Promise<Response>((r) => (answer = (s) => r(new Response(null, { status: s })))),
    );
    const slow = fetch(`${A}/`);
    breaker.open(A);
    answer(200);
    await slow;
    expect(breaker.state(A)).toBe('open');
  });

  it('rejects a key that is not a string', () => {
    const { breaker } = setup();
    expect(() => breaker.state(1 as never)).toThrow('circuitBreaker.state: key must be a string, got 1');
  });
});

describe('circuitBreaker: rate mode', () => {
  it('opens on the failure rate over the window once minimumThroughput calls were seen', async () => {
    const steps: Step[] = [...Array(6).fill(200), ...Array(4).fill(500)];
    const { breaker, call } = setup(
      { failureRateThreshold: 0.4, minimumThroughput: 10, samplingDuration: 10_000 },
      ...steps,
    );
    await failN(call, 9);
    expect(breaker.state(A)).toBe('closed');
    await call(); // 4 of 10
    expect(breaker.state(A)).toBe('open');
  });
});

describe('circuitBreaker: persistence', () => {
  it('restores a snapshot in another process with another clock, through JSON', async () => {
    const first = setup({ failureThreshold: 3, recoveryTimeout: 60_000 }, 500);
    await failN(() => first.call(`${A}/`), 3);
    await failN(() => first.call(`${B}/`), 2);
    first.breaker.isolate('https://c.test');
    const stored = JSON.stringify(snapshotBreaker(first.breaker));

    const second = setup({ failureThreshold: 3, recoveryTimeout: 60_000 }, 500);
    restoreBreaker(second.breaker, JSON.parse(stored));
    second.clock.time = first.clock.time + 20_000;
    expect(second.breaker.state(A)).toBe('open');
    expect(await second.call(`${A}/`)).toMatchObject({ retryAfter: 40_000 });
    expect(second.breaker.state('https://c.test')).toBe('isolated');
    await second.call(`${B}/`); // the third failure in a row
    expect(second.breaker.state(B)).toBe('open');
    expect(second.events.filter((e) => e.type === 'circuit-state')).toHaveLength(1);
  });

  it('lists only circuits that differ from a fresh one', async () => {
    const { breaker, call } = setup({}, 200);
    await call();
    expect(snapshotBreaker(breaker)).toEqual({ version: 1, circuits: [] });
  });

  it('rejects a snapshot of the wrong shape with a TypeError naming the flaw', () => {
    const { breaker } = setup();
    expect(() => restoreBreaker(breaker, { circuits: [] } as never)).toThrow(TypeError);
    expect(() =>
      restoreBreaker(breaker, { version: 1, circuits: [{ key: A, state: 'ajar' }] } as never),
    ).toThrow(
      'restoreBreaker: snapshot.circuits[0] must be a circuit snapshot ({ key, state, ... }), got an object',
    );
  });
});

describe('circuitBreaker: options', () => {
  it.each([
    [
      { failureRateThreshold: 2 },
      'circuitBreaker: failureRateThreshold must be a number between 0 and 1, got 2',
    ],
    [{ failureThreshold: 0 }, 'circuitBreaker: failureThreshold must be a positive integer, got 0'],
    [{ minimumThroughput: 1.5 }, 'circuitBreaker: minimumThroughput must be a positive integer, got 1.5'],
    [{ samplingDuration: 0 }, 'circuitBreaker: samplingDuration must be greater than 0, got 0'],
    [
      { recoveryTimeout: -1 },
      'circuitBreaker: recoveryTimeout must be a finite number of ms between 0 and 2^31-1, got -1',
    ],
    [{ halfOpenMaxCalls: 0 }, 'circuitBreaker: halfOpenMaxCalls must be a positive integer, got 0'],
    [{ successThreshold: '1' }, 'circuitBreaker: successThreshold must be a number, got "1"'],
    [{ key: 'origin' }, 'circuitBreaker: key must be a function, got "origin"'],
    [{ isFailure: true }, 'circuitBreaker: isFailure must be a function, got true'],
    [{ coolDown: 'later' }, `circuitBreaker: coolDown must be 'wait', 'fail-fast' or false, got "later"`],
    [
      { maxCoolDown: Number.POSITIVE_INFINITY },
      'circuitBreaker: maxCoolDown must be a finite number of ms between 0 and 2^31-1, got Infinity',
    ],
    [{ maxCircuits: 0 }, 'circuitBreaker: maxCircuits must be a positive integer, got 0'],
    [{ onEvent: 1 }, 'circuitBreaker: onEvent must be a function, got 1'],
    [{ clock: {} }, 'circuitBreaker: clock must be a Clock ({ now, sleep, random }), got an object'],
  ])('rejects %o at construction', (options, message) => {
    expect(() => circuitBreaker(options as never)).toThrow(message);
  });

  it('rejects options that are not an object, and takes undefined as the default', () => {
    expect(() => circuitBreaker(5 as never)).toThrow(
      'circuitBreaker: options must be an options object, got 5',
    );
    expect(circuitBreaker({ failureThreshold: undefined }).state(A)).toBe('closed');
  });
});
