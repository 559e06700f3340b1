import { invalid } from '../validate.ts';

/** The part of a node-redis (≥ 5) client the store uses. */
export interface NodeRedisClient {
  readonly isOpen: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): NodeRedisSubscriber;
}

/** A node-redis connection made with `duplicate()`, for pub/sub. */
export interface NodeRedisSubscriber {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  destroy(): void;
}

/** The part of an ioredis (≥ 5) client the store uses. */
export interface IORedisClient {
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
  duplicate(): IORedisSubscriber;
}

/** An ioredis connection made with `duplicate()`, for pub/sub. */
export interface IORedisSubscriber {
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  disconnect(): void;
}

/** What `redisStore()` accepts: a connected node-redis or ioredis client. */
export type RedisClient = NodeRedisClient | IORedisClient;

/** One way to talk to Redis, whichever client it came from. */
export interface Connection {
  command(args: string[]): Promise<unknown>;
  /** Opens a connection of its own subscribed to `channel`; resolves with the function that closes it. */
  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onError: (error: unknown) => void,
  ): Promise<() => void>;
}

/** Adapts either client; anything else is refused with an error naming the option. */
export function connection(client: RedisClient): Connection {
  const c = client as Partial<NodeRedisClient & IORedisClient> | null;
  if (typeof c === 'object' && c !== null && typeof c.call === 'function' && typeof c.status === 'string') {
    const io = client as IORedisClient;
    return {
      command: ([name, ...args]) => io.call(name!, ...args),
      async subscribe(channel, onMessage, onError) {
        const sub = io.duplicate();
        sub.on('error', onError);
        sub.on('message', (from, message) => {
          if (from === channel) onMessage(message);
        });
        try {
          await sub.subscribe(channel);
        } catch (error) {
          sub.disconnect();
          throw error;
        }
        return () => sub.disconnect();
      },
    };
  }
  if (typeof c === 'object' && c !== null && typeof c.sendCommand === 'function' && 'isOpen' in c) {
    const node = client as NodeRedisClient;
    return {
      command: (args) => node.sendCommand(args),
      async subscribe(channel, onMessage, onError) {
        const sub = node.duplicate();
        sub.on('error', onError);
        try {
          await sub.connect();
          await sub.subscribe(channel, onMessage);
        } catch (error) {
          sub.destroy();
          throw error;
        }
        return () => sub.destroy();
      },
    };
  }
  return invalid('redisStore: client', 'a connected node-redis (≥ 5) or ioredis (≥ 5) client', client);
}
