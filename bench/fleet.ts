// `npm run bench:fleet`: what a store changes for four processes against one origin and one real Redis.
// 1. An outage: server requests while the origin answers 503, with and without the store.
// 2. A shared Retry-After: requests the other processes send while one of them was told to wait.
// 3. Redis killed mid-run: the longest extra latency a call saw while Redis was down.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  eventually,
  everyProcessSaw,
  type FleetWorker,
  startFleet,
  type WorkerConfig,
} from '../examples/demo/fleet.ts';
import { startRedisServer } from '../test/helpers/redis-server.ts';
import { startServer } from '../test/helpers/server.ts';
import { median } from './stats.ts';

const PROCESSES = 4;
const RETRY_AFTER = 2;
const redis = await startRedisServer();
const arrivals: Array<{ path: string; at: number }> = [];
const origin = await startServer((req, res) => {
  const path = req.url ?? '/';
  arrivals.push({ path, at: Date.now() });
  if (path.startsWith('/down')) return void res.writeHead(503).end('down');
  if (path.startsWith('/limited'))
    return void res.writeHead(429, { 'retry-after': String(RETRY_AFTER) }).end();
  res.writeHead(200).end('ok');
});
const count = (prefix: string, from = 0, to = Number.POSITIVE_INFINITY) =>
  arrivals.filter((a) => a.path.startsWith(prefix) && a.at >= from && a.at < to).length;

let run = 0;
const fleetOf = (store: boolean, breaker: WorkerConfig['breaker'] = {}) =>
  startFleet(PROCESSES, {
    origin: origin.origin,
    ...(store ? { redis: redis.url, client: 'node-redis', store: { prefix: `bench:${++run}:` } } : {}),
    breaker,
  });
const closeAll = (fleet: FleetWorker[]) => Promise.all(fleet.map((w) => w.close()));

// 1 ─ An outage found as traffic reaches each process in turn (one more every 150 ms), for 1.5 s.
async function outage(store: boolean): Promise<number> {
  const fleet = await fleetOf(store, { recoveryTimeout: 10_000 });
  const path = `/down-${store ? 'store' : 'local'}`;
  for (const worker of fleet) {
    await worker.loop(path, 20);
    await sleep(150);
  }
  await sleep(1_500 - 150 * PROCESSES);
  await Promise.all(fleet.map((w) => w.stopLoop()));
  await closeAll(fleet);
  return count(path);
}

// 2 ─ One process is told Retry-After; the other three keep calling through the wait.
async function retryAfter(store: boolean): Promise<number> {
  const fleet = await fleetOf(store);
  const [told, ...others] = fleet as [FleetWorker, ...FleetWorker[]];
  const tag = store ? 'store' : 'local';
  const answered = told.call(`/limited-${tag}`); // retried by its own pipeline after the wait
  await eventually(async () => count(`/limited-${tag}`) === 1, 5_000, 'the 429');
  const start = arrivals.find((a) => a.path === `/limited-${tag}`)!.at;
  const end = start + RETRY_AFTER * 1_000;
  await Promise.all(others.map((w, i) => w.loop(`/ok-${tag}-${i}`, 20)));
  await sleep(end - Date.now());
  await Promise.all(others.map((w) => w.stopLoop()));
  await answered;
  await closeAll(fleet);
  return count(`/ok-${tag}`, start, end);
}

// 3 ─ Redis killed while every process calls a healthy origin, restarted 3 s later.
async function redisDown() {
  const fleet = await fleetOf(true);
  await Promise.all(fleet.map((w) => w.loop('/ok-outage', 10)));
  await sleep(500);
  const killed = Date.now();
  await redis.kill();
  await sleep(3_000);
  await redis.restart();
  await everyProcessSaw(fleet, 'store-recovered', 10_000);
  const recovered = Date.now();
  const calls = (await Promise.all(fleet.map((w) => w.stopLoop()))).flat();
  const events = (await Promise.all(fleet.map((w) => w.events()))).flat();
  await closeAll(fleet);
  const before = calls.filter((c) => c.at < killed);
  const longestBefore = Math.max(...before.map((c) => c.ms));
  const during = calls.filter((c) => c.at >= killed && c.at < recovered);
  const errors = events.filter((e) => e.type === 'store-error');
  return {
    baseline: median(before.map((c) => c.ms)),
    longestBefore,
    longest: Math.max(...during.map((c) => c.ms)),
    calls: during.length,
    failed: during.filter((c) => !c.ok).length,
    noticed: Math.max(...errors.map((e) => e.at - killed)),
    storeErrors: errors.length,
    storeRecovered: events.filter((e) => e.type === 'store-recovered').length,
  };
}

const local = await outage(false);
const shared = await outage(true);
const heldLocal = await retryAfter(false);
const heldShared = await retryAfter(true);
const down = await redisDown();
await origin.close();
await redis.stop();

const ms = (n: number) => `${n.toFixed(1)} ms`;
console.log(`fleet: ${PROCESSES} processes, one origin, one redis-server (node-redis client)`);
console.log(`outage, 1.5 s of 503s, server requests     without store: ${local}   with store: ${shared}`);
console.log(
  `Retry-After: ${RETRY_AFTER} to one process, requests by the other ${PROCESSES - 1} during it   ` +
    `without store: ${heldLocal}   with store: ${heldShared}`,
);
console.log(
  `Redis killed for 3 s: ${down.calls} calls, ${down.failed} failed; longest call ${ms(down.longest)} ` +
    `(before the kill: median ${ms(down.baseline)}, longest ${ms(down.longestBefore)}; ` +
    `extra over the median ${ms(down.longest - down.baseline)}); ` +
    `store-error ×${down.storeErrors} after ≤ ${down.noticed} ms, store-recovered ×${down.storeRecovered}`,
);
