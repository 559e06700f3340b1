import type { ResilienceEvent } from './events.ts';
import { rule } from './validate.ts';

/**
 * Shared state for the circuits of many processes. A store never sits on a call's path: a breaker tells it
 * what happened locally (`StoreLink`) and it applies what the rest of the fleet learned through the
 * breaker's `StoreHandle`, asynchronously. `redisStore()` from `resilient-fetch/redis` is the one shipped.
 */
export interface Store {
  /** Links one breaker to the store; called once, when the breaker is built. */
  attach(breaker: StoreHandle): StoreLink;
  /** Stops sharing: every linked circuit goes on with local state alone. */
  close(): Promise<void>;
}

/**
 * What the fleet tells a circuit. Durations are ms from the time the update is applied, so clocks of
 * different machines need not agree.
 * - `open`: opened for the fleet (a quorum of openings, a failed trial, or `open()` by hand) for `ms`.
 * - `closed`: enough trial calls succeeded across the fleet.
 * - `isolated` / `reset`: manual control from another process; `reset` also ends a cool-down.
 * - `cool-down`: a server asked every caller to hold back for `ms`.
 */
export type StoreUpdate =
  | { type: 'open'; ms: number }
  | { type: 'closed' | 'isolated' | 'reset' }
  | { type: 'cool-down'; ms: number };

/** The breaker's side, handed to `Store.attach()`. */
export interface StoreHandle {
  readonly recoveryTimeout: number;
  readonly maxCoolDown: number;
  readonly halfOpenMaxCalls: number;
  readonly successThreshold: number;
  /** Applies what the fleet learned to the circuit of `key`; malformed updates are ignored. */
  apply(key: string, update: StoreUpdate): void;
  /** Sends a store event (`store-error`, `store-recovered`) to the breaker's `onEvent`. */
  emit(event: ResilienceEvent): void;
}

/** How a half-open trial call ended, for the fleet's count. `released`: neither (an abort, a stale trial). */
export type TrialOutcome = 'success' | 'failure' | 'released';

/** The store's side, returned by `Store.attach()`: what the breaker reports. None of it may throw. */
export interface StoreLink {
  /** The circuit of `key` opened on this process's own evidence. */
  opened(key: string): void;
  /** A server asked this process to hold back calls to `key` for `ms`. */
  coolDown(key: string, ms: number): void;
  /**
   * A trial call is about to go through a half-open circuit: resolves `undefined` to let it go (a lease was
   * taken, or the store could not tell in time), or the `retryAfter` of a refusal.
   */
  lease(key: string): Promise<number | undefined>;
  /** A trial call admitted after `lease()` ended. */
  trialEnded(key: string, outcome: TrialOutcome): void;
  /** `isolate()`, `reset()` or `open()` was called by hand. */
  control(key: string, action: 'isolate' | 'reset' | 'open'): void;
}

/** The `store` option: an object with `attach` and `close`. */
export const storeOption = rule(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Store).attach === 'function' &&
    typeof (v as Store).close === 'function',
  'a Store (redisStore() from resilient-fetch/redis)',
);
