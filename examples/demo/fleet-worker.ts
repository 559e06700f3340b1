// One process of a fleet, as an application would run it: a Redis client, a store over it, and the standard
// pipeline around the global fetch. It takes orders from its parent over IPC (see ./fleet.ts) and answers
// with what it saw; argv[2] is its configuration as JSON.
import { isCircuitOpenError, type ResilienceEvent, resilientFetch } from '../../src/index.ts';
import { redisStore } from '../../src/redis.ts';
import type { Order, WorkerConfig } from './fleet.ts';

const config = JSON.parse(process.argv[2]!) as WorkerConfig;
const events: Array<{ type: string; at: number }> = [];
const onEvent = (event: ResilienceEvent) => {
  if (event.type === 'store-error' || event.type === 'store-recovered' || event.type === 'circuit-state') {
    events.push({
      type: event.type === 'circuit-state' ? `${event.from}→${event.to}` : event.type,
      at: Date.now(),
    });
  }
};

let close = async () => {};
let store: ReturnType<typeof redisStore> | undefined;
if (config.redis) {
  if (config.client === 'ioredis') {
    const { Redis } = await import('ioredis');
    const client = new Redis(config.redis, { lazyConnect: true });
    client.on('error', () => {}); // it reconnects by itself; the store reports the outage
    await client.connect();
    store = redisStore(client, config.store);
    close = async () => {
      await store?.close();
      client.disconnect();
    };
  } else {
    const { createClient } = await import('redis');
    const client = createClient({ url: config.redis });
    client.on('error', () => {});
    await client.connect();
    store = redisStore(client, config.store);
    close = async () => {
      await store?.close();
      client.destroy();
    };
  }
}

const api = resilientFetch({ store, retry: config.retry, circuitBreaker: config.breaker, onEvent });
const key = new URL(config.origin).origin;

/** One call: its status or error, and how long it took. */
async function call(path: string) {
  const started = performance.now();
  try {
    const response = await api(`${config.origin}${path}`);
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  } catch (error) {
    return {
      error: (error as Error).name,
      retryAfter: isCircuitOpenError(error) ? String(error.retryAfter) : undefined,
      ms: performance.now() - started,
    };
  }
}

interface Loop {
  stop: boolean;
  calls: Array<{ at: number; ms: number; ok: boolean }>;
  done?: Promise<void>;
}
let looping: Loop | undefined;

async function handle(order: Order): Promise<unknown> {
  switch (order.type) {
    case 'call':
      return call(order.path);
    case 'state':
      return api.circuitBreaker!.state(order.key ?? key);
    case 'control':
      api.circuitBreaker![order.action](order.key ?? key);
      return null;
    case 'events':
      return events;
    case 'loop': {
      const run: Loop = { stop: false, calls: [] };
      run.done = (async () => {
        while (!run.stop) {
          const at = Date.now();
          const result = await call(order.path);
          run.calls.push({ at, ms: result.ms, ok: result.status === 200 });
          await new Promise((resolve) => setTimeout(resolve, order.every));
        }
      })();
      looping = run;
      return null;
    }
    case 'stop-loop': {
      if (!looping) return [];
      looping.stop = true;
      await looping.done;
      return looping.calls;
    }
    case 'close':
      await close();
      setImmediate(() => process.disconnect?.());
      return null;
  }
}

process.on('message', (message: { id: number; order: Order }) => {
  handle(message.order).then(
    (result) => process.send!({ id: message.id, result }),
    (error: unknown) => process.send!({ id: message.id, error: String(error) }),
  );
});
process.send!({ ready: true });
