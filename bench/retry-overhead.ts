// Per-call overhead of retry() on the hot path: a GET that succeeds first time, around an in-memory transport.
import { retry } from '../src/index.ts';

const response = new Response(null, { status: 200 });
const transport = async (_input: string | URL | Request, _init?: RequestInit) => response;
const N = 200_000;

async function measure(label: string, f: typeof transport): Promise<number> {
  for (let i = 0; i < 20_000; i++) await f('http://127.0.0.1/');
  const started = performance.now();
  for (let i = 0; i < N; i++) await f('http://127.0.0.1/');
  const ns = ((performance.now() - started) * 1e6) / N;
  console.log(`${label.padEnd(26)} ${ns.toFixed(0)} ns/call`);
  return ns;
}

const bare = await measure('bare transport', transport);
const wrapped = await measure('retry() default', retry()(transport));
await measure('retry() with onEvent', retry({ onEvent: () => {} })(transport));
console.log(`retry() overhead           ${(wrapped - bare).toFixed(0)} ns/call`);
