import { clampDelay } from './clock.ts';
import { TimeoutError } from './errors/timeout-error.ts';
import { type EventListener, redactUrl } from './events.ts';
import { requestMethod, requestSignal, requestUrl } from './request-info.ts';
import type { FetchLike, Middleware } from './types.ts';
import { deadline, func, invalid, optionsObject } from './validate.ts';

/** Options of `timeout()`. */
export interface TimeoutOptions {
  /**
   * The per-request option this stage reads from `init.resilience`: a number overrides `ms` for that call,
   * `false` turns the deadline off for it.
   * @default 'timeout'
   */
  key?: string;
  /** Receives a `'timeout'` event whenever the deadline passes. */
  onEvent?: EventListener;
}

/**
 * Aborts the downstream request when `ms` pass before its response headers arrive, and rejects with a
 * `TimeoutError`. Placed outside `retry()` it is a deadline for the whole call, waits included; inside it, a
 * deadline per attempt.
 *
 * - The caller's own abort rejects at once with the caller's reason, never with a `TimeoutError`.
 * - Once the `Response` is returned the timer is gone: it never aborts a body the caller is still reading.
 *   (An abort of the caller's signal after that point no longer reaches the body through this stage either:
 *   cancel an unwanted body with `response.body?.cancel()`.)
 * - One `AbortController` per call. Nested stages (the attempt deadline under the total one) share one timer
 *   per call, armed for the nearest deadline; it is cleared when the call settles, and so is the listener on
 *   the caller's signal, so a long-lived signal shared by many calls accumulates nothing.
 *
 * @param ms deadline in ms, `0 < ms ≤ 2^31−1`.
 * @throws {RangeError} for a negative, zero, NaN, infinite or too large `ms`.
 * @example
 * ```ts
 * const fetchWithDeadline = timeout(5_000)(globalThis.fetch);
 * await fetchWithDeadline('https://example.com', { resilience: { timeout: 1_000 } });
 * ```
 */
export function timeout(ms: number, options: TimeoutOptions = {}): Middleware {
  deadline('timeout: ms', ms);
  optionsObject('timeout: options', options);
  const key = options.key ?? 'timeout';
  if (typeof key !== 'string' || key === '') invalid('timeout: key', 'a non-empty string', key);
  const onEvent = func('timeout: onEvent', options.onEvent);

  return (next) =>
    function timeoutFetch(input, init) {
      let limit = ms;
      const override = (init?.resilience as Record<string, unknown> | undefined)?.[key];
      if (override !== undefined) {
        if (override === false) return next(input, init);
        try {
          limit = deadline(`resilience.${key}`, override);
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return new Deadline(limit, key, onEvent, input, init).run(next);
    };
}

/** The per-call state of the stage that made a signal, found on it by the stages nested below. */
const STAGE = Symbol('resilient-fetch.timeout.stage');
type StagedSignal = AbortSignal & { [STAGE]?: Deadline };

/**
 * One call through one timeout stage. Stages nested in one chain form a tree along the signals they pass
 * down: the topmost pending one (the root) owns the only timer, armed for the nearest deadline of the tree.
 * A stage below registers its deadline with the root instead of arming a timer, and is aborted by its parent
 * directly instead of through an `abort` listener: a timer and an `EventTarget` listener each cost more than
 * the rest of the stage.
 *
 * The first attempt registers synchronously, while the root is still in `next()`, so the root arms one
 * timer for both deadlines after `next()` returns. When an attempt settles, nothing is re-armed: if the timer
 * fires for a deadline no longer pending, it is armed again for the nearest one left (only calls that retry
 * pay a second timer).
 */
class Deadline {
  readonly controller = new AbortController();
  /** Absolute (epoch ms) time of this stage's deadline. */
  due = 0;
  settled = false;
  parent: Deadline | undefined = undefined;
  /** First pending child, and this stage's siblings under its parent. */
  child: Deadline | undefined = undefined;
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  /** Root only: the caller's signal it listens to, the timer, when that timer fires, and "inside `next()`". */
  caller: AbortSignal | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  timerDue = 0;
  calling = false;
  resolve!: (response: Response) => void;
  reject!: (reason: unknown) => void;
  readonly promise: Promise<Response>;

  readonly limit: number;
  readonly key: string;
  readonly onEvent: EventListener | undefined;
  readonly input: string | URL | Request;
  readonly init: RequestInit | undefined;

  constructor(
    limit: number,
    key: string,
    onEvent: EventListener | undefined,
    input: string | URL | Request,
    init: RequestInit | undefined,
  ) {
    this.limit = limit;
    this.key = key;
    this.onEvent = onEvent;
    this.input = input;
    this.init = init;
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  run(next: FetchLike): Promise<Response> {
    const { input, init } = this;
    const caller: StagedSignal | undefined = requestSignal(input, init);
    if (caller?.aborted) return Promise.reject(caller.reason);
    const signal: StagedSignal = this.controller.signal;
    signal[STAGE] = this;
    const parent = caller?.[STAGE];
    let root: Deadline | undefined;
    if (parent !== undefined && !parent.settled) {
      this.parent = parent;
      const sibling = parent.child;
      if (sibling) sibling.prev = this;
      this.next = sibling;
      parent.child = this;
      root = parent;
      while (root.parent) root = root.parent;
      if (root.calling) {
        // Registered while the root is still calling `next()`: same instant, and the root arms after.
        this.due = root.due - root.limit + this.limit;
        if (this.due < root.timerDue) root.timerDue = this.due;
      } else {
        this.due = Date.now() + this.limit;
        if (this.due < root.timerDue) root.arm(this.due, this.due - this.limit);
      }
    } else {
      this.caller = caller;
      caller?.addEventListener('abort', this);
      this.timerDue = this.due = Date.now() + this.limit;
      this.calling = true;
    }

    let pending: Promise<Response>;
    try {
      pending = next(input, init ? { ...init, signal } : { signal });
    } catch (error) {
      this.calling = false;
      this.release();
      return Promise.reject(error);
    } finally {
      if (this.calling) {
        this.calling = false;
        if (!this.settled) this.arm(this.timerDue, this.due - this.limit);
      }
    }
    Promise.resolve(pending).then(
      (response) => this.answered(response),
      (error) => this.failed(error),
    );
    return this.promise;
  }

  /** Root only: (re-)arms the timer for `due`, `now` being the current time. */
  arm(due: number, now: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDue = due;
    // A closure rather than an extra setTimeout argument: wrappers of setTimeout do not all pass those on.
    const timer = setTimeout(() => fire(this), clampDelay(due - now));
    (timer as { unref?: () => void }).unref?.();
    this.timer = timer;
  }

  answered(response: Response): void {
    if (this.settled) {
      // A transport that ignored the abort answered after the deadline: free the connection.
      response?.body?.cancel().catch(() => {});
      return;
    }
    this.release();
    this.resolve(response);
  }

  failed(error: unknown): void {
    if (this.settled) return;
    this.release();
    this.reject(error);
  }

  /** The caller's signal aborted (root only: stages below are aborted by their parent). */
  handleEvent(): void {
    if (this.settled) return;
    this.settle();
    this.abort(this.caller!.reason);
  }

  /** This stage's own deadline passed. */
  expire(): void {
    this.settle();
    const error = new TimeoutError(this.limit);
    this.onEvent?.({
      type: 'timeout',
      timeout: this.limit,
      key: this.key,
      url: redactUrl(requestUrl(this.input)),
      method: requestMethod(this.input, this.init),
    });
    this.abort(error);
  }

  /** Settles without aborting. A child still pending (a middleware between returned without waiting for it)
   * keeps its deadline: it becomes a root with a timer of its own. */
  release(): void {
    this.settle();
    let child = this.child;
    this.child = undefined;
    while (child) {
      const next = child.next;
      child.parent = child.prev = child.next = undefined;
      const now = Date.now();
      child.arm(nearest(child, child.due), now);
      child = next;
    }
  }

  settle(): void {
    this.settled = true;
    const parent = this.parent;
    if (parent) {
      if (this.prev) this.prev.next = this.next;
      else parent.child = this.next;
      if (this.next) this.next.prev = this.prev;
      this.parent = this.prev = this.next = undefined;
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.caller?.removeEventListener('abort', this);
  }

  /** Aborts this stage's signal and every stage below, then rejects. */
  abort(reason: unknown): void {
    this.controller.abort(reason);
    let child = this.child;
    this.child = undefined;
    while (child) {
      const next = child.next;
      child.parent = child.prev = child.next = undefined;
      child.settle();
      child.abort(reason);
      child = next;
    }
    this.reject(reason);
  }
}

/** The root's timer: expires every deadline that has passed, then re-arms for the nearest one left. */
function fire(root: Deadline): void {
  root.timer = undefined;
  // The timer fired, so its deadline counts as passed even if the wall clock lags the timer clock.
  const now = Math.max(Date.now(), root.timerDue);
  if (root.due <= now) {
    root.expire();
    return;
  }
  expireBelow(root, now);
  root.arm(nearest(root, root.due), now);
}

function expireBelow(stage: Deadline, now: number): void {
  let child = stage.child;
  while (child) {
    const next = child.next;
    if (child.due <= now) child.expire();
    else expireBelow(child, now);
    child = next;
  }
}

/** The nearest deadline of `stage`'s pending descendants, or `due` if none is nearer. */
function nearest(stage: Deadline, due: number): number {
  for (let child = stage.child; child; child = child.next) due = nearest(child, Math.min(due, child.due));
  return due;
}
