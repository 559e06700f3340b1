// The breaker's side of a shared store, against an in-memory Store that records what it is told and lets the
// test play the fleet: what the breaker reports, how it applies the fleet's updates within its own limits,
// and how a half-open trial waits for its lease.
import { describe, expect, it } from 'vitest';
import { useFleet } from '../../src/circuit-breaker/admission.ts';
import { joinFleet } from '../../src/circuit-breaker/fleet.ts';
import {
  CircuitOpenError,
  circuitBreaker,
  compose,
  resilientFetch,
  type Store,
  type StoreHandle,
  type StoreUpdate,
} from '../../src/index.ts';
import { parseMessage, readUpdates, replyUpdate } from '../../src/redis/messages.ts';
import { redisStore } from '../../src/redis.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { scripted } from '../helpers/fake-transport.ts';

const url = 'https://api.example.com/items';
const key = 'https://api.example.com';

// The breaker's side of a store reaches a bundle through redisStore(); an in-memory store joins the same way.
useFleet(joinFleet);

function memoryStore(lease: () => Promise<number | undefined> = async () => undefined) {
  const told: string[] = [];
  let handle: StoreHandle | undefined;
  const store: Store = {
    attach(h) {
      handle = h;
      return {
        opened: (k) => told.push(`opened ${k}`),
        coolDown: (k, ms) => told.push(`cool-down ${k} ${ms}`),
        lease: (k) => {
          told.push(`lease ${k}`);
          return lease();
        },
        trialEnded: (k, outcome) => told.push(`trial ${k} ${outcome}`),
        control: (k, action) => told.push(`${action} ${k}`),
      };
    },
    close: async () => {},
  };
  return { store, told, apply: (k: string, u: StoreUpdate) => handle!.apply(k, u), handle: () => handle! };
}

const refusal = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CircuitOpenError);
  return (error as CircuitOpenError).retryAfter;
};

describe('circuitBreaker({ store })', () => {
  it('reports an opening on its own evidence, trial outcomes and manual control, nothing on a success', async () => {
    const clock = fakeClock();
    const fleet = memoryStore();
    const breaker = circuitBreaker({
      store: fleet.store,
      clock,
      failureThreshold: 2,
      recoveryTimeout: 1_000,
    });
    const fetch = compose(breaker)(scripted(200, 500, 500, 200));
    await fetch(url);
    expect(fleet.told).toEqual([]);
    await fetch(url);
    await fetch(url);
    expect(fleet.told).toEqual([`opened ${key}`]);
    await clock.advance(1_000);
    expect((await fetch(url)).status).toBe(200);
    expect(fleet.told.slice(1)).toEqual([`lease ${key}`, `trial ${key} success`]);
    breaker.isolate(key);
    breaker.reset(key);
    breaker.open(key);
    expect(fleet.told.slice(3)).toEqual([`isolate ${key}`, `reset ${key}`, `open ${key}`]);
    expect(fleet.handle()).toMatchObject({
      recoveryTimeout: 1_000,
      halfOpenMaxCalls: 1,
      successThreshold: 1,
    });
  });

  it('shares a server cool-down as a duration', async () => {
    const fleet = memoryStore();
    const clock = fakeClock();
    const limited = new Response(null, { status: 429, headers: { 'retry-after': '3' } });
    await compose(circuitBreaker({ store: fleet.store, clock }))(scripted(limited))(url);
    expect(fleet.told).toEqual([`cool-down ${key} 3000`]);
  });

  it('refuses a trial whose lease the fleet refused, with the store’s retryAfter, and frees its slot', async () => {
    const clock = fakeClock();
    let verdict: number | undefined = 0;
    const fleet = memoryStore(async () => verdict);
    const transport = scripted(500, 200);
    const breaker = circuitBreaker({ store: fleet.store, clock, failureThreshold: 1, recoveryTimeout: 100 });
    const fetch = compose(breaker)(transport);
    await fetch(url);
    await clock.advance(100);
    expect(await refusal(fetch(url))).toBe(0);
    expect(transport.calls).toHaveLength(1);
    expect(breaker.state(key)).toBe('half-open');
    verdict = undefined; // the lease is granted (or the store could not tell in time): the trial goes ahead
    expect((await fetch(url)).status).toBe(200);
    expect(breaker.state(key)).toBe('closed');
  });

  it('applies the fleet’s updates within its own recoveryTimeout and maxCoolDown', async () => {
    const clock = fakeClock();
    const fleet = memoryStore();
    const breaker = circuitBreaker({
      store: fleet.store,
      clock,
      recoveryTimeout: 500,
      maxCoolDown: 200,
      coolDown: 'fail-fast',
    });
    const fetch = compose(breaker)(scripted(200));
    fleet.apply(key, { type: 'open', ms: 60_000 });
    expect(await refusal(fetch(url))).toBe(500);
    await clock.advance(500);
    expect(breaker.state(key)).toBe('half-open');
    fleet.apply(key, { type: 'closed' });
    expect(breaker.state(key)).toBe('closed');
    fleet.apply(key, { type: 'cool-down', ms: 10_000 });
    expect(await refusal(fetch(url))).toBe(200);
    fleet.apply(key, { type: 'reset' });
    expect((await fetch(url)).status).toBe(200);
  });

  it('keeps an isolation until a reset, and ignores malformed updates', async () => {
    const clock = fakeClock();
    const fleet = memoryStore();
    const breaker = circuitBreaker({ store: fleet.store, clock });
    fleet.apply(key, { type: 'isolated' });
    fleet.apply(key, { type: 'open', ms: 10 });
    fleet.apply(key, { type: 'closed' });
    expect(breaker.state(key)).toBe('isolated');
    for (const bad of [
      null,
      {},
      { type: 'open', ms: Number.NaN },
      { type: 'open', ms: -5 },
      { type: 'what' },
    ]) {
      fleet.apply(key, bad as unknown as StoreUpdate);
    }
    fleet.apply(42 as unknown as string, { type: 'reset' });
    expect(breaker.state(key)).toBe('isolated');
    fleet.apply(key, { type: 'reset' });
    expect(breaker.state(key)).toBe('closed');
  });

  it('validates the store option, in both factories', () => {
    expect(() => circuitBreaker({ store: {} as Store })).toThrow(
      'circuitBreaker: store must be a Store (redisStore() from resilient-fetch/redis), got an object',
    );
    expect(() => resilientFetch({ store: 'redis' as unknown as Store })).toThrow(
      'resilientFetch: store must be a Store (redisStore() from resilient-fetch/redis), got "redis"',
    );
    const { store } = memoryStore();
    expect(() => resilientFetch({ store, circuitBreaker: false })).toThrow(
      'resilientFetch: circuitBreaker must be breaker options when store is given, got false',
    );
  });
});

describe('what comes from Redis', () => {
  it('ignores malformed messages and replies instead of throwing', () => {
    for (const bad of [
      undefined,
      42,
      '',
      'not json',
      'null',
      '[]',
      '{"k":1,"t":"open","ms":5,"from":"a"}',
      '{"k":"x","t":"explode","from":"a"}',
      '{"k":"x","t":"open","ms":"soon","from":"a"}',
      '{"k":"x","t":"cool-down","ms":-1,"from":"a"}',
      `{"k":"${'x'.repeat(70_000)}","t":"reset","from":"a"}`,
    ]) {
      expect(parseMessage(bad)).toBeUndefined();
    }
    expect(parseMessage('{"k":"x","t":"open","ms":250,"from":"a"}')).toEqual({
      key: 'x',
      from: 'a',
      update: { type: 'open', ms: 250 },
    });
    expect(replyUpdate(['vote', 1])).toBeUndefined();
    expect(replyUpdate('open')).toBeUndefined();
    expect(replyUpdate(['open', '120'])).toEqual({ type: 'open', ms: 120 });
    expect(readUpdates(['isolated', 0, -3])).toEqual([{ type: 'isolated' }]);
    expect(readUpdates(['open', 300, 40])).toEqual([
      { type: 'open', ms: 300 },
      { type: 'cool-down', ms: 40 },
    ]);
    expect(readUpdates({})).toEqual([]);
  });

  it('refuses a client that is neither node-redis nor ioredis, and bad options, naming them', () => {
    expect(() => redisStore({} as never)).toThrow(
      'redisStore: client must be a connected node-redis (≥ 5) or ioredis (≥ 5) client, got an object',
    );
    const fake = { isOpen: true, sendCommand: async () => null, duplicate: () => ({}) as never };
    expect(() => redisStore(fake, { quorum: 0 })).toThrow(
      'redisStore: quorum must be a positive integer, got 0',
    );
    expect(() => redisStore(fake, { timeout: 0 })).toThrow(
      'redisStore: timeout must be greater than 0, got 0',
    );
    expect(() => redisStore(fake, { prefix: '' })).toThrow(
      'redisStore: prefix must be a non-empty string, got ""',
    );
  });
});
