import { useFleet } from '../circuit-breaker/admission.ts';
import { joinFleet } from '../circuit-breaker/fleet.ts';
import type { ResilienceEvent } from '../events.ts';
import type { Store, StoreHandle, StoreLink, StoreUpdate } from '../store.ts';
import { deadline, optionsObject, positiveInteger, readOptions, rule } from '../validate.ts';
import { type Connection, connection, type RedisClient, type Subscription } from './client.ts';
import { GuardedConnection } from './health.ts';
import { linkBreaker } from './link.ts';
import { parseMessage, readUpdates } from './messages.ts';
import { READ } from './scripts.ts';

/** Options of `redisStore()`. Every field is optional; see each for its default. */
export interface RedisStoreOptions {
  /**
   * Starts every Redis key and channel the store uses; fleets that share nothing use different prefixes.
   * @default 'resilient-fetch:'
   */
  prefix?: string;
  /**
   * Distinct processes that must open a circuit on their own evidence, within its `recoveryTimeout`, before
   * it opens for the whole fleet: one process with a broken network path must not stop the others.
   * @default 2
   */
  quorum?: number;
  /** ms any one store operation may take before the process decides alone. @default 100 */
  timeout?: number;
}

/** A `Store` over Redis; `close()` on shutdown (the client given to it stays open). */
export interface RedisStore extends Store {
  /** This process's id in the fleet's records. */
  readonly id: string;
}

interface Normalised {
  prefix: string;
  quorum: number;
  timeout: number;
}

const PREFIX = rule((v) => typeof v === 'string' && v.length > 0, 'a non-empty string');

/** ms after the subscriber reconnects before the fleet's state is read again (its resubscription goes first). */
const RESUBSCRIBED = 50;

/**
 * A `Store` that shares circuit state and server cool-downs through Redis, over a connected node-redis (≥ 5)
 * or ioredis (≥ 5) client. It subscribes on a connection of its own (`client.duplicate()`).
 *
 * @example
 * ```ts
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = redisStore(client, { prefix: 'myapp:rf:' });
 * const api = resilientFetch({ store });
 * ```
 */
export function redisStore(client: RedisClient, options: RedisStoreOptions = {}): RedisStore {
  optionsObject('redisStore: options', options);
  useFleet(joinFleet);
  const o = readOptions<RedisStoreOptions, Normalised>('redisStore: ', options, {
    prefix: [PREFIX, 'resilient-fetch:'],
    quorum: [positiveInteger, 2],
    timeout: [deadline, 100],
  });
  return new FleetStore(connection(client), o);
}

class FleetStore implements RedisStore {
  readonly id = crypto.randomUUID();
  readonly #redis: Connection;
  readonly #guarded: GuardedConnection;
  readonly #o: Normalised;
  readonly #channel: string;
  readonly #handles = new Set<StoreHandle>();
  readonly #links = new Set<{ flush(): void }>();
  #closed = false;
  #synced = false;
  #subscription: Subscription | undefined;
  #subscribed = false;
  /** Messages heard so far, and the number of the last one per key, while a read of the fleet runs. */
  #heard = 0;
  readonly #lastHeard = new Map<string, number>();
  #reading = 0;

  constructor(redis: Connection, o: Normalised) {
    this.#redis = redis;
    this.#o = o;
    this.#channel = `${o.prefix}events`;
    this.#guarded = new GuardedConnection(redis, o.timeout, {
      outage: (error) => this.#emit({ type: 'store-error', error }),
      recovered: () => {
        this.#emit({ type: 'store-recovered' });
        // Manual control made meanwhile goes first, so the read that follows sees it.
        for (const link of this.#links) link.flush();
        if (!this.#subscribed) void this.#subscribe();
        else void this.#resync();
      },
    });
    void this.#subscribe();
  }

  attach(handle: StoreHandle): StoreLink {
    this.#handles.add(handle);
    // A breaker built after the first read still starts from the fleet's state, never from its own.
    if (this.#synced) void this.#resync([handle]);
    const link = linkBreaker(handle, {
      id: this.id,
      prefix: this.#o.prefix,
      quorum: this.#o.quorum,
      channel: this.#channel,
      redis: this.#guarded,
      apply: (key, update, except) => this.#apply(key, update, except),
      touched: (key) => this.#touch(key),
    });
    this.#links.add(link);
    return link;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#guarded.close();
    this.#handles.clear();
    this.#links.clear();
    this.#subscription?.close();
    this.#subscription = undefined;
  }

  /** Applies an update to the breakers of this store (but `except`); a throwing one cannot stop the others. */
  #apply(
    key: string,
    update: StoreUpdate,
    except?: StoreHandle,
    handles: Iterable<StoreHandle> = this.#handles,
  ) {
    for (const handle of handles) {
      if (handle === except) continue;
      try {
        handle.apply(key, update);
      } catch {
        // A breaker's listener threw while the update was applied; the update itself stands.
      }
    }
  }

  #emit(event: ResilienceEvent): void {
    for (const handle of this.#handles) {
      try {
        handle.emit(event);
      } catch {
        // A listener's failure is not the store's.
      }
    }
  }

  #onMessage(text: string): void {
    const message = parseMessage(text);
    // This process applied its own updates when it made them.
    if (message === undefined || message.from === this.id) return;
    this.#touch(message.key);
    this.#apply(message.key, message.update);
  }

  /** While a read of the fleet runs, its reply about `key` is older than what just happened to it. */
  #touch(key: string): void {
    if (this.#reading > 0) this.#lastHeard.set(key, ++this.#heard);
  }

  async #subscribe(): Promise<void> {
    if (this.#subscription !== undefined || this.#closed) return;
    const subscription = this.#redis.subscribe(
      this.#channel,
      (message) => this.#onMessage(message),
      // The subscriber's own connection errors: the health check judges the outage.
      ignore,
      // Back after an outage, maybe later than the client: what was published meanwhile never arrived.
      () => {
        if (this.#synced && !this.#closed) setTimeout(() => void this.#resync(), RESUBSCRIBED);
      },
    );
    this.#subscription = subscription;
    try {
      await subscription.ready;
    } catch {
      // Tried again when Redis answers again.
      subscription.close();
      if (this.#subscription === subscription) this.#subscription = undefined;
      return;
    }
    if (this.#closed) return;
    this.#subscribed = true;
    await this.#resync();
    this.#synced = true;
  }

  /** Reads what the fleet holds (`SCAN`, never `KEYS`) and applies it: state is read, never written over. */
  async #resync(handles?: StoreHandle[]): Promise<void> {
    const { prefix } = this.#o;
    const slow = Math.max(this.#o.timeout, 1_000);
    const keys = new Set<string>();
    const since = this.#heard;
    this.#reading++;
    try {
      let cursor = '0';
      do {
        const reply = await this.#guarded.run(
          ['SCAN', cursor, 'MATCH', `${glob(prefix)}[cw]:*`, 'COUNT', '200'],
          slow,
        );
        if (!Array.isArray(reply) || !Array.isArray(reply[1])) return;
        cursor = String(reply[0]);
        for (const name of reply[1]) {
          if (typeof name === 'string' && name.startsWith(prefix)) keys.add(name.slice(prefix.length + 2));
        }
      } while (cursor !== '0' && !this.#closed);
      // A key Redis no longer holds changes nothing here: an isolation whose record a restarted Redis lost
      // stays until `reset`, the safe side of not knowing.
      for (const key of keys) {
        const reply = await this.#guarded.eval(READ, [`${prefix}c:${key}`, `${prefix}w:${key}`], []);
        // A message about this key came in during the read: it is at least as new as the reply (which
        // travels on another connection), and anything later has a message of its own.
        if ((this.#lastHeard.get(key) ?? 0) > since) continue;
        for (const update of readUpdates(reply)) this.#apply(key, update, undefined, handles);
      }
    } catch {
      // Redis went away meanwhile: read again when it is back.
    } finally {
      if (--this.#reading === 0) this.#lastHeard.clear();
    }
  }
}

/** Escapes a prefix for a `SCAN MATCH` pattern. */
const glob = (text: string) => text.replace(/[*?[\]\\^]/g, '\\$&');

const ignore = () => undefined;
