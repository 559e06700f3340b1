import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import { listenLoopback } from './loopback.ts';

/**
 * A loopback server that misbehaves on request, for chaos tests. The path picks the behaviour:
 *
 * | path                                  | behaviour                                                          |
 * | ---                                   | ---                                                                |
 * | `/ok`                                 | 200 `ok`                                                           |
 * | `/reset`                              | destroys the socket before answering (a connection reset)          |
 * | `/reset-headers`                      | writes half a status line and header, then destroys the socket     |
 * | `/stall-headers`                      | never answers                                                      |
 * | `/stall-partial-headers`              | writes half a status line and header, then stalls forever          |
 * | `/stall-body`                         | 200, writes one chunk, then stalls forever                         |
 * | `/drip/MS`                            | 200, writes one byte every MS ms, forever                          |
 * | `/endless` or `/endless/CODE`         | 200 (or CODE), writes chunks forever (until the client goes away)  |
 * | `/status/CODE?h=name:value`           | answers CODE with the given response headers (repeatable `h`)      |
 * | `/flap/N`                             | N healthy answers, then N answers 503, and so on                   |
 * | `/fail-then-ok/N?status=CODE&h=…`     | the first N requests to this path get CODE (503), then 200         |
 *
 * Query headers (`h`) apply to every answer that has a status. It counts requests per path, responses the
 * client abandoned before the server finished them, and responses open at once (now and at the peak). A test
 * that must not count a straggler of the test before it (a request that test's client gave up on, which the
 * server of a loaded machine reads only later) tags its URLs with `t=TAG` and reads `tagged(TAG)`.
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
  /** The most responses open at once since the start or the last `resetCounts()`. */
  readonly peakInFlight: number;
  /** Requests and abandoned responses whose URL carries the query parameter `t=tag`. */
  tagged(tag: string): { requests: number; abandoned: number };
  /** Zeroes `hits`, `total`, `abandoned` and `peakInFlight` (responses still open stay counted in `inFlight`). */
  resetCounts(): void;
  /** Resolves once no response is open (the client released every one), or rejects after `ms`. */
  waitForIdle(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** Half a status line and half a header: the client has started parsing and must not wait forever. */
const PARTIAL_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/pl';

export async function startChaosServer(): Promise<ChaosServer> {
  const hits = new Map<string, number>();
  const counts = { total: 0, abandoned: 0, inFlight: 0, peak: 0 };
  const tags = new Map<string, { requests: number; abandoned: number }>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://chaos');
    const path = url.pathname;
    const seen = (hits.get(path) ?? 0) + 1;
    hits.set(path, seen);
    counts.total++;
    counts.peak = Math.max(counts.peak, ++counts.inFlight);
    const tag = url.searchParams.get('t');
    const tagged =
      tag === null ? undefined : (tags.get(tag) ?? tags.set(tag, { requests: 0, abandoned: 0 }).get(tag)!);
    if (tagged) tagged.requests++;
    res.on('close', () => {
      counts.inFlight--;
      if (res.writableFinished) return;
      counts.abandoned++;
      if (tagged) tagged.abandoned++;
    });
    const headers: Record<string, string> = {};
    for (const h of url.searchParams.getAll('h')) {
      const colon = h.indexOf(':');
      headers[h.slice(0, colon)] = h.slice(colon + 1);
    }
    const [, kind, arg] = path.split('/');
    switch (kind) {
      case 'ok':
        res.writeHead(200, headers).end('ok');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'reset-headers':
        req.socket.end(PARTIAL_HEAD, () => req.socket.destroy());
        return;
      case 'stall-headers':
        return;
      case 'stall-partial-headers':
        req.socket.write(PARTIAL_HEAD);
        return;
      case 'stall-body':
        res.writeHead(200, { 'content-type': 'text/plain', ...headers });
        res.write('partial');
        return;
      case 'drip': {
        res.writeHead(200, { 'content-type': 'text/plain', ...headers });
        const drip = setInterval(() => res.write('.'), Number(arg));
        res.on('close', () => clearInterval(drip));
        return;
      }
      case 'endless': {
        res.writeHead(Number(arg ?? 200), { 'content-type': 'application/octet-stream', ...headers });
        const chunk = Buffer.alloc(16 * 1024, 120);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) {}
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      case 'status':
        res.writeHead(Number(arg), headers).end(`status ${arg}`);
        return;
      case 'flap': {
        const n = Number(arg);
        const healthy = Math.floor((seen - 1) / n) % 2 === 0;
        res.writeHead(healthy ? 200 : 503, headers).end(healthy ? 'ok' : 'down');
        return;
      }
      case 'fail-then-ok': {
        const ok = seen > Number(arg);
        const failing = Number(url.searchParams.get('status') ?? 503);
        res.writeHead(ok ? 200 : failing, ok ? {} : headers).end(ok ? 'ok' : 'down');
        return;
      }
      default:
        res.writeHead(404).end();
    }
  };

  const loopback = await listenLoopback(handle);
  return {
    origin: loopback.origin,
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
    get peakInFlight() {
      return counts.peak;
    },
    tagged(tag) {
      return { ...(tags.get(tag) ?? { requests: 0, abandoned: 0 }) };
    },
    resetCounts() {
      hits.clear();
      counts.total = 0;
      counts.abandoned = 0;
      counts.peak = counts.inFlight;
    },
    async waitForIdle(ms = 5_000) {
      const deadline = Date.now() + ms;
      while (counts.inFlight > 0) {
        if (Date.now() > deadline)
          throw new Error(`chaos server: ${counts.inFlight} responses still open after ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: loopback.close,
  };
}

/** Starts a chaos server before the file's tests and closes it after them; its fields read the live server. */
export function useChaosServer(): ChaosServer {
  let server: ChaosServer | undefined;
  beforeAll(async () => {
    server = await startChaosServer();
  });
  afterAll(() => server?.close());
  return new Proxy({} as ChaosServer, { get: (_target, key) => Reflect.get(server!, key) });
}
