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
  on(event: 'ready', listener: () => void): unknown;
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
  on(event: 'ready', listener: () => void): unknown;
  disconnect(): void;
}

/** What `redisStore()` accepts: a connected node-redis or ioredis client. */
export type RedisClient = NodeRedisClient | IORedisClient;

/** One way to talk to Redis, whichever client it came from. */
export interface Connection {
  command(args: string[]): Promise<unknown>;
  /**
   * Opens a connection of its own subscribed to `channel`: `ready` settles once subscribed, `close()` ends
   * the connection at any time, before that too (a Redis that went away must not keep it reconnecting).
   * `onReady` runs each time the connection is (re)established.
   */
  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onError: (error: unknown) => void,
    onReady: () => void,
  ): Subscription;
}

export interface Subscription {
  ready: Promise<void>;
  close(): void;
}

/** Adapts either client; anything else is refused with an error naming the option. */
export function connection(client: RedisClient): Connection {
  const c = client as Partial<NodeRedisClient & IORedisClient> | null;
  if (typeof c === 'object' && c !== null && typeof c.call === 'function' && typeof c.status === 'string') {
    const io = client as IORedisClient;
    return {
      command: ([name, ...args]) => io.call(name!, ...args),
      subscribe(channel, onMessage, onError, onReady) {
        const sub = io.duplicate();
        sub.on('error', onError);
        sub.on('ready', onReady);
        sub.on('message', (from, message) => {
          if (from === channel) onMessage(message);
        });
        return { ready: sub.subscribe(channel).then(() => undefined), close: () => sub.disconnect() };
      },
    };
  }
  if (typeof c === 'object' && c !== null && typeof c.sendCommand === 'function' && 'isOpen' in c) {
    const node = client as NodeRedisClient;
    return {
      command: (args) => node.sendCommand(args),
      subscribe(channel, onMessage, onError, onReady) {
        const sub = node.duplicate();
        sub.on('error', onError);
        sub.on('ready', onReady);
        const ready = sub
          .connect()
          .then(() => sub.subscribe(channel, onMessage))
          .then(() => undefined);
        return { ready, close: () => sub.destroy() };
      },
    };
  }
  return invalid('redisStore: client', 'a connected node-redis (≥ 5) or ioredis (≥ 5) client', client);
}
