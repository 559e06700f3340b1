import type { StoreUpdate } from '../store.ts';

/**
 * What comes back from Redis is input like any other: these read messages and script replies, and return
 * `undefined` for anything malformed, never throw.
 */

/** A message on the store's channel: the circuit key, the update, and the process that sent it. */
export interface FleetMessage {
  key: string;
  from: string;
  update: StoreUpdate;
}

const KINDS = new Set(['open', 'closed', 'isolated', 'reset', 'cool-down']);

/** A channel message (`{ k, t, ms?, from }` as JSON), or `undefined` when malformed. */
export function parseMessage(text: unknown): FleetMessage | undefined {
  if (typeof text !== 'string' || text.length > 65_536) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { k, t, ms, from } = value as Record<string, unknown>;
  if (typeof k !== 'string' || typeof from !== 'string' || typeof t !== 'string' || !KINDS.has(t)) {
    return undefined;
  }
  const update = toUpdate(t, ms);
  return update && { key: k, from, update };
}

/**
 * A script's reply as an update to apply here: `{'open', ms}`, `{'closed'}`, `{'isolated'}`, `{'reset'}`;
 * `undefined` for the replies that change nothing here (`{'vote', n}`, `{'none'}`) and for malformed ones.
 */
export function replyUpdate(reply: unknown): StoreUpdate | undefined {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') return undefined;
  return toUpdate(reply[0], reply[1]);
}

function toUpdate(kind: string, ms: unknown): StoreUpdate | undefined {
  if (kind === 'open' || kind === 'cool-down') {
    const n = typeof ms === 'string' ? Number(ms) : ms;
    return typeof n === 'number' && Number.isFinite(n) && n > 0 ? { type: kind, ms: n } : undefined;
  }
  return kind === 'closed' || kind === 'isolated' || kind === 'reset' ? { type: kind } : undefined;
}

/** The reply of the `READ` script: the fleet's updates for one circuit (none when it holds nothing). */
export function readUpdates(reply: unknown): StoreUpdate[] {
  if (!Array.isArray(reply) || reply.length !== 3) return [];
  const [state, open, cool] = reply as unknown[];
  const updates: StoreUpdate[] = [];
  if (state === 'isolated') updates.push({ type: 'isolated' });
  const opening = state === 'open' ? toUpdate('open', open) : undefined;
  if (opening) updates.push(opening);
  const coolDown = toUpdate('cool-down', cool);
  if (coolDown) updates.push(coolDown);
  return updates;
}
