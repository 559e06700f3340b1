// Against a real HTTP server on 127.0.0.1 (in a child process): client CPU per call and throughput, with a
// fixed number of calls in flight. Loopback timings swing by about ±30% from run to run, so subjects are
// measured in many alternating rounds and compared by their medians.

import { fork } from 'node:child_process';
import { once } from 'node:events';
import type { FetchLike } from '../src/types.ts';
import { alternate, median } from './stats.ts';
import type { Subject } from './subjects.ts';

/** The platform fetch, looked up at call time. */
const platformFetch: FetchLike = (input, init) => globalThis.fetch(input, init);

export interface LoopbackRow {
  name: string;
  /** Median client CPU (user + system) per call, in µs. */
  cpuPerCall: number;
  /** Median calls per second. */
  throughput: number;
  /** Median over rounds of this subject's CPU per call ÷ the base subject's in the same round. */
  cpuRatio: number;
  /** Median over rounds of this subject's throughput ÷ the base subject's in the same round. */
  throughputRatio: number;
}

export interface LoopbackOptions {
  /** Index of the subject the ratios compare to. */
  base: number;
  rounds: number;
  callsPerRound: number;
  inFlight: number;
}

/** Starts the server process; resolves its origin and a function that stops it. */
async function startServer(): Promise<{ origin: string; stop: () => Promise<void> }> {
  const child = fork(new URL('./loopback-server.ts', import.meta.url), { stdio: 'inherit' });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return {
    origin: `http://127.0.0.1:${message.port}`,
    async stop() {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}

/** Makes `calls` calls with `inFlight` of them pending at any time; every body is read to the end. */
async function drive(call: (url: string) => Promise<Response>, url: string, calls: number, inFlight: number) {
  let started = 0;
  const worker = async () => {
    while (started < calls) {
      started++;
      const response = await call(url);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

export async function measureLoopback(subjects: Subject[], options: LoopbackOptions): Promise<LoopbackRow[]> {
  const server = await startServer();
  try {
    const url = `${server.origin}/item`;
    const calls = subjects.map((s) => s.make(platformFetch));
    // Warm-up: open the connections and let the JIT settle on every path.
    for (const call of calls) await drive(call, url, 2_000, options.inFlight);
    const indexes = subjects.map((_, i) => i);
    const samples = await alternate(indexes, options.rounds, async (i) => {
      const cpu = process.cpuUsage();
      const start = performance.now();
      await drive(calls[i]!, url, options.callsPerRound, options.inFlight);
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      return {
        cpuPerCall: (used.user + used.system) / options.callsPerRound,
        throughput: options.callsPerRound / seconds,
      };
    });
    // Ratios are taken round by round: a burst of load from elsewhere on the machine then hits both sides.
    const base = samples[options.base]!;
    return subjects.map((s, i) => ({
      name: s.name,
      cpuPerCall: median(samples[i]!.map((x) => x.cpuPerCall)),
      throughput: median(samples[i]!.map((x) => x.throughput)),
      cpuRatio: median(samples[i]!.map((x, r) => x.cpuPerCall / base[r]!.cpuPerCall)),
      throughputRatio: median(samples[i]!.map((x, r) => x.throughput / base[r]!.throughput)),
    }));
  } finally {
    await server.stop();
  }
}
