// The server of the runtime smoke scenarios, run as its own process (`node test/runtimes/server.ts`): it prints
// `listening http://127.0.0.1:PORT` and stops when its standard input closes, so it never outlives the test
// that started it. Paths are `/KIND/ID`; every ID counts its own requests, which `/hits` reports, so a scenario
// checks with the server itself that a call never reached it.
//
// | path                | behaviour                                                              |
// | ---                 | ---                                                                    |
// | `/flaky/ID`         | 503 twice, then 200 `ok`                                               |
// | `/retry-after/ID`   | 503 with `Retry-After: 1` once, then 200 `ok`                          |
// | `/stall/ID`         | never answers                                                          |
// | `/reset/ID`         | destroys the socket before answering (a connection reset)              |
// | `/hits`             | `{ "/KIND/ID": [ms since start of each request, …] }`                  |
// | `/`                 | the page that runs the scenarios in a browser                          |
// | `/dist/*.js`, `/test/runtimes/*.js` | the built package and the scenario modules, for that page |
//
// Every answer carries `Connection: close`: a browser retries a request on its own when a reused keep-alive
// socket is reset, which would blur the request counts.

import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const started = performance.now();
const hits = new Map<string, number[]>();

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>resilient-fetch runtime scenarios</title>
<script type="module" src="/test/runtimes/page.js"></script>
`;

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://server').pathname;
  const [, kind, id] = path.split('/');
  const close = { connection: 'close' };
  if (path === '/hits') {
    res.writeHead(200, { ...close, 'content-type': 'application/json' });
    res.end(JSON.stringify(Object.fromEntries(hits)));
    return;
  }
  if (path === '/') {
    res.writeHead(200, { ...close, 'content-type': 'text/html' }).end(PAGE);
    return;
  }
  if (/^\/(dist|test\/runtimes)\/[\w.-]+\.js$/.test(path)) {
    readFile(`${root}${path.slice(1)}`).then(
      (body) => res.writeHead(200, { ...close, 'content-type': 'text/javascript' }).end(body),
      () => res.writeHead(404, close).end(),
    );
    return;
  }
  if (id === undefined) {
    res.writeHead(404, close).end();
    return;
  }
  const times = hits.get(path) ?? [];
  times.push(Math.round(performance.now() - started));
  hits.set(path, times);
  const seen = times.length;
  switch (kind) {
    case 'flaky':
      if (seen <= 2) res.writeHead(503, close).end('down');
      else res.writeHead(200, close).end('ok');
      return;
    case 'retry-after':
      if (seen === 1) res.writeHead(503, { ...close, 'retry-after': '1' }).end('later');
      else res.writeHead(200, close).end('ok');
      return;
    case 'stall':
      return;
    case 'reset':
      req.socket.destroy();
      return;
    default:
      res.writeHead(404, close).end();
  }
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening http://127.0.0.1:${port}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => {
  server.closeAllConnections();
  server.close();
  process.stdin.pause();
});
