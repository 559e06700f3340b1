// Per-call overhead of circuitBreaker() around an in-memory transport, against cockatiel's breaker.
// Run: npm exec -- node bench/circuit-breaker.ts
import { ConsecutiveBreaker, circuitBreaker as cockatielBreaker, handleAll } from 'cockatiel';
import { circuitBreaker } from '../src/index.ts';

const CALLS = 200_000;
const response = new Response(null, { status: 200 });
const transport = (_input: string | URL | Request, _init?: RequestInit) => Promise.resolve(response);

async function measure(name: string, call: (url: string) => Promise<unknown>) {
  const urls = ['https://a.test/x', 'https://b.test/y', 'https://c.test/z'];
  for (let i = 0; i < 20_000; i++) await call(urls[i % 3]!); // warm-up
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) await call(urls[i % 3]!);
  const ns = ((performance.now() - started) * 1e6) / CALLS;
  console.log(`${name.padEnd(40)} ${ns.toFixed(0).padStart(6)} ns/call`);
  return ns;
}

const bare = await measure('transport alone', transport);
const ours = await measure('circuitBreaker() (3 origins, closed)', circuitBreaker()(transport));
const rate = await measure(
  'circuitBreaker() rate mode',
  circuitBreaker({ failureRateThreshold: 0.5 })(transport),
);
const policy = cockatielBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) });
const theirs = await measure('cockatiel circuitBreaker (one circuit)', (url) =>
  policy.execute(() => transport(url)),
);
console.log(
  `overhead: ours ${(ours - bare).toFixed(0)} ns, rate mode ${(rate - bare).toFixed(0)} ns, cockatiel ${(theirs - bare).toFixed(0)} ns`,
);
