// Per-call overhead around an in-memory transport: what each library adds to a call that costs nothing
// on the wire. Calls are sequential (each awaited), so the figure is latency added per call.
//
// Each subject runs in its own child process, alternating rounds with the raw transport. Sharing one
// process would let one library slow the others: after a process has built `Request` objects or called
// `AbortSignal.timeout()` (ky does both), every stage built on `AbortController` runs measurably slower.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FetchLike } from '../src/types.ts';
import { alternate, median } from './stats.ts';
import { type Call, subjectsById } from './subjects.ts';

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
  /** Median ns per call minus the raw transport's median in the same process. */
  overhead: number;
}

/**
 * In this process: times the raw transport and the subject `id` in `rounds` alternating rounds of about
 * `roundMs` each, after a warm-up long enough for the JIT to settle. Returns both medians in ns per call.
 */
export async function timeSubject(id: string, rounds: number, roundMs = 60, baseline = 'raw') {
  const calls = [subjectsById[baseline]!, subjectsById[id]!].map((s) => s.make(memoryTransport));
  const sizes: number[] = [];
  for (const call of calls) {
    await timeCalls(call, 5_000);
    const estimate = await timeCalls(call, 2_000);
    sizes.push(Math.max(1_000, Math.round((roundMs * 1e6) / estimate)));
  }
  const samples = await alternate([0, 1], rounds, (i) => timeCalls(calls[i]!, sizes[i]!));
  return { raw: median(samples[0]!), subject: median(samples[1]!) };
}

/**
 * Times subject `id` against subject `baseline` in alternating rounds of one child process: for two close
 * subjects, the same process is a fairer comparison than two.
 */
export function measurePair(
  baseline: string,
  id: string,
  rounds: number,
): { baseline: number; subject: number } {
  const child = fileURLToPath(new URL('./overhead-child.ts', import.meta.url));
  const out = execFileSync(process.execPath, [child, id, String(rounds), baseline], { encoding: 'utf8' });
  const { raw, subject } = JSON.parse(out.trim().split('\n').at(-1)!) as { raw: number; subject: number };
  return { baseline: raw, subject };
}

/** Measures each subject in a child process of its own; the raw row is the median of their baselines. */
export function measureOverhead(ids: string[], rounds: number): OverheadRow[] {
  const child = fileURLToPath(new URL('./overhead-child.ts', import.meta.url));
  const results = ids.map((id) => {
    const out = execFileSync(process.execPath, [child, id, String(rounds)], { encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').at(-1)!) as { raw: number; subject: number };
  });
  const raw = median(results.map((r) => r.raw));
  return [
    { name: subjectsById.raw!.name, perCall: raw, overhead: 0 },
    ...ids.map((id, i) => ({
      name: subjectsById[id]!.name,
      perCall: results[i]!.subject,
      overhead: results[i]!.subject - results[i]!.raw,
    })),
  ];
}
