/**
 * The caller's signal after the headers, as plain `fetch` treats it (Fetch Standard, "abort the fetch()
 * call": the response body stream errors with the signal's reason and the connection is closed). A timeout
 * stage hands the transport a signal of its own and lets go of it once headers arrive, so that its timer never
 * touches a returned body; without this, the caller's "stop" on a streamed completion would no longer reach
 * the wire.
 *
 * The body is passed through a byte stream that watches the caller's signal while the body is alive, and only
 * then: the listener goes when the body ends, errors or is cancelled, so a long-lived signal shared by many
 * calls holds nothing for bodies already read or cancelled. Cancelling the transport's stream is what closes
 * the connection (undici aborts the fetch and destroys the socket when its body is cancelled).
 */

/**
 * `response` with a body that the caller's `signal` can still stop; `downstream` (the controller whose signal
 * the stage passed on) is aborted too. A response without a body, or one this runtime cannot rebuild (a status
 * outside 200–599, say), is returned as it is.
 */
export function abortableBody(
  response: Response,
  signal: AbortSignal,
  downstream: AbortController,
): Response {
  const body = response.body;
  if (!body || signal.aborted) return response;
  let reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>> | undefined;
  let output: ReadableByteStreamController | undefined;
  const stop = () => signal.removeEventListener('abort', onAbort);
  const onAbort = () => {
    stop();
    const reason = signal.reason;
    downstream.abort(reason);
    output?.error(reason);
    reader?.cancel(reason).catch(() => {});
  };
  let wrapped: Response;
  try {
    const stream = new ReadableStream({
      type: 'bytes',
      start(controller) {
        output = controller;
        reader = body.getReader();
      },
      async pull(controller) {
        try {
          for (;;) {
            const { done, value } = await reader!.read();
            if (done) {
              stop();
              controller.close();
              controller.byobRequest?.respond(0);
              return;
            }
            // A byte stream refuses empty chunks; they carry nothing anyway.
            if (value.byteLength > 0) {
              controller.enqueue(value);
              return;
            }
          }
        } catch (error) {
          stop();
          throw error;
        }
      },
      cancel(reason) {
        stop();
        return reader!.cancel(reason);
      },
    });
    wrapped = new Response(stream, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  } catch {
    reader?.releaseLock();
    return response;
  }
  // What `new Response()` cannot take in its init, read from the original.
  Object.defineProperties(wrapped, {
    url: { value: response.url },
    redirected: { value: response.redirected },
    type: { value: response.type },
  });
  signal.addEventListener('abort', onAbort);
  return wrapped;
}
