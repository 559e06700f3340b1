import { useFleet } from '../circuit-breaker/admission.ts';
import { joinFleet } from '../circuit-breaker/fleet.ts';
import { startTimer } from '../clock.ts';
import type { ResilienceEvent } from '../events.ts';
import type { Store, StoreHandle, StoreLink, StoreUpdate } from '../store.ts';
import { deadline, optionsObject, positiveInteger, readOptions, rule } from '../validate.ts';
import { type Connection, connection, type RedisClient, type Subscription } from './client.ts';
import { parseMessage, readUpdates, replyUpdate } from './messages.ts';
import { CONTROL, COOL_DOWN, LEASE, OPENED, READ, TRIAL_ENDED } from './scripts.ts';

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

/** How often an open store checks that Redis answers, with or without calls. */
const HEALTH_INTERVAL = 1_000;
/** Failed or timed-out operations in a row that make an outage. */
const OUTAGE_AFTER = 2;
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
  readonly #o: Normalised;
  readonly #channel: string;
  readonly #handles = new Set<StoreHandle>();
  #healthy = true;
  #failures = 0;
  #closed = false;
  #synced = false;
  #subscription: Subscription | undefined;
  #subscribed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #tokens = 0;
  /** Messages heard so far, and the number of the last one per key, while a read of the fleet runs. */
  #heard = 0;
  readonly #lastHeard = new Map<string, number>();
  #reading = 0;

  constructor(redis: Connection, o: Normalised) {
    this.#redis = redis;
    this.#o = o;
    this.#channel = `${o.prefix}events`;
    void this.#subscribe();
    this.#checkLater();
  }

  attach(handle: StoreHandle): StoreLink {
    this.#handles.add(handle);
    // A breaker built after the first read still starts from the fleet's state, never from its own.
    if (this.#synced) void this.#resync([handle]);
    return this.#link(handle);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#handles.clear();
    this.#subscription?.close();
    this.#subscription = undefined;
  }

  #link(handle: StoreHandle): StoreLink {
    const { prefix, quorum } = this.#o;
    const id = this.id;
    const channel = this.#channel;
    const rt = String(Math.max(1, Math.ceil(handle.recoveryTimeout)));
    const state = (key: string) => `${prefix}c:${key}`;
    const votes = (key: string) => `${prefix}o:${key}`;
    const slots = (key: string) =>
      Array.from({ length: handle.halfOpenMaxCalls }, (_, i) => `${prefix}l:${key}:${i + 1}`);
    /** Leases held here, per key: any one of them is given back when a trial ends. */
    const held = new Map<string, string[][]>();
    const hold = (key: string, lease: string[]) => {
      const list = held.get(key);
      if (list) list.push(lease);
      else held.set(key, [lease]);
    };
    const release = (key: string) => {
      const list = held.get(key);
      const lease = list?.pop();
      if (list?.length === 0) held.delete(key);
      return lease;
    };
    const others = (key: string) => (update: StoreUpdate) => this.#apply(key, update, handle);
    const everyone = (key: string) => (update: StoreUpdate) => this.#apply(key, update);
    const write = (script: string, keys: string[], args: string[], then?: (u: StoreUpdate) => void) => {
      if (!this.#usable) return;
      this.#eval(script, keys, args).then((reply) => {
        const update = replyUpdate(reply);
        if (update && then) then(update);
      }, ignore);
    };
    const trialEnded = (key: string, outcome: string, lease = release(key)) => {
      const keys = [state(key), votes(key)];
      if (lease) keys.push(lease[0]!);
      const threshold = String(handle.successThreshold);
      write(
        TRIAL_ENDED,
        keys,
        [id, outcome, lease?.[1] ?? '', threshold, rt, String(quorum), channel, key],
        everyone(key),
      );
    };

    return {
      opened: (key) =>
        write(OPENED, [state(key), votes(key)], [id, rt, String(quorum), channel, key], others(key)),
      coolDown: (key, ms) => {
        if (!(ms > 0)) return;
        const wait = String(Math.ceil(ms));
        others(key)({ type: 'cool-down', ms });
        write(COOL_DOWN, [`${prefix}w:${key}`], [id, wait, channel, key]);
      },
      lease: async (key) => {
        if (!this.#usable) return undefined;
        const token = `${id}:${++this.#tokens}`;
        const lease = slots(key);
        const reply = await this.#eval(LEASE, [state(key), ...lease], [token, rt], (late) => {
          // Granted after the trial had gone ahead alone: give it back at once.
          const slot = leaseSlot(late);
          if (slot !== undefined) trialEnded(key, 'released', [lease[slot - 1]!, token]);
        }).catch(ignore);
        const slot = leaseSlot(reply);
        if (slot !== undefined) {
          hold(key, [lease[slot - 1]!, token]);
          return undefined;
        }
        if (!Array.isArray(reply)) return undefined;
        if (reply[0] === 'taken') return 0;
        const update = replyUpdate(reply);
        if (update === undefined) return undefined;
        everyone(key)(update);
        return update.type === 'open'
          ? Math.min(update.ms, handle.recoveryTimeout)
          : Number.POSITIVE_INFINITY;
      },
      trialEnded: (key, outcome) => trialEnded(key, outcome),
      control: (key, action) => {
        const keys = [state(key), votes(key), `${prefix}w:${key}`, ...slots(key)];
        held.delete(key);
        write(CONTROL, keys, [id, action, rt, channel, key], others(key));
      },
    };
  }

  get #usable(): boolean {
    return this.#healthy && !this.#closed;
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
    if (this.#reading > 0) this.#lastHeard.set(message.key, ++this.#heard);
    this.#apply(message.key, message.update);
  }

  #eval(script: string, keys: string[], args: string[], late?: (reply: unknown) => void): Promise<unknown> {
    return this.#run(['EVAL', script, String(keys.length), ...keys, ...args], this.#o.timeout, late);
  }

  /**
   * One command, bounded by a timer of our own: both clients queue commands while they reconnect, so a
   * dead Redis would otherwise keep a trial waiting until it came back. `late` sees a reply that came after.
   */
  #run(args: string[], ms: number, late?: (reply: unknown) => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`redisStore: Redis did not answer within ${ms} ms`));
      }, ms);
      let pending: Promise<unknown>;
      try {
        pending = this.#redis.command(args);
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (reply) => {
          clearTimeout(timer);
          if (timedOut) late?.(reply);
          else resolve(reply);
        },
        (error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    }).then(
      (reply) => {
        this.#succeeded();
        return reply;
      },
      (error) => {
        this.#failed(error);
        throw error;
      },
    );
  }

  #succeeded(): void {
    this.#failures = 0;
    if (this.#healthy || this.#closed) return;
    this.#healthy = true;
    this.#emit({ type: 'store-recovered' });
    if (!this.#subscribed) void this.#subscribe();
    else void this.#resync();
  }

  #failed(error: unknown): void {
    if (this.#closed || ++this.#failures < OUTAGE_AFTER || !this.#healthy) return;
    this.#healthy = false;
    this.#emit({ type: 'store-error', error });
  }

  /** The health check: a `PING` a second, on an unref'd timer, so an outage and its end are noticed without calls. */
  #checkLater(): void {
    this.#timer = startTimer(() => {
      this.#run(['PING'], Math.max(this.#o.timeout, 500))
        .then(ignore, ignore)
        .finally(() => {
          if (!this.#closed) this.#checkLater();
        });
    }, HEALTH_INTERVAL);
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
        const reply = await this.#run(
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
        const reply = await this.#eval(READ, [`${prefix}c:${key}`, `${prefix}w:${key}`], []);
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

/** The 1-based slot of a `{'lease', slot}` reply. */
function leaseSlot(reply: unknown): number | undefined {
  if (!Array.isArray(reply) || reply[0] !== 'lease') return undefined;
  const slot = Number(reply[1]);
  return Number.isInteger(slot) && slot >= 1 ? slot : undefined;
}

/** Escapes a prefix for a `SCAN MATCH` pattern. */
const glob = (text: string) => text.replace(/[*?[\]\\^]/g, '\\$&');

const ignore = () => undefined;
