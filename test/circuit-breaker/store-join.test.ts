// The breaker's side of a store (circuit-breaker/fleet.ts) is reached through redisStore(), so that a bundle
// without a store does not carry it; a store from elsewhere is refused at construction.
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';

describe('a store no redisStore() made', () => {
  it('is refused when the breaker is built, naming the option', () => {
    const store = { attach: () => ({}), close: async () => {} };
    expect(() => circuitBreaker({ store: store as never })).toThrow(
      'circuitBreaker: store must be a Store from redisStore(), got an object',
    );
  });
});
