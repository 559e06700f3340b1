import { type AnnouncedQuota, announcedQuota, refusalWait } from '../headers/quota.ts';

/**
 * What one key may send: the quota the server announced, the caller's own `requests`/`interval`, and the
 * concurrency limit, against the calls in flight. Pure bookkeeping with `now` passed in; the queue and its
 * timer live in `KeyLimiter`.
 *
 * The learned quota is the server's count of calls left (`remaining`, `Infinity` until one is announced) until
 * `resetAt`. What may be sent now is that count less the calls in flight, so 20 concurrent calls with 5 left
 * send 5. Within a window an answer only ever lowers the count: answers arrive out of order, and one sent
 * early may report more than is left. Once `resetAt` passes, the count is the announced limit when known (that
 * many go, then the answers say), else unlimited until an answer says.
 */
export class Quota {
  remaining = Infinity;
  resetAt: number | undefined;
  /** The announced calls per window, when known. */
  limit: number | undefined;
  inFlight = 0;
  readonly #maxConcurrent: number;
  readonly #interval: number;
  /** Own quota: the time each of the last `requests` slots was used, oldest at `#next` (ring). */
  readonly #slots: Float64Array | undefined;
  #next = 0;

  constructor(maxConcurrent: number, requests: number | undefined, interval: number | undefined) {
    this.#maxConcurrent = maxConcurrent;
    this.#interval = interval ?? 0;
    this.#slots = requests === undefined ? undefined : new Float64Array(requests).fill(-Infinity);
  }

  /** Starts a new window once the announced reset has passed. */
  roll(now: number): void {
    if (this.resetAt !== undefined && now >= this.resetAt) {
      this.remaining = this.limit ?? Infinity;
      this.resetAt = undefined;
    }
  }

  /** Calls that may be sent now (after `roll`). */
  available(now: number): number {
    let free = Math.min(this.remaining, this.#maxConcurrent) - this.inFlight;
    const slots = this.#slots;
    if (slots !== undefined) {
      let own = 0;
      const since = now - this.#interval;
      for (let i = 0; i < slots.length && slots[(this.#next + i) % slots.length]! <= since; i++) own++;
      free = Math.min(free, own);
    }
    return Math.max(0, free);
  }

  /** True when one more call may be sent now. Cheaper than `available() > 0`. */
  canSend(now: number): boolean {
    this.roll(now);
    if (this.inFlight >= this.remaining || this.inFlight >= this.#maxConcurrent) return false;
    const slots = this.#slots;
    return slots === undefined || slots[this.#next]! <= now - this.#interval;
  }

  /** Counts a call sent now. */
  take(now: number): void {
    this.inFlight++;
    const slots = this.#slots;
    if (slots === undefined) return;
    slots[this.#next] = now;
    this.#next = (this.#next + 1) % slots.length;
  }

  /**
   * The earliest time the waiter at `position` in the queue could be sent, from the resets alone (the quota's
   * reset, own slots coming back); `now` when no reset is pending (it waits for answers or for a slot).
   */
  readyAt(now: number, position: number): number {
    let at = now;
    if (this.resetAt !== undefined && this.inFlight >= this.remaining) at = this.resetAt;
    const slots = this.#slots;
    if (slots !== undefined) {
      const n = slots.length;
      const slot = slots[(this.#next + (position % n)) % n]!;
      at = Math.max(at, slot + this.#interval * (1 + Math.floor(position / n)));
    }
    return at;
  }

  /** An answer arrived (a `Response`; `undefined` for an error). */
  settle(response: Response | undefined, learn: boolean, now: number): void {
    this.inFlight--;
    if (!learn || response === undefined) return;
    const refusal = refusalWait(response, now);
    if (refusal !== undefined) {
      // A rate-limit refusal with Retry-After: nothing more until then (RFC 6585 §4).
      this.remaining = 0;
      this.resetAt = Math.max(this.resetAt ?? 0, now + refusal);
      return;
    }
    this.adopt(announcedQuota(response.headers, now), now);
  }

  adopt(quota: AnnouncedQuota | undefined, now: number): void {
    this.roll(now);
    if (quota === undefined) {
      // Within a window the call still used one. Outside one (after a reset) silence says nothing: proxies and
      // error pages often drop the headers, and counting down there with no reset known would never end.
      if (this.resetAt !== undefined) this.remaining = Math.max(0, this.remaining - 1);
      return;
    }
    if (quota.limit !== undefined) this.limit = quota.limit;
    // A window that has already ended tells nothing about the current one.
    if (quota.resetAt <= now) return;
    if (quota.remaining <= this.remaining) {
      this.remaining = quota.remaining;
      this.resetAt = Math.max(this.resetAt ?? 0, quota.resetAt);
    }
  }

  /** True when forgetting this key loses nothing a fresh one would not have. */
  idle(now: number): boolean {
    if (this.inFlight !== 0 || (this.resetAt !== undefined && this.resetAt > now)) return false;
    const slots = this.#slots;
    if (slots === undefined) return true;
    const newest = slots[(this.#next + slots.length - 1) % slots.length]!;
    return newest <= now - this.#interval;
  }
}
