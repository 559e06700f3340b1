import { clampDelay } from '../clock.ts';
import type { RateLimitReason } from '../errors/rate-limit-error.ts';
import { Quota } from './quota.ts';

/** What every key of one limiter shares. */
export interface LimiterConfig {
  maxConcurrent: number;
  requests: number | undefined;
  interval: number | undefined;
  maxQueue: number;
  maxWait: number;
  learn: boolean;
}

/** One call waiting for its turn. */
export interface Waiter {
  /** Called when it may be sent (the quota is already taken for it). */
  go(): void;
  /** Called when it is refused; `retryAfter` the estimated wait in ms. */
  refuse(reason: RateLimitReason, retryAfter: number): void;
  /** Epoch ms after which it may not wait any longer (its `maxWait`), and its total deadline. */
  expiresAt: number;
  deadline: number;
}

/**
 * The quota of one key and the calls waiting for it, first in, first out. One timer per key at most, armed
 * while calls wait, for the next time one could go (a reset, an own slot coming back) or must give up (its
 * `maxWait`); it is an ordinary timer, so a waiting call keeps the process alive, and it is cleared as soon
 * as the queue is empty.
 */
export class KeyLimiter {
  readonly key: string;
  readonly quota: Quota;
  readonly queue: Waiter[] = [];
  /** Second-chance bit of the registry's eviction sweep. */
  used = false;
  readonly #config: LimiterConfig;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(key: string, config: LimiterConfig) {
    this.key = key;
    this.#config = config;
    this.quota = new Quota(config.maxConcurrent, config.requests, config.interval);
  }

  /** True when a new call may be sent now, ahead of nobody; it is then counted as in flight. */
  tryTake(now: number): boolean {
    if (this.queue.length !== 0 || !this.quota.canSend(now)) return false;
    this.quota.take(now);
    return true;
  }

  /**
   * Queues `waiter`, or refuses it at once: the queue is full, or its estimated wait passes its `maxWait` or
   * its deadline. Returns the estimated wait when queued, `undefined` when refused.
   */
  enqueue(waiter: Waiter, now: number): number | undefined {
    const wait = this.quota.readyAt(now, this.queue.length) - now;
    if (this.queue.length >= this.#config.maxQueue) {
      waiter.refuse('queue-full', wait);
      return undefined;
    }
    if (now + wait > Math.min(waiter.expiresAt, waiter.deadline)) {
      waiter.refuse('wait-too-long', wait);
      return undefined;
    }
    this.queue.push(waiter);
    this.#schedule(now);
    return wait;
  }

  /** Takes a waiter out (its signal aborted). */
  remove(waiter: Waiter, now: number): void {
    const index = this.queue.indexOf(waiter);
    if (index === -1) return;
    this.queue.splice(index, 1);
    this.#schedule(now);
  }

  /** A call sent by this key ended: `response`, or `undefined` for an error. */
  settle(response: Response | undefined, now: number): void {
    this.quota.settle(response, this.#config.learn, now);
    if (this.queue.length !== 0) this.#drain(now);
  }

  /** Lets go the waiters that may be sent now, refuses those that can no longer make it, re-arms the timer. */
  #drain(now: number): void {
    const queue = this.queue;
    while (queue.length !== 0 && this.quota.canSend(now)) {
      this.quota.take(now);
      queue.shift()!.go();
    }
    this.#schedule(now);
  }

  #schedule(now: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const queue = this.queue;
    let due = Infinity;
    for (let i = 0; i < queue.length; i++) {
      const waiter = queue[i]!;
      const ready = this.quota.readyAt(now, i);
      // New answers can push a wait past what a waiter allows: it is told now, not when its time runs out.
      if (ready > Math.min(waiter.expiresAt, waiter.deadline) || waiter.expiresAt <= now) {
        queue.splice(i--, 1);
        waiter.refuse('wait-too-long', Math.max(0, ready - now));
        continue;
      }
      if (i === 0 && ready > now) due = ready;
      due = Math.min(due, waiter.expiresAt);
    }
    if (due === Infinity) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#drain(Math.max(Date.now(), due));
      },
      clampDelay(due - now),
    );
  }

  idle(now: number): boolean {
    return this.queue.length === 0 && this.quota.idle(now);
  }
}
