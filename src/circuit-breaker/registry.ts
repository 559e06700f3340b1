import type { Circuit } from './circuit.ts';

/** What the registry needs of an entry: the sweep's mark, whether dropping it loses anything, its state. */
export interface RegistryEntry {
  used: boolean;
  idle(now: number): boolean;
  readonly state?: string;
}

/** How many circuits one eviction looks at before it settles for one that is not idle. */
const SWEEP = 32;

/**
 * The circuits of one breaker, at most `max` of them. A lookup costs one `Map.get` and one field write; the
 * eviction order is kept by a second-chance sweep (the CLOCK approximation of least-recently-used) instead of
 * moving every used entry to the back of the map.
 *
 * When a new key arrives and the registry is full, the sweep walks from the oldest entry: a circuit used since
 * the last sweep gets a second chance (its mark is cleared and it moves to the back); the first one neither
 * used nor holding state (closed, no call in flight, no cool-down) is dropped. When `SWEEP` entries gave
 * nothing, the oldest circuit that is not isolated is dropped whatever its state, so the bound holds under
 * any traffic. Isolated circuits are never dropped: they were isolated by hand and stay so until `reset()`.
 */
export class Registry<T extends RegistryEntry = Circuit> {
  readonly #circuits = new Map<string, T>();

  readonly #max: number;
  readonly #create: (key: string) => T;

  constructor(max: number, create: (key: string) => T) {
    this.#max = max;
    this.#create = create;
  }

  get size(): number {
    return this.#circuits.size;
  }

  /** The circuit for `key`, created when missing (dropping another when full). */
  get(key: string, now: number): T {
    let circuit = this.find(key);
    if (circuit === undefined) {
      if (this.#circuits.size >= this.#max) this.#evict(now);
      circuit = this.#create(key);
      this.#circuits.set(key, circuit);
    }
    return circuit;
  }

  /** The circuit for `key` if there is one, marked as used; creates nothing. */
  find(key: string): T | undefined {
    const circuit = this.#circuits.get(key);
    if (circuit !== undefined) circuit.used = true;
    return circuit;
  }

  /** The circuit for `key` if there is one; creates nothing. */
  peek(key: string): T | undefined {
    return this.#circuits.get(key);
  }

  /** Every circuit, least recently inserted first. */
  values(): IterableIterator<T> {
    return this.#circuits.values();
  }

  #evict(now: number): void {
    const circuits = this.#circuits;
    let looked = 0;
    // Entries moved to the back are visited again only after a full turn; SWEEP bounds the walk anyway.
    for (const [key, circuit] of circuits) {
      if (looked++ >= SWEEP) break;
      circuits.delete(key);
      if (!circuit.used && circuit.idle(now)) return;
      circuit.used = false;
      circuits.set(key, circuit);
    }
    for (const [key, circuit] of circuits) {
      if (circuit.state !== 'isolated') {
        circuits.delete(key);
        return;
      }
    }
  }
}
