import { type ResilientFetchOptions, resilientFetch } from './resilient-fetch.ts';
import type { FetchLike } from './types.ts';
import { func, invalid, optionsObject } from './validate.ts';

/**
 * Replaces `globalThis.fetch` with `resilientFetch(options)` around the fetch that was there, and returns a
 * function that puts the original back (the very same function object).
 *
 * Works with msw in either order: msw 3 intercepts below `fetch`, so mocked responses pass through the stages
 * whether `server.listen()` ran before or after. If something else replaced `globalThis.fetch` on top of the
 * installed one meanwhile, uninstalling leaves that in place and turns the installed layer into a plain
 * pass-through, so neither is broken; should that patch later restore the layer, its next call puts the original
 * back.
 *
 * @throws {TypeError} when `options.fetch` is given: the transport is the global fetch that was there.
 * @example
 * ```ts
 * const uninstall = installGlobal({ retry: { limit: 3 } });
 * await fetch('https://api.example.com/items'); // now retried, with deadlines and a breaker
 * uninstall();
 * ```
 */
export function installGlobal(options: Omit<ResilientFetchOptions, 'fetch'> = {}): () => void {
  optionsObject('installGlobal: options', options);
  if ('fetch' in options) {
    invalid(
      'installGlobal: fetch',
      'absent (the transport is the global fetch already installed)',
      options.fetch,
    );
  }
  const original = globalThis.fetch;
  func('installGlobal: globalThis.fetch', original, false);
  const resilient = resilientFetch({ ...options, fetch: original });
  let active = true;
  const installed: FetchLike = function fetch(input, init) {
    if (active) return resilient(input, init);
    // Uninstalled while another patch sat on top, which has since put this layer back: step aside for good.
    if (globalThis.fetch === installed) globalThis.fetch = original;
    return original(input, init);
  };
  globalThis.fetch = installed as typeof globalThis.fetch;
  return function uninstall() {
    active = false;
    if (globalThis.fetch === installed) globalThis.fetch = original;
  };
}
