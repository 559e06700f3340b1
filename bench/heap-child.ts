// Heap held per call in flight, run as `node --expose-gc bench/heap-child.ts` by bench/heap.ts (a forced GC
// before each reading is what makes the figure stable). Prints one JSON line with a row per subject.

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

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

async function measure(subject: Subject) {
  const waiting: Array<(response: Response) => void> = [];
  // Never answers until released, like a server that is slow to send headers.
  const call = subject.make(() => new Promise<Response>((resolve) => waiting.push(resolve)));
  const pending: Promise<unknown>[] = new Array(calls);
  // Warm the path once so the first call's code and shapes do not count.
  const warm = call(url);
  await until(() => waiting.length === 1);
  waiting.pop()!(new Response(null));
  await warm;

  const before = heapAfterGc();
  for (let i = 0; i < calls; i++)
    pending[i] = call(url).then(
      () => true,
      () => false,
    );
  await until(() => waiting.length === calls);
  const during = heapAfterGc();

  const response = new Response(null);
  for (const release of waiting.splice(0)) release(response);
  const results = await Promise.all(pending);
  pending.fill(undefined as never);
  const after = heapAfterGc();
  return {
    name: subject.name,
    perCall: (during - before) / calls,
    settled: results.filter(Boolean).length,
    leftPerCall: (after - before) / calls,
    timers: timers(),
  };
}

const rows = [];
for (const subject of [raw, ours, kySubject]) rows.push(await measure(subject));
console.log(JSON.stringify({ calls, rows }));
