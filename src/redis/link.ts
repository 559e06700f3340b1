import type { StoreHandle, StoreLink, StoreUpdate } from '../store.ts';
import type { GuardedConnection } from './health.ts';
import { replyUpdate } from './messages.ts';
import { CONTROL, COOL_DOWN, LEASE, OPENED, TRIAL_ENDED } from './scripts.ts';

/** What a breaker's link needs of its store. */
export interface LinkContext {
  /** This process's id in the fleet's records and messages. */
  id: string;
  prefix: string;
  quorum: number;
  channel: string;
  redis: GuardedConnection;
  /** Applies an update to this store's breakers (but `except`). */
  apply(key: string, update: StoreUpdate, except?: StoreHandle): void;
  /** A change to `key` made here: a read of the fleet running now must not apply its older reply about it. */
  touched(key: string): void;
}

let tokens = 0;

type Action = 'isolate' | 'reset' | 'open';

/**
 * One breaker's link to the fleet: each report is one script, written only while Redis is usable and never
 * awaited by a call, bar the half-open lease. Replies that change this process's circuits are applied here
 * at once (to this breaker or to the store's others); the fleet hears them by pub/sub from the script.
 */
export function linkBreaker(handle: StoreHandle, store: LinkContext): StoreLink & { flush(): void } {
  const { id, prefix, quorum, channel } = store;
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
  /** Manual control made while Redis was out of reach: the last action per key, sent when it is back. */
  const pending = new Map<string, Action>();
  const sendControl = (key: string, action: Action) => {
    const keys = [state(key), votes(key), `${prefix}w:${key}`, ...slots(key)];
    write(CONTROL, keys, [id, action, rt, channel, key], others(key));
  };
  const others = (key: string) => (update: StoreUpdate) => store.apply(key, update, handle);
  const everyone = (key: string) => (update: StoreUpdate) => store.apply(key, update);
  const write = (script: string, keys: string[], args: string[], then?: (u: StoreUpdate) => void) => {
    if (!store.redis.usable) return;
    store.redis.eval(script, keys, args).then((reply) => {
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
      if (!store.redis.usable) return undefined;
      const token = `${id}:${++tokens}`;
      const lease = slots(key);
      const reply = await store.redis
        .eval(LEASE, [state(key), ...lease], [token, rt], (late) => {
          // Granted after the trial had gone ahead alone: give it back at once.
          const slot = leaseSlot(late);
          if (slot !== undefined) trialEnded(key, 'released', [lease[slot - 1]!, token]);
        })
        .catch(ignore);
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
      return update.type === 'open' ? Math.min(update.ms, handle.recoveryTimeout) : Infinity;
    },
    trialEnded: (key, outcome) => trialEnded(key, outcome),
    control: (key, action) => {
      store.touched(key);
      held.delete(key);
      if (store.redis.usable) sendControl(key, action);
      else pending.set(key, action);
    },
    flush() {
      for (const [key, action] of pending) sendControl(key, action);
      pending.clear();
    },
  };
}

/** The 1-based slot of a `{'lease', slot}` reply. */
function leaseSlot(reply: unknown): number | undefined {
  if (!Array.isArray(reply) || reply[0] !== 'lease') return undefined;
  const slot = Number(reply[1]);
  return Number.isInteger(slot) && slot >= 1 ? slot : undefined;
}

const ignore = () => undefined;
