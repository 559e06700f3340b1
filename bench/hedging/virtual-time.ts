/**
 * Virtual time for code that uses the platform's timers: while `run()` lasts, `setTimeout`, `clearTimeout` and
 * `Date.now` are replaced by a clock that jumps from one due timer to the next. After each timer the promise
 * continuations it started run to the end (one real `setImmediate` turn), so the real middleware runs
 * unchanged, a hundred seconds of traffic in about a second.
 */
import { EventQueue } from '../jitter/event-queue.ts';

interface Timer {
  callback: () => void;
  cancelled: boolean;
}

export class VirtualTime {
  now = 0;
  readonly #queue = new EventQueue<Timer>();

  /** Runs `start` at virtual time 0 and every timer it leads to, then restores the platform's timers. */
  async run(start: () => void): Promise<void> {
    const saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, now: Date.now };
    const immediate = globalThis.setImmediate;
    globalThis.setTimeout = ((callback: () => void, ms = 0) => {
      const timer: Timer = { callback, cancelled: false };
      this.#queue.push(this.now + Math.max(0, ms), timer);
      return timer;
    }) as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((timer: Timer | undefined) => {
      if (timer) timer.cancelled = true;
    }) as typeof clearTimeout;
    Date.now = () => this.now;
    try {
      start();
      for (let next = this.#queue.pop(); next; next = this.#queue.pop()) {
        if (next.event.cancelled) continue;
        this.now = next.time;
        next.event.callback();
        await new Promise((resolve) => immediate(resolve));
      }
    } finally {
      globalThis.setTimeout = saved.setTimeout;
      globalThis.clearTimeout = saved.clearTimeout;
      Date.now = saved.now;
    }
  }
}
