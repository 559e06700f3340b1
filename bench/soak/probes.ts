// What the soak watches while it runs: timers, process warnings and the heap.

/**
 * Counts timers set through the global `setTimeout` that have neither fired nor been cleared.
 * `process.getActiveResourcesInfo()` does not list `unref()`'d timers (a transport or another library may set
 * some), so that figure alone could miss a leak; this one sees them all. The package looks
 * `setTimeout` up at call time, so wrapping the global catches its timers. `track` picks which timers count
 * (for example only those started from the package's own code); `started` counts the ones it picked.
 */
export function trackTimers(track: () => boolean = () => true): {
  readonly pending: number;
  readonly started: number;
  restore(): void;
} {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const live = new Set<unknown>();
  let started = 0;
  const wrappedSet = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = realSet(() => {
      live.delete(timer);
      callback(...args);
    }, ms);
    if (track()) {
      live.add(timer);
      started++;
    }
    return timer;
  };
  globalThis.setTimeout = Object.assign(wrappedSet, realSet) as typeof setTimeout;
  globalThis.clearTimeout = ((timer?: Parameters<typeof clearTimeout>[0]) => {
    live.delete(timer);
    realClear(timer);
  }) as typeof clearTimeout;
  return {
    get pending() {
      return live.size;
    },
    get started() {
      return started;
    },
    restore() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}

/** Referenced timers, as Node reports them (it leaves out unref'd ones). */
export function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Counts process warnings by name (`TimeoutOverflowWarning`, `MaxListenersExceededWarning`, …). */
export function watchWarnings(): { readonly counts: Map<string, number>; stop(): void } {
  const counts = new Map<string, number>();
  const onWarning = (warning: Error) => counts.set(warning.name, (counts.get(warning.name) ?? 0) + 1);
  process.on('warning', onWarning);
  return { counts, stop: () => process.off('warning', onWarning) };
}

/** Lets queued callbacks, microtasks and warnings (emitted on next tick) run. */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Heap in use after full collections, or `undefined` when the process runs without `--expose-gc`. */
export async function settledHeap(gc: (() => void) | undefined): Promise<number | undefined> {
  if (!gc) return undefined;
  for (let i = 0; i < 4; i++) {
    gc();
    await turn();
  }
  return process.memoryUsage().heapUsed;
}
