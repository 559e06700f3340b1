// The circuit breaker recipes of the README, type-checked with the project (they call example.com, so they are not run).
import {
  type CircuitBreakerSnapshot,
  circuitBreaker,
  compose,
  isCircuitOpenError,
  restoreBreaker,
  snapshotBreaker,
  timeout,
} from '../src/index.ts';

// --- Quick start
const breaker = circuitBreaker({ failureThreshold: 5, recoveryTimeout: 30_000 });
const guardedFetch = compose(breaker, timeout(10_000))((input, init) => fetch(input, init));

try {
  await guardedFetch('https://api.example.com/users');
} catch (error) {
  if (isCircuitOpenError(error)) {
    console.log(`${error.key} is down; trial calls in ${error.retryAfter} ms`);
  }
}

// --- Rate mode, as Microsoft's standard resilience handler configures it
export const rateBreaker = circuitBreaker({
  failureRateThreshold: 0.1,
  samplingDuration: 30_000,
  minimumThroughput: 100,
  recoveryTimeout: 5_000,
  halfOpenMaxCalls: 3,
  successThreshold: 2,
});

// --- One circuit per host name (whatever the scheme or port), and 404s counted as failures too
export const perHost = circuitBreaker({
  key: (url) => new URL(url).hostname,
  isFailure: ({ response, error }) =>
    error !== undefined ? error instanceof TypeError : response!.status >= 500 || response!.status === 404,
});

// --- Cool-down: fail fast instead of waiting when a server answers 429/503 with Retry-After
export const impatient = circuitBreaker({ coolDown: 'fail-fast' });

// --- Per request: bypass the breaker (a health check that must reach the server)
await guardedFetch('https://api.example.com/health', { resilience: { circuitBreaker: false } });

// --- Inspection and control
breaker.state('https://api.example.com'); // 'closed' | 'open' | 'half-open' | 'isolated'
breaker.isolate('https://api.example.com'); // maintenance: refuse every call until reset
breaker.reset('https://api.example.com');
breaker.open('https://flaky.example.com'); // trip it now

// --- Events
export const observed = circuitBreaker({
  onEvent: (event) => {
    if (event.type === 'circuit-state') console.log(`${event.key}: ${event.from} → ${event.to}`);
    if (event.type === 'circuit-rejected') console.log(`refused ${event.method} ${event.url}`);
  },
});

// --- Persistence: a serverless function that starts cold keeps what the last one learnt
interface KeyValueStore {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}

export async function handler(store: KeyValueStore) {
  const persisted = circuitBreaker();
  const saved = await store.get('breaker');
  if (saved) restoreBreaker(persisted, JSON.parse(saved) as CircuitBreakerSnapshot);
  const api = compose(persisted, timeout(5_000))((input, init) => fetch(input, init));
  try {
    return await api('https://api.example.com/orders');
  } finally {
    await store.put('breaker', JSON.stringify(snapshotBreaker(persisted)));
  }
}
