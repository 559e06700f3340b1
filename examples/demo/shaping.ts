// The demo's traffic-shaping scenes: a quota-enforcing server, where rateLimit() gets no 429 where retry
// alone collects many, and a slow-tail server, where hedge() cuts the 99th percentile.
import { hedge, type ResilienceEvent, rateLimit, resilientFetch } from '../../src/index.ts';
import { bold, dim, green, red, say, scene } from './print.ts';
import { startQuotaServer } from './quota-server.ts';
import { startTailServer } from './tail-server.ts';

export interface QuotaFigures {
  calls: number;
  retryAlone: { refused: number; completed: number };
  limited: { refused: number; completed: number };
}

/** Both pipelines at once, each against a server of its own allowing `limit` calls a second. */
export async function quotaScene(number: number, calls = 40, limit = 10): Promise<QuotaFigures> {
  scene(
    number,
    'A quota',
    `${calls} calls to a server allowing ${limit} a second, announced in RateLimit/RateLimit-Policy; 429 beyond.`,
  );
  const run = async (name: string, api: typeof fetch, learnFirst: boolean) => {
    const server = await startQuotaServer({ limit, window: 1_000, family: 'ietf', latency: 20 });
    const url = `${server.origin}/items`;
    const t = performance.now();
    const statuses: number[] = [];
    const one = async () => {
      const response = await api(url);
      await response.body?.cancel();
      statuses.push(response.status);
    };
    // The limiter knows nothing until the server has spoken: one call first, then the rest at once.
    if (learnFirst) await one();
    await Promise.all(Array.from({ length: learnFirst ? calls - 1 : calls }, one));
    const figures = { refused: server.refused, completed: statuses.filter((s) => s === 200).length };
    const seconds = ((performance.now() - t) / 1000).toFixed(1);
    const refused = figures.refused === 0 ? green('0 × 429') : red(`${figures.refused} × 429`);
    say(`${name} → ${refused}, ${bold(`${figures.completed}`)} of ${calls} calls completed (${seconds} s)`);
    await server.close();
    return figures;
  };
  const waits: number[] = [];
  const onEvent = (e: ResilienceEvent) => e.type === 'rate-limit-wait' && waits.push(e.delay);
  const [retryAlone, limited] = await Promise.all([
    run('retry alone        ', resilientFetch(), false),
    run('rateLimit() + retry', resilientFetch({ rateLimit: rateLimit(), onEvent }), true),
  ]);
  say(dim(`the limiter held ${waits.length} calls back until the announced reset, none refused`));
  return { calls, retryAlone, limited };
}

export interface TailFigures {
  calls: number;
  plain: { p50: number; p99: number; requests: number };
  hedged: { p50: number; p99: number; requests: number };
}

/** The same calls, plain and hedged, against a server where one request in 20 is slow. */
export async function tailScene(number: number, calls = 400, slow = 300): Promise<TailFigures> {
  const fast = 5;
  const warmUp = 40;
  const workers = 10;
  scene(
    number,
    'A slow tail',
    `One request in 20 takes ${slow} ms, the others ${fast} ms. ${calls} calls, ${workers} at a time, after ${warmUp} to warm up.`,
  );
  const run = async (name: string, make: () => typeof fetch) => {
    const server = await startTailServer({ fast, slow });
    const api = make();
    const times: number[] = [];
    const load = async (n: number, record: boolean) => {
      let next = 0;
      const worker = async () => {
        while (next++ < n) {
          const t = performance.now();
          await (await api(`${server.origin}/search`)).text();
          if (record) times.push(performance.now() - t);
        }
      };
      await Promise.all(Array.from({ length: workers }, worker));
    };
    // Warm-up, not measured: connections open, and 'auto' learns the answer times.
    await load(warmUp, false);
    const before = server.requests;
    await load(calls, true);
    times.sort((a, b) => a - b);
    const requests = server.requests - before;
    const figures = { p50: percentile(times, 0.5), p99: percentile(times, 0.99), requests };
    const extra = (((figures.requests - calls) / calls) * 100).toFixed(1);
    say(
      `${name} → p50 ${figures.p50} ms, p99 ${bold(`${figures.p99} ms`)}, ${figures.requests} requests (+${extra}%)`,
    );
    await server.close();
    return figures;
  };
  const plain = await run('plain fetch', () => fetch);
  const hedged = await run("hedge({ delay: 'auto' })", () =>
    resilientFetch({ hedge: hedge(), retry: false }),
  );
  say(
    dim('after 20 answers, a call slower than their 95th percentile gets a second attempt; the first wins'),
  );
  return { calls, plain, hedged };
}

/** The `q` quantile of sorted `values`, rounded to the ms. */
function percentile(sorted: number[], q: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
}
