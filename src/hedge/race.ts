import { clampDelay } from '../clock.ts';
import { redactUrl } from '../events.ts';
import { callDeadline, INHERITED_DEADLINE } from '../rate-limit/deadline.ts';
import { requestMethod, requestUrl } from '../request-info.ts';
import { isResponse, notAResponse } from '../response-check.ts';
import { retryDefaults } from '../retry/rules.ts';
import type { FetchLike } from '../types.ts';
import type { HedgeStage } from './hedge.ts';
import type { LatencyWindow } from './latency.ts';

/** Statuses that are failures worth waiting past: the retry stage's defaults. */
const RETRYABLE: ReadonlySet<number> = new Set(retryDefaults.statusCodes);

type Failure = { response: Response } | { error: unknown };

/**
 * One hedged call: attempts race, each with an `AbortController` of its own, so a loser can be aborted
 * without touching the caller's signal. The breaker below sees a loser's signal aborted, and counts it as
 * neither a success nor a failure. One timer at a time, armed for the next hedge and cleared when the call
 * settles; an answer before the delay costs only that timer.
 */
export class Race {
  readonly #stage: HedgeStage;
  readonly #next: FetchLike;
  readonly #input: string | URL | Request;
  readonly #init: RequestInit | undefined;
  readonly #caller: AbortSignal | undefined;
  readonly #delay: number;
  readonly #window: LatencyWindow | undefined;
  /** Send a `clone()` of the `Request` input on every attempt but the last one possible. */
  readonly #clone: boolean;
  readonly #controllers: AbortController[] = [];
  #out = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #settled = false;
  #failure: Failure | undefined;
  #resolve!: (response: Response) => void;
  #reject!: (reason: unknown) => void;

  constructor(
    stage: HedgeStage,
    next: FetchLike,
    input: string | URL | Request,
    init: RequestInit | undefined,
    caller: AbortSignal | undefined,
    clone: boolean,
    window: LatencyWindow | undefined,
  ) {
    this.#stage = stage;
    this.#next = next;
    this.#input = input;
    this.#init = init;
    this.#caller = caller;
    this.#clone = clone;
    this.#window = window;
    this.#delay = window ? window.delay() : (stage.delay as number);
  }

  run(): Promise<Response> {
    const promise = new Promise<Response>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#caller?.addEventListener('abort', this);
    this.#launch();
    if (!this.#settled) this.#arm();
    return promise;
  }

  /** The caller's signal aborted: every attempt is aborted with its reason. */
  handleEvent(): void {
    if (this.#settled) return;
    const reason = this.#caller!.reason;
    this.#dropFailure();
    this.#settle(undefined, reason);
    this.#reject(reason);
  }

  #arm(): void {
    this.#timer = setTimeout(() => this.#hedge(), clampDelay(this.#delay));
  }

  #hedge(): void {
    this.#timer = undefined;
    const stage = this.#stage;
    if (this.#settled || !(stage.budget?.withdraw(Date.now()) ?? true)) return;
    stage.onEvent?.({
      type: 'hedge',
      attempt: this.#controllers.length + 1,
      delay: this.#delay,
      url: redactUrl(requestUrl(this.#input)),
      method: requestMethod(this.#input, this.#init),
    });
    this.#launch();
    if (!this.#settled && this.#controllers.length <= stage.maxHedges) this.#arm();
  }

  #launch(): void {
    const controller = new AbortController();
    const signal = controller.signal;
    const due = callDeadline(this.#caller);
    if (due !== Infinity) Object.defineProperty(signal, INHERITED_DEADLINE, { value: due });
    this.#controllers.push(controller);
    this.#out++;
    const started = Date.now();
    let pending: Promise<Response>;
    try {
      const last = this.#controllers.length > this.#stage.maxHedges;
      const input = this.#clone && !last ? (this.#input as Request).clone() : this.#input;
      pending = Promise.resolve(this.#next(input, { ...this.#init, signal }));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (response) => this.#answered(controller, response, started),
      (error) => this.#failed(controller, error),
    );
  }

  #answered(controller: AbortController, response: Response, started: number): void {
    if (!isResponse(response)) {
      this.#failed(controller, notAResponse('hedge', response));
      return;
    }
    this.#window?.record(Date.now() - started);
    if (this.#settled) {
      discard(response);
      return;
    }
    this.#out--;
    if (RETRYABLE.has(response.status)) {
      this.#fail({ response }, controller);
      return;
    }
    this.#dropFailure();
    this.#settle(controller, undefined);
    this.#resolve(response);
  }

  #failed(controller: AbortController, error: unknown): void {
    if (this.#settled) return;
    this.#out--;
    this.#fail({ error }, controller);
  }

  /** A failure is the answer when no other attempt is out; the newest failure replaces an older one. */
  #fail(failure: Failure, controller: AbortController): void {
    this.#dropFailure();
    this.#failure = failure;
    if (this.#out !== 0) return;
    this.#settle(controller, undefined);
    if ('response' in failure) this.#resolve(failure.response);
    else this.#reject(failure.error);
  }

  #dropFailure(): void {
    const failure = this.#failure;
    if (failure && 'response' in failure) discard(failure.response);
    this.#failure = undefined;
  }

  /**
   * Ends the race: clears the timer and the listener, and aborts every attempt but `keep` (the one whose
   * outcome is the answer) with `reason`, or with an `AbortError` saying another attempt won.
   */
  #settle(keep: AbortController | undefined, reason: unknown): void {
    this.#settled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this);
    let lost = reason;
    for (const controller of this.#controllers) {
      if (controller === keep) continue;
      lost ??= new DOMException('Another attempt of this call answered first', 'AbortError');
      controller.abort(lost);
    }
    // The `Request` kept for a hedge never sent: its side of the tee would buffer the body for nothing.
    if (this.#clone && this.#controllers.length <= this.#stage.maxHedges) {
      (this.#input as Request).body?.cancel().catch(() => {});
    }
  }
}

/** undici keeps the connection busy until the body is consumed or cancelled. */
function discard(response: Response): void {
  try {
    response.body?.cancel().catch(() => {});
  } catch {
    // A locked or foreign body: nothing more can be done for it.
  }
}
