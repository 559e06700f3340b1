// A server with a slow tail: one request in `every` (5% by default) takes `slow` ms, the others `fast` ms.
// Which ones are slow follows the order of arrival, so a run is reproducible; a request whose connection
// closes early stops waiting. On 127.0.0.1 and a free port.
import { createServer } from 'node:http';
import { listenLocal } from './listen.ts';

export interface TailServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Requests received, and those whose client closed the connection before the answer. */
  readonly requests: number;
  readonly abandoned: number;
  close(): Promise<void>;
}

export interface TailServerOptions {
  fast: number;
  slow: number;
  /** One request in `every` is slow. @default 20 */
  every?: number;
}

export async function startTailServer({ fast, slow, every = 20 }: TailServerOptions): Promise<TailServer> {
  const counts = { requests: 0, abandoned: 0 };
  const server = createServer((_req, res) => {
    const index = counts.requests++;
    // Request 3 (from 0) of every `every`: not the first, so a cold start is not taken for the tail.
    const ms = index % every === 3 ? slow : fast;
    const timer = setTimeout(() => res.writeHead(200).end('ok'), ms);
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) counts.abandoned++;
    });
  });
  const { origin, close } = await listenLocal(server);
  return {
    origin,
    close,
    get requests() {
      return counts.requests;
    },
    get abandoned() {
      return counts.abandoned;
    },
  };
}
