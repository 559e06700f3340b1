/**
 * Hedging against a server with a slow tail, in virtual time, with this package's own `hedge()`.
 *
 * Calls arrive open-loop (Poisson, `rate` a second). The server answers each request after a latency of its
 * own: normal(20 ms, sd 4 ms) for 95% of them, uniform(500, 1500) ms for the slow 5%, independently per
 * request, so a hedge of a slow request is usually fast. An aborted request stops at once. The server's
 * capacity is taken as unlimited: the extra load is reported, not fed back into the latency.
 *
 * Deterministic: one seeded generator, virtual time only.
 */
import { hedge } from '../../src/hedge/hedge.ts';
import type { HedgeOptions } from '../../src/hedge/options.ts';
import type { FetchLike } from '../../src/types.ts';
import { mulberry32, normal } from '../jitter/event-queue.ts';
import { VirtualTime } from './virtual-time.ts';

export const MODEL = {
  fastMean: 20,
  fastSd: 4,
  slowShare: 0.05,
  slowMin: 500,
  slowMax: 1_500,
  rate: 200,
} as const;

export interface Setting {
  name: string;
  label: string;
  /** The hedge options, or `false` for plain calls. */
  hedge: HedgeOptions | false;
}

export const SETTINGS: readonly Setting[] = [
  { name: 'none', label: 'No hedging', hedge: false },
  { name: 'auto', label: "hedge() (delay 'auto', p95)", hedge: {} },
  { name: 'fixed-50', label: 'hedge({ delay: 50 })', hedge: { delay: 50 } },
  { name: 'fixed-10', label: 'hedge({ delay: 10 })', hedge: { delay: 10 } },
  { name: 'auto-2', label: "hedge({ maxHedges: 2 }) ('auto')", hedge: { maxHedges: 2 } },
];

export interface HedgingResult {
  setting: Setting;
  calls: number;
  requests: number;
  /** Latency percentiles of the calls, ms. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

export async function simulate(setting: Setting, calls: number, seed: number): Promise<HedgingResult> {
  const random = mulberry32(seed);
  const time = new VirtualTime();
  let requests = 0;
  const latency = () =>
    random() < MODEL.slowShare
      ? MODEL.slowMin + random() * (MODEL.slowMax - MODEL.slowMin)
      : Math.max(1, normal(random, MODEL.fastMean, MODEL.fastSd));
  const server: FetchLike = (_input, init) => {
    requests++;
    const signal = init?.signal;
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => resolve(new Response(null)), latency());
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  };
  const fetch = setting.hedge === false ? server : hedge(setting.hedge)(server);
  const times: number[] = [];
  await time.run(() => {
    // Arrivals: exponential gaps, so the calls are a Poisson stream.
    let at = 0;
    for (let i = 0; i < calls; i++) {
      at += (-Math.log(1 - random()) / MODEL.rate) * 1000;
      setTimeout(() => {
        const start = time.now;
        void fetch('http://tail.test/').then(() => times.push(time.now - start));
      }, at);
    }
  });
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  return { setting, calls, requests, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999) };
}
