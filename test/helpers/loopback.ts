import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A `node:http` server listening on 127.0.0.1 with a random port. */
export interface Loopback {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Destroys every open socket (a stalled response would otherwise hold `close()` forever), then closes. */
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1:0 and tracks its sockets so that `close()` never waits on a stalled one. */
export async function listenLoopback(handler: RequestListener): Promise<Loopback> {
  const sockets = new Set<Socket>();
  const server = createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
