// The leak soak: many calls through the standard pipeline, all sharing one long-lived caller signal, against
// an in-memory transport that mixes successes, 503s, network errors, absurd Retry-After values and attempts
// that hang until their deadline. Shared by `npm run soak` (1,000,000 calls) and test/soak.test.ts.
import { getEventListeners, setMaxListeners } from 'node:events';
import { createMetrics, type MetricsSnapshot } from '../../src/metrics.ts';
import { resilientFetch } from '../../src/resilient-fetch.ts';
import { activeTimeouts, settledHeap, trackTimers, turn, watchWarnings } from './probes.ts';
import { inMemoryTransport, type OutcomeKind } from './transport.ts';

export interface SoakOptions {
  /** Calls in all, warm-up included. */
  calls: number;
  /** Calls in flight at once. @default 64 */
  concurrency?: number;
  /** Calls made before the heap baseline is taken. @default 10% of `calls`, at most 50,000 */
  warmUp?: number;
  /** Seed of the transport's outcome mix. @default 1 */
  seed?: number;
  /** A full garbage collection; without one the heap is not measured. @default globalThis.gc */
  gc?: () => void;
}

export interface SoakFigures {
  calls: number;
  seconds: number;
  callsPerSecond: number;
  /** Heap in use after GC at the end minus after the warm-up, in bytes; `undefined` without a `gc`. */
  heapGrowth: number | undefined;
  /** `abort` listeners left on the shared caller signal once every call settled. */
  abortListeners: number;
  /** The most `abort` listeners seen on the shared signal during the run (bounded by the concurrency). */
  abortListenersPeak: number;
  /** Referenced timers left (`process.getActiveResourcesInfo()`), beyond those there before the soak. */
  activeTimeouts: number;
  /** Timers set and neither fired nor cleared, unref'd ones included. */
  pendingTimers: number;
  /** Process warnings emitted during the run, by name. */
  warnings: Record<string, number>;
  /** How the calls ended: a status, or the name of the error they rejected with. */
  endings: Record<string, number>;
  /** How many attempts the transport answered with each kind of outcome. */
  answered: Record<OutcomeKind, number>;
  metrics: MetricsSnapshot;
}

const URL = 'http://soak.test/items';

export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const { calls, concurrency = 64, seed = 1 } = options;
  const warmUp = options.warmUp ?? Math.min(50_000, Math.floor(calls / 10));
  const gc = options.gc ?? (globalThis as { gc?: () => void }).gc;
  const timeoutsBefore = activeTimeouts();
  // The transport holds no socket: this keeps the process alive between turns even if no timer is pending.
  const keepAlive = setInterval(() => {}, 1_000);
  const timers = trackTimers();
  const warnings = watchWarnings();
  try {
    const caller = new AbortController();
    const signal = caller.signal;
    // Many calls share this signal on purpose; past 4× the concurrency a listener count means a leak, and
    // Node says so with a MaxListenersExceededWarning.
    setMaxListeners(concurrency * 4, signal);
    const transport = inMemoryTransport(seed);
    const metrics = createMetrics();
    const fetchResilient = resilientFetch({
      fetch: transport,
      timeout: 1_000,
      attemptTimeout: 20,
      retry: { backoff: () => 0 },
      circuitBreaker: { failureThreshold: 8, recoveryTimeout: 5 },
      onEvent: metrics.onEvent,
    });

    const endings: Record<string, number> = {};
    let peak = 0;
    const one = async (i: number) => {
      // A share of calls carries per-request options, so the merge path is soaked too.
      const init: RequestInit =
        i % 7 === 0 ? { signal, resilience: { retry: { limit: 1 }, timeout: 25 } } : { signal };
      let ending: string;
      try {
        const response = await fetchResilient(URL, init);
        await response.arrayBuffer();
        ending = String(response.status);
      } catch (error) {
        ending = (error as Error).name;
        // A refusal comes back within the same tick. A caller that asks again at once, in a loop, never
        // lets a timer fire: a half-open circuit whose one trial waits on its deadline would then refuse
        // every call until the loop ends. Callers back off; so does the soak, by one turn of the loop.
        if (ending === 'CircuitOpenError') await turn();
      }
      endings[ending] = (endings[ending] ?? 0) + 1;
      if (i % 1_000 === 0) peak = Math.max(peak, getEventListeners(signal, 'abort').length);
    };

    let started = 0;
    const phase = (until: number) =>
      Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (started < until) await one(++started);
        }),
      );

    await phase(warmUp);
    const baseline = await settledHeap(gc);
    const t0 = performance.now();
    await phase(calls);
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(keepAlive);
    await turn();
    await turn();
    const end = await settledHeap(gc);

    return {
      calls,
      seconds,
      callsPerSecond: (calls - warmUp) / seconds,
      heapGrowth: baseline === undefined || end === undefined ? undefined : end - baseline,
      abortListeners: getEventListeners(signal, 'abort').length,
      abortListenersPeak: peak,
      activeTimeouts: Math.max(0, activeTimeouts() - timeoutsBefore),
      pendingTimers: timers.pending,
      warnings: Object.fromEntries(warnings.counts),
      endings,
      answered: { ...transport.answered },
      metrics: metrics.snapshot(),
    };
  } finally {
    clearInterval(keepAlive);
    timers.restore();
    warnings.stop();
  }
}
