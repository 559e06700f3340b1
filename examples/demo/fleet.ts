// Runs processes of a fleet (./fleet-worker.ts) and drives them over IPC: the demo's fleet scene, the
// fleet tests and `npm run bench:fleet` all go through here.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CircuitBreakerOptions } from '../../src/index.ts';
import type { RedisStoreOptions } from '../../src/redis.ts';

export interface WorkerConfig {
  /** The origin every call goes to. */
  origin: string;
  /** Redis URL; no store when absent. */
  redis?: string;
  client?: 'node-redis' | 'ioredis';
  store?: RedisStoreOptions;
  breaker?: Omit<CircuitBreakerOptions, 'key' | 'isFailure' | 'onEvent' | 'clock' | 'store'>;
  retry?: number | false;
}

export type Order =
  | { type: 'call'; path: string }
  | { type: 'state'; key?: string }
  | { type: 'control'; action: 'isolate' | 'reset' | 'open'; key?: string }
  | { type: 'events' }
  | { type: 'loop'; path: string; every: number }
  | { type: 'stop-loop' }
  | { type: 'close' };

export interface CallResult {
  status?: number;
  error?: string;
  /** A `CircuitOpenError`'s `retryAfter`, as text (`Infinity` survives). */
  retryAfter?: string;
  ms: number;
}

export interface FleetWorker {
  readonly pid: number;
  call(path: string): Promise<CallResult>;
  state(key?: string): Promise<string>;
  control(action: 'isolate' | 'reset' | 'open', key?: string): Promise<void>;
  /** `store-error`, `store-recovered` and circuit changes (`closed→open`…), with their epoch ms. */
  events(): Promise<Array<{ type: string; at: number }>>;
  /** Calls `path` again and again, `every` ms apart, until `stopLoop()`, which returns each call. */
  loop(path: string, every: number): Promise<void>;
  stopLoop(): Promise<Array<{ at: number; ms: number; ok: boolean }>>;
  /** Closes the store and the client, and waits for the process to exit. */
  close(): Promise<void>;
}

const script = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));

/** Starts one process of the fleet; resolves once its store and pipeline are built. */
export async function startWorker(config: WorkerConfig): Promise<FleetWorker> {
  const child: ChildProcess = spawn(process.execPath, [script, JSON.stringify(config)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fleet worker exited (${code}) before it was ready`)));
    child.on('message', (message: { ready?: true; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) return resolve();
      const waiter = waiting.get(message.id!);
      waiting.delete(message.id!);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
  });
  child.once('exit', () => {
    for (const waiter of waiting.values()) waiter.reject(new Error('fleet worker exited'));
  });
  const ask = <T>(order: Order) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, order });
    });
  return {
    pid: child.pid!,
    call: (path) => ask({ type: 'call', path }),
    state: (key) => ask({ type: 'state', key }),
    control: (action, key) => ask({ type: 'control', action, key }),
    events: () => ask({ type: 'events' }),
    loop: (path, every) => ask({ type: 'loop', path, every }),
    stopLoop: () => ask({ type: 'stop-loop' }),
    async close() {
      if (child.exitCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await ask({ type: 'close' }).catch(() => undefined);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts `n` processes with the same configuration. */
export function startFleet(n: number, config: WorkerConfig): Promise<FleetWorker[]> {
  return Promise.all(Array.from({ length: n }, () => startWorker(config)));
}

/** Waits until every process of `fleet` has reported an event of `type` (`store-error`…); throws after `ms`. */
export function everyProcessSaw(fleet: FleetWorker[], type: string, ms: number): Promise<void> {
  return eventually(
    async () =>
      (await Promise.all(fleet.map((w) => w.events()))).every((e) => e.some((x) => x.type === type)),
    ms,
    `${type} in every process`,
  );
}

/** Polls `check` every 10 ms until it holds; throws after `ms`. */
export async function eventually(
  check: () => Promise<boolean>,
  ms = 3_000,
  what = 'a condition',
): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`${what} did not hold within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
