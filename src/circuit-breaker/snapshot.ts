import { invalid } from '../validate.ts';
import type { CircuitSnapshot } from './circuit.ts';

export type { CircuitSnapshot } from './circuit.ts';

/**
 * What `breaker.toJSON()` returns and `circuitBreaker({ restore })` / `breaker.restore()` take back: plain JSON
 * with absolute epoch-ms times, so it can be stored (a KV store, a file) and restored by a process that starts
 * cold, on another machine. Only circuits that differ from a fresh one are listed, least recently used first.
 */
export interface CircuitBreakerSnapshot {
  version: 1;
  circuits: CircuitSnapshot[];
}

const STATES: readonly unknown[] = ['closed', 'open', 'half-open', 'isolated'];

const isTime = (value: unknown) =>
  value === undefined || (typeof value === 'number' && Number.isFinite(value));

/** Checks a snapshot's shape (it may come from storage) and returns its circuits; throws a `TypeError` naming the flaw. */
export function snapshotCircuits(where: string, snapshot: unknown): CircuitSnapshot[] {
  const s = snapshot as CircuitBreakerSnapshot;
  if (typeof s !== 'object' || s === null || s.version !== 1 || !Array.isArray(s.circuits)) {
    invalid(where, 'a snapshot from toJSON() ({ version: 1, circuits: [...] })', snapshot);
  }
  s.circuits.forEach((c, i) => {
    const ok =
      typeof c === 'object' &&
      c !== null &&
      typeof c.key === 'string' &&
      STATES.includes(c.state) &&
      isTime(c.openUntil) &&
      isTime(c.coolDownUntil) &&
      (c.successes === undefined || (Number.isInteger(c.successes) && c.successes >= 0)) &&
      (c.strategy === undefined || (typeof c.strategy === 'object' && c.strategy !== null));
    if (!ok) invalid(`${where}.circuits[${i}]`, 'a circuit snapshot ({ key, state, ... })', c);
  });
  return s.circuits;
}
