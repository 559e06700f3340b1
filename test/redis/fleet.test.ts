// Several processes share one store against one loopback origin and one real redis-server, for node-redis
// and ioredis: openings with and without a quorum, half-open leases, manual control, cool-downs, a process
// that starts while the fleet holds state, Redis killed and restarted mid-run, and no key left without a TTL.
import { connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  everyProcessSaw,
  type FleetWorker,
  startFleet,
  startWorker,
  type WorkerConfig,
} from '../../examples/demo/fleet.ts';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** Starting or stopping four Node processes on a loaded 2-core machine can take several seconds. */
const HOOK_TIMEOUT = 60_000;

let redis: RedisServer;
let origin: TestServer;
let gate: Gate;

/**
 * A TCP gate between the fleet and Redis: while closed, it drops every connection, so the test can write to
 * the restarted Redis before any process of the fleet sees it again.
 */
interface Gate {
  url: string;
  open: boolean;
  close(): Promise<void>;
}

async function startGate(port: number): Promise<Gate> {
  const sockets = new Set<Socket>();
  const gate = { open: true, url: '', close: async () => {} };
  const server = createServer((socket) => {
    if (!gate.open) return void socket.destroy();
    const upstream = connect(port, '127.0.0.1');
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        socket.destroy();
        upstream.destroy();
      });
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gate.url = `redis://127.0.0.1:${(server.address() as { port: number }).port}`;
  gate.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return gate;
}

beforeAll(async () => {
  redis = await startRedisServer();
  gate = await startGate(redis.port);
  origin = await startServer(async (req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith('/down')) return void res.writeHead(503).end('down');
    if (path.startsWith('/limited')) return void res.writeHead(429, { 'retry-after-ms': '800' }).end('later');
    if (path.startsWith('/slow')) await sleep(300);
    res.writeHead(200).end('ok');
  });
});

afterAll(async () => {
  await gate?.close();
  await origin?.close();
  await redis?.stop();
});

const hits = (prefix: string, from = 0) =>
  [...origin.hits].filter(([path]) => path.startsWith(prefix)).reduce((sum, [, n]) => sum + n, -from);

describe.each(['node-redis', 'ioredis'] as const)('a fleet over %s', (client) => {
  const prefix = `test:${client}:`;
  let fleet: FleetWorker[] = [];
  let inspect: ReturnType<typeof createClient>;
  let key: string;
  const config = (breaker: WorkerConfig['breaker'] = {}): WorkerConfig => ({
    origin: origin.origin,
    redis: gate.url,
    client,
    store: { prefix, quorum: 2 },
    retry: false,
    breaker: {
      failureThreshold: 2,
      recoveryTimeout: 600,
      successThreshold: 2,
      coolDown: 'fail-fast',
      ...breaker,
    },
  });
  const all = async (state: string, workers = fleet) => {
    const states = await Promise.all(workers.map((w) => w.state()));
    return states.every((s) => s === state);
  };
  const stateKey = () => `${prefix}c:${key}`;

  beforeAll(async () => {
    key = origin.origin;
    inspect = createClient({ url: redis.url });
    inspect.on('error', () => {});
    await inspect.connect();
    // The fourth process has shorter limits of its own: the fleet's updates must not hold it longer.
    fleet = [
      ...(await startFleet(3, config())),
      await startWorker(config({ recoveryTimeout: 300, maxCoolDown: 300 })),
    ];
  }, HOOK_TIMEOUT);

  afterAll(async () => {
    await Promise.all(fleet.map((w) => w.close()));
    inspect?.destroy();
  }, HOOK_TIMEOUT);

  it('opens for the fleet only once a quorum of processes opened on their own evidence', async () => {
    const [w0, w1, w2, w3] = fleet as [FleetWorker, FleetWorker, FleetWorker, FleetWorker];
    await w0.call('/down');
    await w0.call('/down');
    expect(await w0.state()).toBe('open');
    // One vote recorded, no fleet opening: the others stay closed.
    await eventually(async () => (await inspect.zCard(`${prefix}o:${key}`)) === 1);
    expect(await inspect.exists(stateKey())).toBe(0);
    expect(await all('closed', [w1, w2, w3])).toBe(true);

    await w1.call('/down');
    await w1.call('/down');
    await eventually(() => all('open', [w2, w3]), 2_000, 'the fleet opening');
    const before = hits('/down');
    const refused = await w2.call('/down');
    expect(refused.error).toBe('CircuitOpenError');
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(600);
    // The fleet's opening is held no longer than this process's own recoveryTimeout.
    expect(Number((await w3.call('/down')).retryAfter)).toBeLessThanOrEqual(300);
    expect(hits('/down')).toBe(before);
  });

  it('leases half-open trials across the fleet and counts successThreshold across it', async () => {
    const [, w1, w2] = fleet as [FleetWorker, FleetWorker, FleetWorker];
    await eventually(() => all('half-open', [w1, w2]), 2_000, 'half-open');
    const before = hits('/slow');
    const trial = w1.call('/slow');
    await eventually(async () => hits('/slow', before) === 1, 2_000, 'the first trial');
    const refused = await w2.call('/slow');
    expect(refused).toMatchObject({ error: 'CircuitOpenError', retryAfter: '0' });
    expect((await trial).status).toBe(200);
    expect(await w1.state()).toBe('half-open'); // one success of the two the fleet needs
    expect((await w2.call('/slow')).status).toBe(200);
    await eventually(() => all('closed'), 2_000, 'the fleet closing');
    expect(hits('/slow', before)).toBe(2);
  });

  it('opens by hand for the fleet, and a failed trial re-opens it everywhere', async () => {
    const [w0, w1, w2] = fleet as [FleetWorker, FleetWorker, FleetWorker];
    await w0.control('open');
    await eventually(() => all('open'), 2_000, 'the manual opening');
    await eventually(() => all('half-open', [w1, w2]), 2_000, 'half-open');
    expect((await w2.call('/down')).status).toBe(503);
    await eventually(async () => (await w1.state()) === 'open', 2_000, 'the re-opening');
  });

  it('isolates and resets for the fleet; an isolation is the one key without a TTL', async () => {
    const [w0, w1, w2, w3] = fleet as [FleetWorker, FleetWorker, FleetWorker, FleetWorker];
    await w3.control('isolate');
    await eventually(() => all('isolated'), 2_000, 'the isolation');
    expect((await w0.call('/ok')).retryAfter).toBe('Infinity');
    expect(await inspect.pTTL(stateKey())).toBe(-1);
    await w2.control('reset');
    await eventually(() => all('closed'), 2_000, 'the reset');
    expect((await w1.call('/ok')).status).toBe(200);
  });

  it('shares a server cool-down, within each process maxCoolDown; reset ends it', async () => {
    const [w0, w1, w2, w3] = fleet as [FleetWorker, FleetWorker, FleetWorker, FleetWorker];
    expect((await w0.call('/limited')).status).toBe(429);
    await eventually(async () => (await w1.call('/ok')).error === 'CircuitOpenError', 2_000, 'the cool-down');
    const before = hits('/ok');
    const others = await Promise.all([w1, w2, w3].map((w) => w.call('/ok')));
    expect(others.map((r) => r.error)).toEqual(['CircuitOpenError', 'CircuitOpenError', 'CircuitOpenError']);
    expect(Number(others[0]!.retryAfter)).toBeLessThanOrEqual(800);
    expect(Number(others[2]!.retryAfter)).toBeLessThanOrEqual(300);
    expect(hits('/ok')).toBe(before);
    await w3.control('reset');
    await eventually(async () => (await w1.call('/ok')).status === 200, 2_000, 'the end of the cool-down');
  });

  it('leaves no key without a TTL', async () => {
    const keys: string[] = [];
    for await (const batch of inspect.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) keys.push(...batch);
    const ttls = await Promise.all(keys.map((k) => inspect.pTTL(k)));
    expect(ttls.filter((ttl) => ttl < 0)).toEqual([]);
  });

  it('a process that starts reads the fleet state and does not write its own over it', async () => {
    await fleet[0]!.control('isolate');
    await eventually(() => all('isolated'), 2_000, 'the isolation');
    const late = await startWorker(config());
    try {
      await eventually(async () => (await late.state()) === 'isolated', 3_000, 'the read on start');
      expect(await inspect.hGet(stateKey(), 'state')).toBe('isolated');
    } finally {
      await late.close();
    }
    await fleet[1]!.control('reset');
    await eventually(() => all('closed'), 2_000, 'the reset');
  });

  it('goes on with local state while Redis is down, reports the outage once and re-reads on recovery', async () => {
    await Promise.all(fleet.map((w) => w.loop('/ok', 20)));
    await sleep(200);
    const killed = Date.now();
    gate.open = false;
    await redis.kill();
    await everyProcessSaw(fleet, 'store-error', 6_000);
    const noticed = Date.now() - killed;
    await redis.restart();
    await eventually(async () => inspect.isReady, 5_000, 'the inspecting client');
    const calls = (await Promise.all(fleet.map((w) => w.stopLoop()))).flat();
    // Written with no message, before the fleet can reach Redis again: only a re-read can tell them.
    await inspect.hSet(stateKey(), 'state', 'isolated');
    gate.open = true;
    await everyProcessSaw(fleet, 'store-recovered', 6_000);
    await eventually(() => all('isolated'), 3_000, 'the re-read');
    for (const events of await Promise.all(fleet.map((w) => w.events()))) {
      expect(events.filter((e) => e.type === 'store-error')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'store-recovered')).toHaveLength(1);
    }
    expect(noticed).toBeLessThan(5_000);
    expect(calls.length).toBeGreaterThan(20);
    expect(calls.filter((c) => !c.ok)).toEqual([]);
    // Each subscriber may reconnect later than its client (ioredis backs off up to 2 s): wait for all four.
    const channel = `${prefix}events`;
    await eventually(
      async () =>
        ((await inspect.sendCommand(['PUBSUB', 'NUMSUB', channel])) as [string, number])[1] === fleet.length,
      5_000,
      'the subscribers',
    );
    await fleet[0]!.control('reset');
    await eventually(() => all('closed'), 3_000, 'the reset');
  });
});
