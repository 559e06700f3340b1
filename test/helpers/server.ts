import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback } from './loopback.ts';

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Requests received so far. */
  requests: IncomingMessage[];
  /** Requests received per URL (path and query). */
  hits: Map<string, number>;
  /** Requests whose connection closed before the server finished answering them. */
  aborted: number;
  /** Resolves when `n` requests have been closed early by the client. */
  waitForAborted(n: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 with a random port, for tests that must touch sockets. The handler gets the
 * request's index among all requests and `seen`, how many requests this URL has had (1 for the first).
 */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse, index: number, seen: number) => void | Promise<void>,
): Promise<TestServer> {
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const state = { aborted: 0 };
  const requests: IncomingMessage[] = [];
  const hits = new Map<string, number>();
  const loopback = await listenLoopback((req, res) => {
    const index = requests.length;
    requests.push(req);
    const seen = (hits.get(req.url ?? '/') ?? 0) + 1;
    hits.set(req.url ?? '/', seen);
    res.on('close', () => {
      if (res.writableFinished) return;
      state.aborted++;
      for (const w of waiters.splice(0)) {
        if (state.aborted >= w.n) w.resolve();
        else waiters.push(w);
      }
    });
    Promise.resolve(handler(req, res, index, seen)).catch((error) => {
      res.destroy(error as Error);
    });
  });
  return {
    origin: loopback.origin,
    requests,
    hits,
    get aborted() {
      return state.aborted;
    },
    waitForAborted(n) {
      if (state.aborted >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    close: loopback.close,
  };
}

/** Reads a request body to a Buffer. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
