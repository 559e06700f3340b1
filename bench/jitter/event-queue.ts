/**
 * The two small pieces a reproducible discrete-event simulation needs: a seeded random source and a
 * priority queue of events ordered by virtual time.
 */

/**
 * mulberry32: a tiny 32-bit seeded generator returning [0, 1). Plenty for a simulation, and the same seed
 * gives the same run on every platform (unlike `Math.random`).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return function random() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A normal(mean, sd) sample by the Box–Muller transform, from two draws of `random`. */
export function normal(random: () => number, mean: number, sd: number): number {
  // 1 − u keeps the logarithm's argument in (0, 1]: `random` may return 0, never 1.
  const u = 1 - random();
  const v = random();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** An event due at `time`; `seq` breaks ties in scheduling order, so equal times never depend on the heap. */
interface Entry<T> {
  time: number;
  seq: number;
  event: T;
}

/** A binary min-heap of events keyed by (time, scheduling order). */
export class EventQueue<T> {
  readonly #heap: Entry<T>[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(time: number, event: T): void {
    const heap = this.#heap;
    const entry = { time, seq: this.#seq++, event };
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Removes and returns the earliest event, or `undefined` when the queue is empty. */
  pop(): { time: number; event: T } | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
