/**
 * `resilient-fetch/ky`: this package inside ky 2. `ky` is an optional peer dependency; the core never imports it.
 *
 * @packageDocumentation
 */
import type { Options } from 'ky';
import type { ResilienceRequestOptions } from './request-options.ts';
import { type ResilientFetch, type ResilientFetchOptions, resilientFetch } from './resilient-fetch.ts';

declare module 'ky' {
  interface Options {
    /** Per-request options for resilient-fetch stages; ky forwards them to its `fetch`. */
    resilience?: ResilienceRequestOptions;
  }
}

/** What `kyResilience()` returns: ky options to spread into `ky.create()` or `.extend()`. */
export interface KyResilienceOptions extends Options {
  fetch: ResilientFetch;
  retry: 0;
  timeout: false;
}

/**
 * ky options that make `resilientFetch(options)` ky's `fetch`. ky's own retry is `0` and its timeout `false`,
 * so nothing is retried twice and ky's deadline does not cut through the pipeline's waits (the pipeline's
 * `timeout` and `attemptTimeout` take over). `ky.get(url, { resilience: {...} })` reaches the pipeline.
 *
 * @example
 * ```ts
 * import ky from 'ky';
 * import { kyResilience } from 'resilient-fetch/ky';
 *
 * const api = ky.create({ prefix: 'https://api.example.com', ...kyResilience({ retry: { limit: 3 } }) });
 * const items = await api.get('items', { resilience: { attemptTimeout: 2_000 } }).json();
 * ```
 */
export function kyResilience(options?: ResilientFetchOptions): KyResilienceOptions {
  return { fetch: resilientFetch(options), retry: 0, timeout: false };
}
export type { KyHooksOptions } from './ky-hooks.ts';
export { kyHooks } from './ky-hooks.ts';
