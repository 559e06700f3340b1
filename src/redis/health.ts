import { startTimer } from '../clock.ts';
import type { Connection } from './client.ts';

/** How often an open store checks that Redis answers, with or without calls. */
const HEALTH_INTERVAL = 1_000;
/** How long a health check waits for `PONG`: longer than a store operation, so load alone is no outage. */
const PING_TIMEOUT = 1_000;
/** Failed or timed-out operations in a row that make an outage. */
const OUTAGE_AFTER = 2;

/** What a guarded connection reports: the start of an outage, once, and its end, once. */
export interface OutageListener {
  outage(error: unknown): void;
  recovered(): void;
}

/**
 * Commands to Redis bounded by timers of our own, and the outage they reveal. Both clients queue commands
 * while they reconnect, so a dead Redis would otherwise keep a trial waiting until it came back; and a
 * `PING` a second notices an outage and its end even when no call is made (an ordinary timer, cleared by
 * `store.close()`).
 */
export class GuardedConnection {
  readonly #redis: Connection;
  readonly #timeout: number;
  readonly #listener: OutageListener;
  #healthy = true;
  #failures = 0;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(redis: Connection, timeout: number, listener: OutageListener) {
    this.#redis = redis;
    this.#timeout = timeout;
    this.#listener = listener;
    this.#checkLater();
  }

  /** False during an outage (and once closed): writes are dropped, trials decide alone. */
  get usable(): boolean {
    return this.#healthy && !this.#closed;
  }

  /** Runs a script, within the store's `timeout`. */
  eval(script: string, keys: string[], args: string[], late?: (reply: unknown) => void): Promise<unknown> {
    return this.run(['EVAL', script, String(keys.length), ...keys, ...args], this.#timeout, late);
  }

  /** One command, rejected after `ms` without an answer; `late` sees a reply that came after that. */
  run(args: string[], ms = this.#timeout, late?: (reply: unknown) => void): Promise<unknown> {
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

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #succeeded(): void {
    this.#failures = 0;
    if (this.#healthy || this.#closed) return;
    this.#healthy = true;
    this.#listener.recovered();
  }

  #failed(error: unknown): void {
    if (this.#closed || ++this.#failures < OUTAGE_AFTER || !this.#healthy) return;
    this.#healthy = false;
    this.#listener.outage(error);
  }

  /** A failed check while healthy is confirmed at once, so an outage is known within about 3 s. */
  #checkLater(ms = HEALTH_INTERVAL): void {
    this.#timer = startTimer(() => {
      this.run(['PING'], Math.max(this.#timeout, PING_TIMEOUT)).then(
        () => this.#closed || this.#checkLater(),
        () => this.#closed || this.#checkLater(this.#healthy ? 0 : HEALTH_INTERVAL),
      );
    }, ms);
  }
}
