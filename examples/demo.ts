// A short live run against a local server that stalls: a plain fetch would hang, the timeout stage does not.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compose, isTimeoutError, timeout } from '../src/index.ts';

const server = createServer((req, res) => {
  if (req.url === '/stall') return; // never answers
  res.end('hello');
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const fetchWithDeadline = compose(timeout(500))((input, init) => fetch(input, init));
console.log(`server on ${origin}`);
console.log('GET /ok     →', await (await fetchWithDeadline(`${origin}/ok`)).text());
const started = performance.now();
try {
  await fetchWithDeadline(`${origin}/stall`);
} catch (error) {
  const ms = Math.round(performance.now() - started);
  console.log(
    `GET /stall  → ${isTimeoutError(error) ? 'TimeoutError' : error} after ${ms} ms, request closed`,
  );
}
server.closeAllConnections();
server.close();
