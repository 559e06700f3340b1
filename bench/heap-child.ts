// Heap held per call in flight, run as `node --expose-gc bench/heap-child.ts` by bench/heap.ts (a forced GC
// before each reading is what makes the figure stable). Prints one JSON line with a row per subject.

import { trackTimers } from './soak/probes.ts';
import { kySubject, ours, raw, type Subject } from './subjects.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const calls = Number(process.argv[2] ?? 10_000);
const url = 'http://bench.test/resource';

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

/** Lets the event loop turn until `done()`: some clients reach their transport only after a few awaits. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Counts the timers a run leaves pending, unref'd ones included (which `process.getActiveResourcesInfo()`
 * does not list), by wrapping the global `setTimeout`/`clearTimeout` that every subject reads at call time.
 * Run apart from the heap reading, since the wrapper allocates too.
 */
async function timersLeft(run: () => Promise<void>): Promise<number> {
  const timers = trackTimers();
  try {
    await run();
  } finally {
    timers.restore();
  }
  return timers.pending;
}

/** Starts `n` calls that wait for the transport, then releases them; resolves with the settled results. */
async function inFlight(subject: Subject, n: number, atPeak: () => void = () => {}): Promise<boolean[]> {
  const waiting: Array<(response: Response) => void> = [];
  // Never answers until released, like a server that is slow to send headers.
  const call = subject.make(() => new Promise<Response>((resolve) => waiting.push(resolve)));
  const pending: Promise<boolean>[] = new Array(n);
  for (let i = 0; i < n; i++)
    pending[i] = call(url).then(
      () => true,
      () => false,
    );
  await until(() => waiting.length === n);
  atPeak();
  const response = new Response(null);
  for (const release of waiting.splice(0)) release(response);
  return Promise.all(pending);
}

async function measure(subject: Subject) {
  // Warm the path once so the first call's code and shapes do not count.
  await inFlight(subject, 100);
  const before = heapAfterGc();
  let during = 0;
  const results = await inFlight(subject, calls, () => {
    during = heapAfterGc();
  });
  const after = heapAfterGc();
  const timers = await timersLeft(async () => {
    await inFlight(subject, 1_000);
  });
  return {
    name: subject.name,
    perCall: (during - before) / calls,
    settled: results.filter(Boolean).length,
    leftPerCall: (after - before) / calls,
    timers,
  };
}

const rows = [];
for (const subject of [raw, ours, kySubject]) rows.push(await measure(subject));
console.log(JSON.stringify({ calls, rows }));
