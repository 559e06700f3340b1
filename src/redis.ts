/**
 * The `resilient-fetch/redis` entry: `redisStore()`, a `Store` that shares circuit state and server
 * cool-downs across processes through Redis. `redis` (node-redis ≥ 5) and `ioredis` (≥ 5) are optional peer
 * dependencies: this entry never imports either, it works with the client it is given.
 */
export type {
  IORedisClient,
  IORedisSubscriber,
  NodeRedisClient,
  NodeRedisSubscriber,
  RedisClient,
} from './redis/client.ts';
export type { RedisStore, RedisStoreOptions } from './redis/store.ts';
export { redisStore } from './redis/store.ts';
