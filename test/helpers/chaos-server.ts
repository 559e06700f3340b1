import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback server that misbehaves on request, for chaos tests. The path picks the behaviour:
 *
 * | path                         | behaviour                                                          |
 * | ---                          | ---                                                                |
 * | `/ok`                        | 200 `ok`                                                           |
 * | `/reset`                     | destroys the socket before answering (a connection reset)        |
 * | `/stall-headers`             | never answers                                                      |
 * | `/stall-body`                | 200, writes one chunk, then stalls forever                         |
 * | `/endless`                   | 200, writes chunks forever (until the client goes away)            |
 * | `/status/CODE?h=name:value`  | answers CODE with the given response headers (repeatable `h`)      |
 * | `/flap/N`                    | N healthy answers, then N answers 503, and so on                   |
 * | `/fail-then-ok/N`            | the first N requests to this path get 503, then 200                |
 *
 * It counts requests per path, connections opened, and responses the client abandoned before the server
 * finished them.
 */
export interface ChaosServer {
  origin: string;
  /** Requests seen, per path without query. */
  hits: Map<string, number>;
  /** Total requests seen. */
  readonly total: number;
  /** Responses the client closed before the server finished them. */
  readonly abandoned: number;
  /** Responses still open right now (started, neither finished nor closed by the client). */
  readonly inFlight: number;
  /** Resolves once no response is open (the client released every one), or rejects after `ms`. */
  waitForIdle(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startChaosServer(): Promise<ChaosServer> {
  const sockets = new Set<Socket>();
  const hits = new Map<string, number>();
  const counts = { total: 0, abandoned: 0, inFlight: 0 };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://chaos');
    const path = url.pathname;
    const seen = (hits.get(path) ?? 0) + 1;
    hits.set(path, seen);
    counts.total++;
    counts.inFlight++;
    res.on('close', () => {
      counts.inFlight--;
      if (!res.writableFinished) counts.abandoned++;
    });
    const [, kind, arg] = path.split('/');
    switch (kind) {
      case 'ok':
        res.end('ok');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'stall-headers':
        return;
      case 'stall-body':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        return;
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(16 * 1024, 120);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) {}
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      case 'status': {
        const headers: Record<string, string> = {};
        for (const h of url.searchParams.getAll('h')) {
          const colon = h.indexOf(':');
          headers[h.slice(0, colon)] = h.slice(colon + 1);
        }
        res.writeHead(Number(arg), headers);
        res.end(`status ${arg}`);
        return;
      }
      case 'flap': {
        const n = Number(arg);
        const healthy = Math.floor((seen - 1) / n) % 2 === 0;
        res.writeHead(healthy ? 200 : 503);
        res.end(healthy ? 'ok' : 'down');
        return;
      }
      case 'fail-then-ok': {
        const ok = seen > Number(arg);
        res.writeHead(ok ? 200 : 503);
        res.end(ok ? 'ok' : 'down');
        return;
      }
      default:
        res.writeHead(404);
        res.end();
    }
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    get total() {
      return counts.total;
    },
    get abandoned() {
      return counts.abandoned;
    },
    get inFlight() {
      return counts.inFlight;
    },
    async waitForIdle(ms = 5_000) {
      const deadline = Date.now() + ms;
      while (counts.inFlight > 0) {
        if (Date.now() > deadline)
          throw new Error(`chaos server: ${counts.inFlight} responses still open after ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
