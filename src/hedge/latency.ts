/** Answer times kept per origin, and how many must be known before their percentile is trusted. */
const WINDOW = 100;
const MIN_SAMPLES = 20;
/** The delay used until `MIN_SAMPLES` are known (Polly's hedging default). */
export const DEFAULT_DELAY = 2_000;
/** The percentile is recomputed after this many new samples: a sort per call would cost more than the call. */
const REFRESH = 5;

/**
 * The last `WINDOW` answer times (to response headers) of one origin, and their 95th percentile, the delay
 * after which `'auto'` hedges.
 */
export class LatencyWindow {
  /** Second-chance bit of the registry's eviction sweep. */
  used = false;
  readonly #samples = new Float64Array(WINDOW);
  #count = 0;
  #next = 0;
  #fresh = 0;
  #p95 = DEFAULT_DELAY;

  record(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % WINDOW;
    if (this.#count < WINDOW) this.#count++;
    if (++this.#fresh >= REFRESH && this.#count >= MIN_SAMPLES) {
      this.#fresh = 0;
      const sorted = this.#samples.slice(0, this.#count).sort();
      this.#p95 = sorted[Math.ceil(0.95 * this.#count) - 1]!;
    }
  }

  /** The delay to hedge after, in ms. */
  delay(): number {
    return this.#p95;
  }

  /** Answer times are a statistic: dropping them loses nothing the next answers will not rebuild. */
  idle(): boolean {
    return true;
  }
}
