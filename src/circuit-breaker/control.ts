import type { Clock } from '../clock.ts';
import type { CircuitState } from '../events.ts';
import { invalid } from '../validate.ts';
import type { Registry } from './registry.ts';

/** Inspection and manual control of a breaker's circuits, by key: the methods a `CircuitBreaker` carries. */
export function controls(registry: Registry, clock: Clock) {
  const control = (name: string, key: unknown) => {
    if (typeof key !== 'string') invalid(`circuitBreaker.${name}: key`, 'a string', key);
    return clock.now();
  };
  return {
    state(key: string): CircuitState {
      const now = control('state', key);
      return registry.peek(key)?.effectiveState(now) ?? 'closed';
    },
    isolate(key: string) {
      const now = control('isolate', key);
      // Again, it only starts a generation no call can tell: an isolated circuit admits none (and emits no event).
      registry.get(key, now).moveTo('isolated', now);
    },
    reset(key: string) {
      const now = control('reset', key);
      const circuit = registry.peek(key);
      if (!circuit) return;
      circuit.coolDownUntil = 0;
      circuit.moveTo('closed', now);
    },
    open(key: string) {
      const now = control('open', key);
      registry.get(key, now).moveTo('open', now);
    },
  };
}
