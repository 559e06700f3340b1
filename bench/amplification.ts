// Retry amplification: 1000 calls against a loopback server that answers 503 to everything, through retry()
// with the default budget and with `budget: false`. Prints attempts, calls and attempts ÷ calls for each.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { retry } from '../src/index.ts';

let attempts = 0;
const server = createServer((_req, res) => {
  attempts++;
  res.statusCode = 503;
  res.end();
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const transport = (input: string | URL | Request, init?: RequestInit) => fetch(input, init);
const CALLS = 1000;

for (const [label, options] of [
  ['default budget', {}],
  ['budget: false', { budget: false as const }],
] as const) {
  attempts = 0;
  const fetchWithRetry = retry(options)(transport);
  const started = performance.now();
  const responses = await Promise.all(
    Array.from({ length: CALLS }, () =>
      fetchWithRetry(`${origin}/`).then((r) => r.arrayBuffer().then(() => r)),
    ),
  );
  const ms = Math.round(performance.now() - started);
  const failed = responses.filter((r) => r.status === 503).length;
  console.log(
    `${label.padEnd(15)} calls ${CALLS}  attempts ${attempts}  attempts/calls ${(attempts / CALLS).toFixed(2)}  (503s returned ${failed}, ${ms} ms)`,
  );
}
server.closeAllConnections();
server.close();
