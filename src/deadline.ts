import { startTimer } from './clock.ts';
import { TimeoutError } from './errors/timeout-error.ts';
import { type ResilienceEventListener, redactUrl } from './events.ts';
import { requestMethod, requestSignal, requestUrl } from './request-info.ts';
import { isResponse } from './response-check.ts';
import type { FetchLike } from './types.ts';

/**
 * The chain of deadlines behind `timeout()`: one call through one timeout stage, and how the stages nested
 * along one call share a single timer.
 */

/** The per-call state of the stage that made a signal, found on it by the stages nested below. */
const STAGE = Symbol('timeout');
type StagedSignal = AbortSignal & { [STAGE]?: Deadline };

/** Epoch ms of the deadline of the pending `timeout()` stage that passed `signal` down, if any. */
export function deadlineOf(signal: AbortSignal | undefined): number | undefined {
  return (signal as StagedSignal | undefined)?.[STAGE]?.due;
}

/**
 * One call through one timeout stage. Nested stages form a chain along the signals they pass down: the
 * topmost pending one (the root) owns the only timer, armed for the nearest deadline of the chain. A stage
 * below registers its deadline with the root instead of arming a timer, and is aborted by its parent
 * directly instead of through an `abort` listener: a timer and an `EventTarget` listener each cost more than
 * the rest of the stage. A stage holds one such child at a time (attempts run one after another); any other
 * stage below it at the same moment takes the plain path, a listener and a timer of its own.
 *
 * The first attempt registers synchronously, while the root is still in `next()` and has no timer yet, so
 * the root arms one timer for both deadlines after `next()` returns. When an attempt settles, nothing is
 * re-armed: if the timer fires for a deadline no longer pending, it is armed again for the nearest one left
 * (only calls that retry pay a second timer).
 *
 * Private fields: the minifier shortens their names, not those of public ones.
 */
export class Deadline {
  #controller = new AbortController();
  #limit: number;
  #key: string;
  #onEvent: ResilienceEventListener | undefined;
  #input: string | URL | Request;
  #init: RequestInit | undefined;
  /** Epoch ms of this stage's deadline. */
  due = 0;
  #settled = false;
  #resolve!: (response: Response) => void;
  #reject!: (reason: unknown) => void;
  /** The stage above that aborts this one, and the pending stage below that this one aborts. */
  #parent: Deadline | undefined;
  #child: Deadline | undefined;
  /**
   * Root only: the caller's signal it listens to, its timer, and when that fires (0: not armed yet); the reader
   * of the transport's body, once returned.
   */
  #caller: AbortSignal | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = 0;

  constructor(
    limit: number,
    key: string,
    onEvent: ResilienceEventListener | undefined,
    input: string | URL | Request,
    init: RequestInit | undefined,
  ) {
    this.#limit = limit;
    this.#key = key;
    this.#onEvent = onEvent;
    this.#input = input;
    this.#init = init;
  }

  /** What throws before the transport is called (reading the caller's signal, say) is thrown; `timeout()` rejects with it. */
  run(next: FetchLike): Promise<Response> {
    const input = this.#input;
    const init = this.#init;
    const caller: StagedSignal | undefined = requestSignal(input, init);
    if (caller?.aborted) return Promise.reject(caller.reason);
    // Fields, not closures over the executor: a pending call holds less (about 95 B).
    const promise = new Promise<Response>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const signal: StagedSignal = this.#controller.signal;
    signal[STAGE] = this;
    const parent = caller?.[STAGE];
    let now: number;
    if (parent && !parent.#settled && !parent.#child) {
      this.#parent = parent;
      parent.#child = this;
      let root = parent;
      while (root.#parent) root = root.#parent;
      // A root not armed yet is still in `next()`: the same instant (a clock read costs more than the rest of
      // a nested stage's start), and it arms after `next()` returns. One armed for a later deadline is
      // re-armed now.
      now = root.#timerDue ? Date.now() : root.due - root.#limit;
      this.due = now + this.#limit;
      if (this.due < root.#timerDue) root.#tick(now);
    } else {
      this.#caller = caller;
      caller?.addEventListener('abort', this);
      now = Date.now();
      this.due = now + this.#limit;
    }
    try {
      Promise.resolve(next(input, init ? { ...init, signal } : { signal })).then(
        (response) => {
          if (this.#settled) {
            // A transport that ignored the abort answered after the deadline: free the connection.
            response?.body?.cancel().catch(() => {});
            return;
          }
          this.#end(false);
          // The caller's signal still stops the body, as with plain fetch. Where the caller's signal is
          // another stage's, that stage's root does it; a call without a signal pays nothing here.
          this.#resolve(caller && !caller[STAGE] && isResponse(response) ? this.#guard(response) : response);
        },
        (error) => {
          this.#end(false);
          this.#reject(error);
        },
      );
    } catch (error) {
      this.#end(false);
      this.#reject(error);
    }
    if (!this.#parent && !this.#settled) this.#tick(now);
    return promise;
  }

  /** The caller's signal aborted (roots only: a child is aborted by its parent), before the body ended. */
  handleEvent(): void {
    this.#end(true, this.#caller!.reason);
  }

  /**
   * The caller's signal after the headers, as plain `fetch` treats it (Fetch Standard, "abort the fetch()
   * call": the response body stream errors with the signal's reason and the connection is closed). This stage
   * lets go of its own signal once headers arrive, so that its timer never touches a returned body; without
   * this, the caller's "stop" on a streamed completion would no longer reach the wire.
   *
   * The body is passed through a byte stream (this stage is its underlying source) that watches the caller's
   * signal while the body is alive, and only then: the listener goes when the body ends, errors or is
   * cancelled, so a long-lived signal shared by many calls holds nothing for bodies already read or cancelled.
   * Cancelling the transport's stream is what closes the connection (undici aborts the fetch and destroys the
   * socket when its body is cancelled). A response without a body, or one this runtime cannot rebuild (a
   * status outside 200–599, say, or a body already locked), is returned as it is.
   */
  #guard(response: Response): Response {
    const body = response.body;
    if (!body) return response;
    let wrapped: Response;
    try {
      // A `Response` is a `ResponseInit`: its status, statusText and headers are read from it.
      wrapped = new Response(new ReadableStream(this), response);
      // Last: nothing can fail once the body is locked to this stage.
      this.#reader = body.getReader();
    } catch {
      return response;
    }
    // What `new Response()` cannot take in its init, read from the original.
    Object.defineProperties(wrapped, {
      url: { value: response.url },
      redirected: { value: response.redirected },
      type: { value: response.type },
    });
    this.#caller!.addEventListener('abort', this);
    return wrapped;
  }

  /** The returned body's underlying source: a byte stream, as the transport's usually is. */
  get type(): 'bytes' {
    return 'bytes';
  }

  /**
   * The body errors with the caller's own reason once it aborted, whatever the transport's stream ended with
   * (workerd errors it with a copy of the reason).
   */
  async pull(controller: ReadableByteStreamController): Promise<void> {
    const caller = this.#caller!;
    try {
      // A byte stream refuses empty chunks; they carry nothing anyway.
      for (;;) {
        const { done, value } = await this.#reader!.read();
        if (done) break;
        if (value.byteLength) return controller.enqueue(value);
      }
    } catch (error) {
      if (!caller.aborted) {
        this.#caller?.removeEventListener('abort', this);
        throw error;
      }
    }
    // An abort has already removed the listener.
    caller.throwIfAborted();
    this.#caller?.removeEventListener('abort', this);
    controller.close();
    controller.byobRequest?.respond(0);
  }

  cancel(reason: unknown): Promise<void> {
    this.#caller?.removeEventListener('abort', this);
    return this.#reader!.cancel(reason);
  }

  /**
   * Root only: expires the topmost deadline of the chain that passed by `now` (which aborts the stages below
   * it), then arms the timer for the nearest deadline left above it.
   */
  #tick(now: number): void {
    let due = Infinity;
    for (let stage: Deadline | undefined = this; stage; stage = stage.#child) {
      if (stage.due <= now) {
        stage.#onEvent?.({
          type: 'timeout',
          timeout: stage.#limit,
          key: stage.#key,
          url: redactUrl(requestUrl(stage.#input)),
          method: requestMethod(stage.#input, stage.#init),
        });
        stage.#end(true, new TimeoutError(stage.#limit));
        break;
      }
      due = Math.min(due, stage.due);
    }
    if (this.#settled) return;
    clearTimeout(this.#timer);
    this.#timerDue = due;
    // A closure rather than an extra setTimeout argument: wrappers of setTimeout do not all pass those on.
    // The timer fired, so its deadline counts as passed even if the wall clock lags the timer clock.
    this.#timer = startTimer(() => this.#tick(Math.max(Date.now(), due)), due - now);
  }

  /**
   * Settles this stage: it lets go of its parent, timer and the caller's signal. With `abort`, aborts its
   * signal and the stages below with `reason`, then rejects; once the body is being read, the transport's
   * stream ends too (erroring, where the transport follows this stage's signal, or cancelled), and the read in
   * flight with it, so that the body errors with the caller's reason in `pull()`. Without `abort`, a child
   * still pending (a middleware between returned without waiting for it) keeps its deadline: it becomes a root
   * with a timer of its own. Only a stage whose body is being read is aborted after it settled (a settled stage
   * has neither parent nor child left); a transport that fails after the abort changes nothing.
   */
  #end(abort: boolean, reason?: unknown): void {
    if (this.#settled && !abort) return;
    this.#settled = true;
    const parent = this.#parent;
    const child = this.#child;
    if (parent) parent.#child = this.#parent = undefined;
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this);
    if (abort) {
      this.#controller.abort(reason);
      this.#reader?.cancel(reason).catch(() => {});
      if (child) child.#end(true, reason);
      this.#reject(reason);
    } else if (child) {
      this.#child = child.#parent = undefined;
      child.#tick(Date.now());
    }
  }
}
