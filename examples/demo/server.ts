// The demo's flaky server, on 127.0.0.1 and a free port. Each route misbehaves in one way, and every request
// is counted per path, so the demo can show what reached the server and what never did.
import { createServer } from 'node:http';
import { listenLocal } from './listen.ts';

export interface FlakyServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** While `true`, `/outage` answers 503. */
  down: boolean;
  /** Requests received on paths starting with `prefix`. */
  hits(prefix: string): number;
  close(): Promise<void>;
}

/**
 * Routes:
 * - `/flaky/NAME`: 1st request 503, 2nd a dropped connection, then 200 (counted per NAME);
 * - `/limited`: 1st request 429 with `Retry-After: retryAfter`, then 200;
 * - `/outage`: 503 while `down`, else 200;
 * - `/storm/NAME`: always 503.
 */
export async function startFlakyServer(retryAfter: number): Promise<FlakyServer> {
  const counts = new Map<string, number>();
  const state = { down: false };

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    if (path.startsWith('/flaky/')) {
      if (n === 1) return res.writeHead(503).end('busy');
      if (n === 2) return req.socket.destroy(); // the connection drops mid-request
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
    if (path === '/limited' && n === 1) {
      return res.writeHead(429, { 'retry-after': String(retryAfter) }).end('slow down');
    }
    if (path.startsWith('/storm/') || (path === '/outage' && state.down)) {
      return res.writeHead(503).end('down');
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  const { origin, close } = await listenLocal(server);

  return {
    origin,
    get down() {
      return state.down;
    },
    set down(value) {
      state.down = value;
    },
    hits(prefix) {
      let total = 0;
      for (const [path, n] of counts) if (path.startsWith(prefix)) total += n;
      return total;
    },
    close,
  };
}
