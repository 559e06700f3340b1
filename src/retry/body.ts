/**
 * Request bodies and retries. fetch reads a string, `URLSearchParams`, `Blob`, `ArrayBuffer`, typed array or
 * `FormData` in `init.body` afresh on every call, so such an init is simply passed again: no copy, no
 * `new Request()`. A stream (a `ReadableStream`, or an async iterable such as a Node stream) is consumed by
 * the first attempt and cannot be sent twice. A `Request` input with a body is replayed through `clone()`.
 */

/** How a call's body can be replayed. */
export type Replay = 'none' | 'clone' | 'not-replayable';

/**
 * What replaying this call's body takes: nothing (no body, or one fetch re-reads), a `clone()` of the
 * `Request` input before every attempt that a retry may follow, or nothing possible (a stream).
 */
export function replayOf(input: string | URL | Request, init: RequestInit | undefined): Replay {
  const body = init?.body;
  if (body !== undefined && body !== null) {
    // A stream is consumed as it is sent: it cannot be sent again.
    return typeof (body as ReadableStream).getReader === 'function' ||
      typeof (body as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
      ? 'not-replayable'
      : 'none';
  }
  // A URL or a string has no body at all; a Request without one has a null body.
  if ((input as Request).body != null) return 'clone';
  return 'none';
}
