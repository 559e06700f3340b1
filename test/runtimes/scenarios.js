// The smoke scenarios every runtime runs against the built package: plain web-standard JavaScript (fetch,
// AbortController, timers), no runtime API, no TypeScript, so Node 20, Deno, Bun, a browser page and workerd
// all load this very file. Import it before the package: it wraps the global timers on evaluation, so it sees
// every timer the package starts, even one set while the package itself is evaluated.
//
// The server is test/runtimes/server.ts, in another process; a scenario asks it (`/hits`) how many requests
// reached it. `runScenarios()` never throws: each scenario reports `{ name, ok, detail }`.

/** Scenario names, in the order `runScenarios()` reports them. */
export const SCENARIOS = [
  'retry to success',
  'Retry-After waited',
  'attempt timeout',
  'circuit opens',
  "caller's abort",
  'reset → RetryExhaustedError',
  'finishes by itself',
];

// A timer counts as the package's when the stack that set it runs through the built files (`dist/NAME.js`),
// which V8 and JavaScriptCore both show in `Error().stack`.
const FROM_PACKAGE = /dist\/[\w.-]+\.js/;
const pending = new Set();
let started = 0;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
globalThis.setTimeout = Object.assign((callback, ms, ...args) => {
  const timer = realSetTimeout(() => {
    pending.delete(key(timer));
    callback(...args);
  }, ms);
  if (FROM_PACKAGE.test(new Error().stack ?? '')) {
    pending.add(key(timer));
    started++;
  }
  return timer;
}, realSetTimeout);
globalThis.clearTimeout = (timer) => {
  pending.delete(key(timer));
  realClearTimeout(timer);
};

/** A timer's identity: Node and Bun return an object (whose primitive value is the id), the others a number. */
function key(timer) {
  return typeof timer === 'object' && timer !== null && Symbol.toPrimitive in timer ? Number(timer) : timer;
}

const quick = { backoff: () => 10, budget: false };

/** How a runtime names an error: `TypeError: fetch failed`. */
const describe = (error) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Runs every scenario with `lib` (the built package's namespace) against the server at `origin`; `tag` keeps
 * the server's counts of two runs apart.
 */
export async function runScenarios(lib, origin, tag = 'run') {
  /** When the server saw each request to `path` (ms since it started). */
  const hits = async (path) => {
    const response = await fetch(`${origin}/hits`);
    const all = await response.json();
    return all[path] ?? [];
  };

  const scenarios = {
    async 'retry to success'() {
      const fetch = lib.resilientFetch({ retry: quick });
      const response = await fetch(`${origin}/flaky/${tag}`);
      const body = await response.text();
      const n = (await hits(`/flaky/${tag}`)).length;
      return {
        ok: response.status === 200 && body === 'ok' && n === 3,
        detail: `${response.status} after ${n}`,
      };
    },

    async 'Retry-After waited'() {
      const fetch = lib.resilientFetch({ retry: quick });
      const response = await fetch(`${origin}/retry-after/${tag}`);
      await response.body?.cancel();
      const times = await hits(`/retry-after/${tag}`);
      // Measured by the server between the two requests it saw; only a lower bound, which load cannot break.
      // A timer may fire up to a millisecond early where the platform rounds its clock.
      const gap = times.length === 2 ? times[1] - times[0] : Number.NaN;
      return { ok: response.status === 200 && gap >= 990, detail: `${response.status}, waited ${gap} ms` };
    },

    async 'attempt timeout'() {
      const fetch = lib.resilientFetch({
        timeout: 10_000,
        attemptTimeout: 100,
        retry: { ...quick, limit: 1 },
      });
      const error = await fetch(`${origin}/stall/${tag}`).then(
        () => undefined,
        (e) => e,
      );
      // On a loaded machine an attempt may end before its request reached the server: never more than 2.
      const n = (await hits(`/stall/${tag}`)).length;
      const ok =
        lib.isRetryExhaustedError(error) && error.attempts === 2 && lib.isTimeoutError(error.cause) && n <= 2;
      return { ok, detail: `${describe(error)} (cause ${describe(error?.cause)}), ${n} requests` };
    },

    async 'circuit opens'() {
      // Resets, not 503s: the breaker must count this runtime's own network error as a failure.
      const fetch = lib.resilientFetch({ retry: false, circuitBreaker: { failureThreshold: 2 } });
      const url = `${origin}/reset/circuit-${tag}`;
      const first = await fetch(url).catch((e) => e);
      const second = await fetch(url).catch((e) => e);
      const refused = await fetch(url).then(
        () => undefined,
        (e) => e,
      );
      const n = (await hits(`/reset/circuit-${tag}`)).length;
      const ok = lib.isCircuitOpenError(refused) && n === 2;
      const detail = `${describe(first)}, ${describe(second)}, then ${describe(refused)}; ${n} requests`;
      return { ok, detail, network: describe(first) };
    },

    async "caller's abort"() {
      const fetch = lib.resilientFetch({ retry: quick });
      const caller = new AbortController();
      const reason = new Error('the caller left');
      const path = `/stall/abort-${tag}`;
      const call = fetch(`${origin}${path}`, { signal: caller.signal }).then(
        () => undefined,
        (e) => e,
      );
      // The caller leaves while the server holds the request.
      while ((await hits(path)).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      caller.abort(reason);
      const error = await call;
      const n = (await hits(path)).length;
      return { ok: error === reason && n === 1, detail: `${describe(error)}, ${n} requests` };
    },

    async 'reset → RetryExhaustedError'() {
      const fetch = lib.resilientFetch({ retry: quick });
      const error = await fetch(`${origin}/reset/${tag}`).then(
        () => undefined,
        (e) => e,
      );
      const n = (await hits(`/reset/${tag}`)).length;
      const ok = lib.isRetryExhaustedError(error) && error.attempts === 3 && n === 3;
      return { ok, detail: `${describe(error)} (cause ${describe(error?.cause)}), ${n} requests` };
    },

    // The runner adds what it sees from outside: the process exited by itself, the page or the request settled.
    async 'finishes by itself'() {
      return {
        ok: started > 0 && pending.size === 0,
        detail: `${started} timers started, ${pending.size} pending`,
      };
    },
  };

  const results = [];
  for (const name of SCENARIOS) {
    try {
      results.push({ name, ...(await scenarios[name]()) });
    } catch (error) {
      results.push({ name, ok: false, detail: `threw ${describe(error)}` });
    }
  }
  return results;
}
