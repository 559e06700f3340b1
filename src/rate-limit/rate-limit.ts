import { originKey } from '../circuit-breaker/key.ts';
import { Registry } from '../circuit-breaker/registry.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { bothListeners, type ResilienceEventListener, redactUrl } from '../events.ts';
import { requestMethod, requestSignal, requestUrl } from '../request-info.ts';
import { isResponse } from '../response-check.ts';
import type { FetchLike, Middleware } from '../types.ts';
import { callDeadline } from './deadline.ts';
import { KeyLimiter, type Waiter } from './key-limiter.ts';
import { normaliseRateLimitOptions, type RateLimitOptions } from './options.ts';

/** What `state(key)` reports. */
export interface RateLimitState {
  /** Calls that may be sent now: the quota left less the calls in flight; `Infinity` when unknown. */
  remaining: number;
  /** Epoch ms when the announced quota resets, or `undefined`. */
  resetAt: number | undefined;
  /** Calls sent and not yet answered. */
  inFlight: number;
  /** Calls waiting for their turn. */
  queued: number;
}

/** A rate limiter: a `Middleware` that also reports each key's state. */
export interface RateLimiter extends Middleware {
  /** The state of `key` now; a key never seen reads `{ remaining: Infinity, resetAt: undefined, inFlight: 0, queued: 0 }`. */
  state(key: string): RateLimitState;
}

/**
 * Stays under the server's quota instead of collecting 429s. Per key (the origin by default) it sends a call
 * only while quota is left, counting the calls in flight against it, and queues the others, first in, first
 * out, until quota returns. The quota is what the server announces (`RateLimit`, `X-RateLimit-*`, OpenAI's
 * `x-ratelimit-*-requests`, a 429 or 403 with `Retry-After`), your own `requests` per `interval`, and
 * `maxConcurrent` calls at once. A call that would wait longer than `maxWait` or past its total deadline, or
 * that finds the queue full, is refused at once with `RateLimitError`, without touching the network.
 *
 * @throws {TypeError|RangeError} for a bad option, naming it.
 * @example
 * ```ts
 * const limiter = rateLimit({ maxConcurrent: 8, requests: 100, interval: 60_000 });
 * const api = resilientFetch({ rateLimit: limiter });
 * await api('https://api.example.com/items');
 * limiter.state('https://api.example.com'); // { remaining, resetAt, inFlight, queued }
 * ```
 */
export function rateLimit(options: RateLimitOptions = {}): RateLimiter {
  const o = normaliseRateLimitOptions(options);
  const registry = new Registry(o.maxKeys, (key) => new KeyLimiter(key, o));
  // Most calls go to the origin of the call before: the last key is kept, so its hash is too.
  let lastUrl: string | undefined;
  let lastKey = '';
  const keyOf =
    o.key ??
    ((url: string) => {
      if (url !== lastUrl) {
        lastKey = originKey(url);
        lastUrl = url;
      }
      return lastKey;
    });

  const bind = (next: FetchLike, onEvent: ResilienceEventListener | undefined): FetchLike =>
    function rateLimitFetch(input, init) {
      let limiter: KeyLimiter;
      const now = Date.now();
      try {
        limiter = registry.get(keyOf(requestUrl(input), init), now);
      } catch (error) {
        return Promise.reject(error);
      }
      if (limiter.tryTake(now)) return send(limiter, next, input, init);
      return wait(limiter, next, input, init, now, onEvent);
    };

  const wait = (
    limiter: KeyLimiter,
    next: FetchLike,
    input: string | URL | Request,
    init: RequestInit | undefined,
    now: number,
    onEvent: ResilienceEventListener | undefined,
  ): Promise<Response> => {
    const signal = requestSignal(input, init);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { key } = limiter;
    return new Promise<Response>((resolve, reject) => {
      let done = false;
      const onAbort = () => {
        done = true;
        limiter.remove(waiter, Date.now());
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        go() {
          done = true;
          signal?.removeEventListener('abort', onAbort);
          resolve(send(limiter, next, input, init));
        },
        refuse(reason, retryAfter) {
          done = true;
          signal?.removeEventListener('abort', onAbort);
          onEvent?.({ type: 'rate-limit-rejected', key, reason, ...fields(input, init) });
          reject(new RateLimitError(key, retryAfter, reason));
        },
        expiresAt: now + o.maxWait,
        deadline: callDeadline(signal),
      };
      const delay = limiter.enqueue(waiter, now);
      if (delay === undefined || done) return;
      signal?.addEventListener('abort', onAbort, { once: true });
      onEvent?.({ type: 'rate-limit-wait', key, delay, ...fields(input, init) });
    });
  };

  // `resilientFetch()` passes its own listener as a second argument.
  const middleware = (next: FetchLike, onEvent?: ResilienceEventListener) =>
    bind(next, bothListeners(o.onEvent, onEvent));
  const state = (key: string): RateLimitState => {
    const limiter = registry.peek(key);
    if (limiter === undefined) return { remaining: Infinity, resetAt: undefined, inFlight: 0, queued: 0 };
    const now = Date.now();
    const { quota } = limiter;
    quota.roll(now);
    return {
      remaining: quota.available(now),
      resetAt: quota.resetAt,
      inFlight: quota.inFlight,
      queued: limiter.queue.length,
    };
  };
  return Object.assign(middleware, { state });
}

/** Sends an admitted call and gives its slot back with what it learned, whatever the outcome. */
function send(
  limiter: KeyLimiter,
  next: FetchLike,
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<Response> {
  let pending: Promise<Response>;
  try {
    pending = next(input, init);
  } catch (error) {
    limiter.settle(undefined, Date.now());
    return Promise.reject(error);
  }
  return Promise.resolve(pending).then(
    (response) => {
      limiter.settle(isResponse(response) ? response : undefined, Date.now());
      return response;
    },
    (error) => {
      limiter.settle(undefined, Date.now());
      throw error;
    },
  );
}

const fields = (input: string | URL | Request, init: RequestInit | undefined) => ({
  url: redactUrl(requestUrl(input)),
  method: requestMethod(input, init),
});
