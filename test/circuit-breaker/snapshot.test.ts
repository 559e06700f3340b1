// A snapshot may come from storage: restoreBreaker() takes back exactly what snapshotBreaker() writes and refuses
// anything else with a TypeError naming the flaw, before it changes any circuit.
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import { restoreBreaker, snapshotBreaker } from '../../src/circuit-breaker/snapshot.ts';

const key = 'http://a.test';
const circuit = (fields: object) => ({ version: 1, circuits: [{ key, state: 'open', ...fields }] });

describe('restoreBreaker: snapshot checks', () => {
  it.each([
    ['null', null],
    ['a string', 'snapshot'],
    ['another version', { version: 2, circuits: [] }],
    ['circuits not an array', { version: 1, circuits: {} }],
  ])('refuses %s as a whole', (_label, snapshot) => {
    expect(() => restoreBreaker(circuitBreaker(), snapshot as never)).toThrow(
      /^restoreBreaker: snapshot must be a snapshot from snapshotBreaker\(\)/,
    );
  });

  it.each([
    ['null', null],
    ['a number', 7],
    ['a key that is not a string', { key: 1, state: 'open' }],
    ['an unknown state', { key, state: 'ajar' }],
    ['openUntil not a number', { key, state: 'open', openUntil: '1' }],
    ['openUntil infinite', { key, state: 'open', openUntil: Number.POSITIVE_INFINITY }],
    ['coolDownUntil not finite', { key, state: 'closed', coolDownUntil: Number.NaN }],
    ['successes negative', { key, state: 'half-open', successes: -1 }],
    ['successes fractional', { key, state: 'half-open', successes: 0.5 }],
    ['strategy null', { key, state: 'closed', strategy: null }],
    ['strategy a number', { key, state: 'closed', strategy: 3 }],
  ])('refuses a circuit with %s, naming its index', (_label, bad) => {
    const breaker = circuitBreaker();
    const snapshot = { version: 1, circuits: [{ key: 'http://ok.test', state: 'isolated' }, bad] };
    expect(() => restoreBreaker(breaker, snapshot as never)).toThrow(
      'restoreBreaker: snapshot.circuits[1] must be a circuit snapshot ({ key, state, ... })',
    );
    // Checked before anything is applied: the good circuit before it was not restored either.
    expect(breaker.state('http://ok.test')).toBe('closed');
  });

  it('takes back every field toJSON() may write', () => {
    const breaker = circuitBreaker();
    const openUntil = Date.now() + 60_000;
    restoreBreaker(breaker, circuit({ openUntil, coolDownUntil: openUntil }) as never);
    restoreBreaker(breaker, {
      version: 1,
      circuits: [
        { key: 'http://b.test', state: 'half-open', successes: 0 },
        { key: 'http://c.test', state: 'closed', strategy: { consecutive: 3 } },
      ],
    });
    expect(breaker.state(key)).toBe('open');
    expect(breaker.state('http://b.test')).toBe('half-open');
    expect(snapshotBreaker(breaker).circuits).toEqual([
      { key, state: 'open', openUntil, coolDownUntil: openUntil },
      { key: 'http://b.test', state: 'half-open', successes: 0 },
      { key: 'http://c.test', state: 'closed', strategy: { consecutive: 3 } },
    ]);
  });

  it('ignores a consecutive count that is not a whole number ≥ 0, and one of another strategy', () => {
    for (const consecutive of [-1, 1.5, Number.NaN]) {
      const breaker = circuitBreaker();
      restoreBreaker(breaker, {
        version: 1,
        circuits: [{ key, state: 'closed', strategy: { consecutive } }],
      });
      expect(snapshotBreaker(breaker).circuits).toEqual([]);
    }
    const breaker = circuitBreaker();
    restoreBreaker(breaker, {
      version: 1,
      circuits: [{ key, state: 'closed', strategy: { width: 1, buckets: [] } }],
    });
    expect(snapshotBreaker(breaker).circuits).toEqual([]);
    restoreBreaker(breaker, {
      version: 1,
      circuits: [{ key, state: 'closed', strategy: { consecutive: 0 } }],
    });
    expect(snapshotBreaker(breaker).circuits).toEqual([]);
  });
});
