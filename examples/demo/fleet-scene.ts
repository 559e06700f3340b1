// The demo's fleet scene: four processes share one Redis. The outage is found by two of them (the quorum) and
// the other two never send a failing request; then Redis is stopped and no call fails because of it.
import {
  findRedisServer,
  HOW_TO_INSTALL,
  type RedisServer,
  startRedisServer,
} from '../../test/helpers/redis-server.ts';
import { eventually, everyProcessSaw, type FleetWorker, startFleet } from './fleet.ts';
import { bold, cyan, dim, green, red, say, scene } from './print.ts';
import type { FlakyServer } from './server.ts';

interface Prepared {
  redis: RedisServer;
  fleet: FleetWorker[];
}

/** Starts Redis and the four processes (while the other scenes run), or `undefined` without a redis-server. */
export async function prepareFleet(
  server: FlakyServer,
  recoveryTimeout: number,
): Promise<Prepared | undefined> {
  if (!findRedisServer()) return undefined;
  const redis = await startRedisServer();
  const fleet = await startFleet(4, {
    origin: server.origin,
    redis: redis.url,
    client: 'node-redis',
    store: { prefix: 'demo:', quorum: 2 },
    retry: false,
    breaker: { failureThreshold: 3, recoveryTimeout },
  });
  return { redis, fleet };
}

export async function fleetScene(
  number: number,
  server: FlakyServer,
  recoveryTimeout: number,
  prepared: Promise<Prepared | undefined>,
): Promise<void> {
  scene(
    number,
    'Many processes',
    'Four processes, one Redis: resilientFetch({ store: redisStore(client) }).',
  );
  const ready = await prepared;
  if (!ready) {
    say(dim(`skipped: ${HOW_TO_INSTALL}`));
    return;
  }
  const { redis, fleet } = ready;
  try {
    server.down = true;
    const before = server.hits('/outage');
    const line = (i: number, text: string) => say(`process ${i + 1}: ${text}`);
    for (const [i, worker] of fleet.entries()) {
      const start = server.hits('/outage');
      const outcomes: string[] = [];
      for (let call = 0; call < 3; call++) {
        const result = await worker.call('/outage');
        outcomes.push(result.status ? red(String(result.status)) : cyan('refused'));
      }
      line(i, `3 calls → ${outcomes.join(' ')}, ${server.hits('/outage') - start} reached the server`);
      // The opening travels by pub/sub: the scene goes on once every process that has not called yet knows it.
      if (i === 1)
        await eventually(
          async () => (await Promise.all(fleet.slice(2).map((w) => w.state()))).every((s) => s === 'open'),
          5_000,
          'the fleet opening',
        );
    }
    say(
      `server requests during the outage: ${bold(String(server.hits('/outage') - before))} (without a store: 12)`,
    );

    await redis.stop();
    say(red('Redis stopped'));
    server.down = false;
    await new Promise((resolve) => setTimeout(resolve, recoveryTimeout));
    const results = await Promise.all(fleet.map((w) => callUntilOk(w)));
    say(
      `after the recovery time each process calls again → ${results.map((r) => green(String(r))).join(' ')}`,
    );
    await everyProcessSaw(fleet, 'store-error', 6_000);
    const errors = (await Promise.all(fleet.map((w) => w.events())))
      .flat()
      .filter((e) => e.type === 'store-error');
    say(
      `store-error events: ${errors.length} (one per process), calls failed because of Redis: ${bold('0')}`,
    );
  } finally {
    await Promise.all(fleet.map((w: FleetWorker) => w.close()));
    await redis.stop();
  }
}

/** A half-open circuit lets one trial through: a process whose call was refused tries again. */
async function callUntilOk(worker: FleetWorker): Promise<number | string> {
  for (let i = 0; i < 20; i++) {
    const result = await worker.call('/outage');
    if (result.status) return result.status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 'refused';
}
