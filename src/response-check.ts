/**
 * A transport must resolve to a `Response`. One that resolves to anything else broke the fetch contract: the
 * stages report it with a `TypeError` naming what came back, marked so that no retry stage retries it (a
 * `TypeError` is otherwise fetch's network error) and no breaker counts it against the origin.
 */

import { show } from './validate.ts';

/** A registered symbol, so two copies of the package recognise each other's errors. */
const BROKEN_TRANSPORT: symbol = Symbol.for('resilient-fetch.broken-transport');

/** True for a `Response` from any realm or implementation (by shape, not `instanceof`). */
export function isResponse(value: unknown): value is Response {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Response).status === 'number' &&
    typeof (value as Response).headers?.get === 'function'
  );
}

/**
 * Marks `error` (when an object) as a broken call no retry can fix, such as a transport that broke the fetch
 * contract; returns it.
 */
export function markBroken<E>(error: E): E {
  if (typeof error === 'object' && error !== null)
    Reflect.defineProperty(error, BROKEN_TRANSPORT, { value: true });
  return error;
}

/** The error for a transport that resolved to `value` instead of a `Response`. */
export function notAResponse(stage: string, value: unknown): TypeError {
  return markBroken(new TypeError(`${stage}: the transport resolved to ${show(value)}, not a Response`));
}

/** True for an error made by `notAResponse()` or marked by `markBroken()`: not a network failure. */
export function isBrokenTransport(error: unknown): boolean {
  return (error as Record<symbol, unknown> | null | undefined)?.[BROKEN_TRANSPORT] === true;
}

/**
 * How fetch reports a failure of the transport itself: a network error is a `TypeError` (Node, Deno, Bun,
 * browsers), or workerd's own disconnect error; a deadline is a `TimeoutError` (ours, or the platform's
 * `AbortSignal.timeout()` DOMException, which has the same name). `undefined` for anything else. Matched by
 * name too, so errors from another realm count.
 */
export function transportFailure(error: unknown): 'network-error' | 'timeout' | undefined {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  if (name === 'TimeoutError') return 'timeout';
  if (error instanceof TypeError || name === 'TypeError') return 'network-error';
  // workerd (Cloudflare Workers, miniflare) rejects a fetch whose connection was refused or reset with a plain
  // `Error: Network connection lost.` (its message for a dropped connection, flagged `retryable` and
  // `remote`), not a `TypeError`. Matched by the exact message: an application's own `Error` must not pass
  // for one.
  if (name === 'Error' && (error as Error).message === 'Network connection lost.') return 'network-error';
  return undefined;
}
