// A real redis-server on 127.0.0.1, started by the tests (and the demo) themselves on a free port, stopped by
// PID. Nothing to set up: a `redis-server` on PATH is used; failing that, where this runs as root with
// apt-get (CI, a fresh Debian machine), Debian's package is installed once; else the error says what to install.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** The PID of the running server (changes on `restart()`). */
  readonly pid: number;
  /** Kills the server with SIGKILL (no save, no goodbye to clients) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts a fresh, empty server on the same port. */
  restart(): Promise<void>;
  /** Stops the server if it runs. */
  stop(): Promise<void>;
}

/** Where `redis-server` is on PATH, or `undefined`. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, 'redis-server');
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

export const HOW_TO_INSTALL =
  'redis-server was not found on PATH. Install Redis (Debian/Ubuntu: apt-get install redis-server; ' +
  'macOS: brew install redis) and run again.';

/**
 * `redis-server` on PATH, or Debian's package installed once when this runs as root with apt-get; throws
 * naming what to install otherwise.
 */
export function requireRedisServer(): string {
  const found = findRedisServer();
  if (found) return found;
  const root = process.getuid?.() === 0;
  const aptGet = ['/usr/bin/apt-get', '/bin/apt-get'].find((file) => existsSync(file));
  if (!root || !aptGet) throw new Error(HOW_TO_INSTALL);
  console.warn("redis-server not on PATH: installing Debian's redis-server with apt-get, once");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync(aptGet, ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync(aptGet, ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], {
    stdio: 'ignore',
    env,
  });
  const installed = findRedisServer() ?? ['/usr/bin/redis-server'].find((f) => existsSync(f));
  if (!installed) throw new Error(HOW_TO_INSTALL);
  return installed;
}

/** A port nothing listens on now (asked of the kernel, then released for redis-server to take). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function launch(binary: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'notice',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // A process that ends without stopping its server (a demo interrupted, a test worker torn down) takes it along.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  child.once('exit', () => process.off('exit', orphaned));
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.resume();
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)),
    );
  });
}

/** Starts a redis-server on a free loopback port; retries on another port if one was taken meanwhile. */
export async function startRedisServer(binary = requireRedisServer()): Promise<RedisServer> {
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    child = await launch(binary, port).catch(() => undefined);
  }
  if (!child) throw new Error('redis-server did not start on a free 127.0.0.1 port');
  let current: ChildProcess | undefined = child;
  const kill = async () => {
    const running = current;
    current = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    process.kill(running.pid!, 'SIGKILL');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return current?.pid ?? -1;
    },
    kill,
    async restart() {
      await kill();
      current = await launch(binary, port);
    },
    stop: kill,
  };
}
