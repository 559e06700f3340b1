import { abortableBody } from './body-abort.ts';
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
 * The first attempt registers synchronously, while the root is still in `next()`, so the root arms one
 * timer for both deadlines after `next()` returns. When an attempt settles, nothing is re-armed: if the timer
 * fires for a deadline no longer pending, it is armed again for the nearest one left (only calls that retry
 * pay a second timer).
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
  /** Root only: the caller's signal it listens to, its timer, when that fires, and "inside `next()`". */
  #caller: AbortSignal | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = 0;
  #calling = false;

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

  run(next: FetchLike): Promise<Response> {
    const input = this.#input;
    const init = this.#init;
    const caller: StagedSignal | undefined = requestSignal(input, init);
    if (caller?.aborted) return Promise.reject(caller.reason);
    const promise = new Promise<Response>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const signal: StagedSignal = this.#controller.signal;
    signal[STAGE] = this;
    const parent = caller?.[STAGE];
    if (parent && !parent.#settled && !parent.#child) {
      this.#parent = parent;
      parent.#child = this;
      let root = parent;
      while (root.#parent) root = root.#parent;
      // Registered while the root is still in `next()`: the same instant, and the root arms after.
      if (root.#calling) this.due = root.due - root.#limit + this.#limit;
      else {
        this.due = Date.now() + this.#limit;
        if (this.due < root.#timerDue) root.#arm(this.due, this.due - this.#limit);
      }
    } else {
      this.#caller = caller;
      caller?.addEventListener('abort', this);
      this.due = Date.now() + this.#limit;
      this.#calling = true;
    }

    try {
      Promise.resolve(next(input, init ? { ...init, signal } : { signal })).then(
        (response) => {
          if (!this.#settled) {
            const caller = this.#caller;
            this.#release();
            // The caller's signal still stops the body, as with plain fetch. Where the caller's signal is
            // another stage's, that stage's root does it; a call without a signal pays nothing here.
            this.#resolve(
              caller === undefined || (caller as StagedSignal)[STAGE] !== undefined || !isResponse(response)
                ? response
                : abortableBody(response, caller, this.#controller),
            );
          } else {
            // A transport that ignored the abort answered after the deadline: free the connection.
            response?.body?.cancel().catch(() => {});
          }
        },
        (error) => {
          if (this.#settled) return;
          this.#release();
          this.#reject(error);
        },
      );
    } catch (error) {
      this.#release();
      this.#reject(error);
    }
    if (this.#calling) {
      this.#calling = false;
      if (!this.#settled) this.#arm(this.#nearest(), this.due - this.#limit);
    }
    return promise;
  }

  /** The caller's signal aborted (roots only: a child is aborted by its parent). */
  handleEvent(): void {
    if (this.#settled) return;
    this.#settle();
    this.#abort(this.#caller!.reason);
  }

  /** Root only: (re-)arms the timer for `due`, `now` being the current time. */
  #arm(due: number, now: number): void {
    clearTimeout(this.#timer);
    this.#timerDue = due;
    // A closure rather than an extra setTimeout argument: wrappers of setTimeout do not all pass those on.
    this.#timer = startTimer(() => this.#fire(), due - now);
  }

  /** Root only: expires the deadlines of the chain that have passed, then re-arms for the nearest one left. */
  #fire(): void {
    this.#timer = undefined;
    // The timer fired, so its deadline counts as passed even if the wall clock lags the timer clock.
    const now = Math.max(Date.now(), this.#timerDue);
    let stage: Deadline | undefined = this;
    while (stage && stage.due > now) stage = stage.#child;
    // Expiring a stage aborts every stage below it; the root's expiry clears the timer.
    if (stage) stage.#expire();
    if (!this.#settled) this.#arm(this.#nearest(), now);
  }

  /** The nearest deadline of this stage and the pending stages below it. */
  #nearest(): number {
    let due = this.due;
    for (let stage = this.#child; stage; stage = stage.#child) due = Math.min(due, stage.due);
    return due;
  }

  /** This stage's own deadline passed. */
  #expire(): void {
    this.#settle();
    const error = new TimeoutError(this.#limit);
    this.#onEvent?.({
      type: 'timeout',
      timeout: this.#limit,
      key: this.#key,
      url: redactUrl(requestUrl(this.#input)),
      method: requestMethod(this.#input, this.#init),
    });
    this.#abort(error);
  }

  /**
   * Settles without aborting. A child still pending (a middleware between returned without waiting for it)
   * keeps its deadline: it becomes a root with a timer of its own.
   */
  #release(): void {
    this.#settle();
    const child = this.#child;
    if (!child) return;
    this.#child = child.#parent = undefined;
    child.#arm(child.#nearest(), Date.now());
  }

  #settle(): void {
    this.#settled = true;
    if (this.#parent) this.#parent.#child = this.#parent = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#caller?.removeEventListener('abort', this);
  }

  /** Aborts this stage's signal and the stages below, then rejects. */
  #abort(reason: unknown): void {
    this.#controller.abort(reason);
    const child = this.#child;
    // Settling the child unlinks it from this stage.
    if (child) {
      child.#settle();
      child.#abort(reason);
    }
    this.#reject(reason);
  }
}
