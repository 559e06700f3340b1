// A real redis-server and a node-redis client for the benchmark subject with a store attached.
import { createClient } from 'redis';
import { redisStore } from '../src/redis.ts';
import { startRedisServer } from '../test/helpers/redis-server.ts';
import { benchStore } from './subjects.ts';

/** Starts Redis, connects a client and a store; returns the function that stops them all. */
export async function prepareStore(): Promise<() => Promise<void>> {
  const redis = await startRedisServer();
  const client = createClient({ url: redis.url });
  client.on('error', () => {});
  await client.connect();
  const store = redisStore(client, { prefix: 'bench:' });
  benchStore.store = store;
  return async () => {
    await store.close();
    client.destroy();
    await redis.stop();
  };
}
