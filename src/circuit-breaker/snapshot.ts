import type { CircuitState } from '../events.ts';
import { invalid } from '../validate.ts';
import { coreOf as breakerCore } from './admission.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import type { Registry } from './registry.ts';
import { BUCKETS } from './sampling.ts';
import type { Strategy, StrategySnapshot } from './strategy.ts';

/** One circuit's persisted state: absolute epoch ms, so it means the same thing in another process. */
export interface CircuitSnapshot {
  key: string;
  state: CircuitState;
  /** When an open circuit lets trial calls through. */
  openUntil?: number;
  /** Successful trials so far, while half-open. */
  successes?: number;
  /** When a server cool-down ends. */
  coolDownUntil?: number;
  /** What the strategy counted while closed. */
  strategy?: StrategySnapshot;
}

/**
 * What `snapshotBreaker()` returns and `restoreBreaker()` takes back: plain JSON with absolute epoch-ms times,
 * so it can be stored (a KV store, a file) and restored by a process that starts cold, on another machine.
 * Only circuits that differ from a fresh one are listed, least recently used first.
 */
export interface CircuitBreakerSnapshot {
  version: 1;
  circuits: CircuitSnapshot[];
}

/** The circuits of a breaker built by `circuitBreaker()`, and the time now by its clock. */
function coreOf(where: string, breaker: CircuitBreaker): [Registry, number] {
  const { registry, clock } =
    breakerCore(breaker as object) ?? invalid(where, 'a breaker from circuitBreaker()', breaker as unknown);
  return [registry, clock.now()];
}

/**
 * The circuits of `breaker` that differ from a fresh one, as plain JSON with absolute times, for
 * `restoreBreaker()` (possibly in another process). Imported only by those who persist a breaker.
 *
 * @example
 * ```ts
 * await store.put('breaker', JSON.stringify(snapshotBreaker(breaker)));
 * ```
 */
export function snapshotBreaker(breaker: CircuitBreaker): CircuitBreakerSnapshot {
  const [registry, now] = coreOf('snapshotBreaker: breaker', breaker);
  const circuits: CircuitSnapshot[] = [];
  for (const circuit of registry.values()) {
    const { key, state } = circuit;
    const snapshot: CircuitSnapshot = { key, state };
    if (state === 'open') snapshot.openUntil = circuit.openUntil;
    if (state === 'half-open') snapshot.successes = circuit.successes;
    if (circuit.coolDownUntil > now) snapshot.coolDownUntil = circuit.coolDownUntil;
    const strategy = state === 'closed' && strategySnapshot(circuit.strategy);
    if (strategy) snapshot.strategy = strategy;
    // A circuit as good as new (closed, nothing counted, no cool-down) is left out.
    if (state !== 'closed' || strategy || snapshot.coolDownUntil) circuits.push(snapshot);
  }
  return { version: 1, circuits };
}

/**
 * Takes back what `snapshotBreaker()` returned, possibly in another process; circuits not listed are kept.
 * The snapshot is checked as a whole before any circuit changes: a `TypeError` names the flaw. Calls in flight
 * from before are forgotten.
 */
export function restoreBreaker(breaker: CircuitBreaker, snapshot: CircuitBreakerSnapshot): void {
  const [registry, now] = coreOf('restoreBreaker: breaker', breaker);
  for (const saved of snapshotCircuits('restoreBreaker: snapshot', snapshot)) {
    const circuit = registry.get(saved.key, now);
    circuit.state = saved.state;
    circuit.generation++;
    circuit.trials = 0;
    circuit.successes = saved.successes ?? 0;
    circuit.openUntil = saved.openUntil ?? 0;
    circuit.coolDownUntil = saved.coolDownUntil ?? 0;
    circuit.strategy.reset();
    if (saved.strategy) restoreStrategy(circuit.strategy, saved.strategy);
  }
}

/** What a strategy counted, or `undefined` when there is nothing to remember. Plain JSON, absolute slots. */
export function strategySnapshot({ state }: Strategy): StrategySnapshot | undefined {
  if (!('width' in state)) return state.failures ? { consecutive: state.failures } : undefined;
  const buckets: Array<[number, number, number]> = [];
  state.slots.forEach((slot, i) => {
    if (Number.isFinite(slot)) buckets.push([slot, state.successes[i]!, state.failures[i]!]);
  });
  return buckets.length ? { width: state.width, buckets } : undefined;
}

/** Takes back what `strategySnapshot()` returned, possibly in another process; ignores data it does not recognise. */
export function restoreStrategy({ state }: Strategy, data: StrategySnapshot): void {
  const { consecutive, width, buckets } = data as {
    consecutive?: unknown;
    width?: unknown;
    buckets?: unknown;
  };
  if (!('width' in state)) {
    if (isCount(consecutive)) state.failures = consecutive;
    // A window of another width cannot be mapped onto this one: it starts afresh.
  } else if (width === state.width && Array.isArray(buckets)) {
    for (const entry of buckets) {
      if (!Array.isArray(entry) || !entry.every(Number.isFinite)) continue;
      const i = ((entry[0] % BUCKETS) + BUCKETS) % BUCKETS;
      [state.slots[i], state.successes[i], state.failures[i]] = entry;
    }
  }
}

const STATES: readonly unknown[] = ['closed', 'open', 'half-open', 'isolated'];

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/** An optional field of a snapshot: absent, or what `test` accepts. */
const absentOr = (value: unknown, test: (value: unknown) => unknown) => value === undefined || test(value);

/** Checks a snapshot's shape (it may come from storage) and returns its circuits; throws a `TypeError` naming the flaw. */
function snapshotCircuits(where: string, snapshot: unknown): CircuitSnapshot[] {
  const s = snapshot as CircuitBreakerSnapshot;
  if (s?.version !== 1 || !Array.isArray(s.circuits)) {
    invalid(where, 'a snapshot from snapshotBreaker() ({ version: 1, circuits: [...] })', snapshot);
  }
  s.circuits.forEach((c, i) => {
    const ok =
      typeof c?.key === 'string' &&
      STATES.includes(c.state) &&
      // Number.isFinite() is false for anything but a number.
      absentOr(c.openUntil, Number.isFinite) &&
      absentOr(c.coolDownUntil, Number.isFinite) &&
      absentOr(c.successes, isCount) &&
      absentOr(c.strategy, (s) => typeof s === 'object' && s);
    if (!ok) invalid(`${where}.circuits[${i}]`, 'a circuit snapshot ({ key, state, ... })', c);
  });
  return s.circuits;
}
