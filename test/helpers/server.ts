import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Requests received so far. */
  requests: IncomingMessage[];
  /** Requests whose connection closed before the server finished answering them. */
  aborted: number;
  /** Resolves when `n` requests have been closed early by the client. */
  waitForAborted(n: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 with a random port, for tests that must touch sockets. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse, index: number) => void | Promise<void>,
): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const state = { aborted: 0 };
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    const index = requests.length;
    requests.push(req);
    res.on('close', () => {
      if (res.writableFinished) return;
      state.aborted++;
      for (const w of waiters.splice(0)) {
        if (state.aborted >= w.n) w.resolve();
        else waiters.push(w);
      }
    });
    Promise.resolve(handler(req, res, index)).catch((error) => {
      res.destroy(error as Error);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    get aborted() {
      return state.aborted;
    },
    waitForAborted(n) {
      if (state.aborted >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Reads a request body to a Buffer. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
