// Per-call overhead around an in-memory transport: what each library adds to a call that costs nothing
// on the wire. Calls are sequential (each awaited), so the figure is latency added per call.

import type { FetchLike } from '../src/types.ts';
import { alternate, median } from './stats.ts';
import type { Call, Subject } from './subjects.ts';

const url = 'http://bench.test/resource';

/** Answers at once with a fresh empty 200, as a mocked fetch would. */
export const memoryTransport: FetchLike = async () => new Response(null);

async function timeCalls(call: Call, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await call(url);
  return Number(process.hrtime.bigint() - start) / n;
}

export interface OverheadRow {
  name: string;
  /** Median ns per call, transport included. */
  perCall: number;
  /** Median ns per call minus the raw transport's median. */
  overhead: number;
}

/**
 * Times each subject over `rounds` alternating rounds of about `roundMs` each, after a warm-up long enough
 * for the JIT to settle. The first subject must be the raw transport: the others are reported relative to it.
 */
export async function measureOverhead(
  subjects: Subject[],
  rounds = 15,
  roundMs = 60,
): Promise<OverheadRow[]> {
  const calls = subjects.map((s) => s.make(memoryTransport));
  const sizes: number[] = [];
  for (const call of calls) {
    await timeCalls(call, 5_000);
    const estimate = await timeCalls(call, 2_000);
    sizes.push(Math.max(1_000, Math.round((roundMs * 1e6) / estimate)));
  }
  const indexes = subjects.map((_, i) => i);
  const samples = await alternate(indexes, rounds, (i) => timeCalls(calls[i]!, sizes[i]!));
  const medians = samples.map(median);
  return subjects.map((s, i) => ({
    name: s.name,
    perCall: medians[i]!,
    overhead: medians[i]! - medians[0]!,
  }));
}
