import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startServer, type TestServer } from '../helpers/server.ts';

/**
 * A loopback server that imitates an HTTP API, one script per scenario: the SDK under test gets
 * `base(id)` as its base URL, and the n-th request under that prefix is answered by the n-th reply of the
 * scenario's script (the last one repeats). The server notes when each request arrived and when a response
 * it was still writing lost its connection, so the tests read waits and closes as the server saw them.
 */
export type Reply = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface ApiServer {
  origin: string;
  /** The base URL of scenario `id`. */
  base(id: string): string;
  /** Requests scenario `id` received. */
  hits(id: string): number;
  /** `performance.now()` of each request of scenario `id`. */
  times(id: string): number[];
  /** Resolves with `performance.now()` when a response of scenario `id` closed before it was finished. */
  closed(id: string): Promise<number>;
  close(): Promise<void>;
}

export async function startApi(scripts: Record<string, Reply[]>): Promise<ApiServer> {
  const times = new Map<string, number[]>();
  const closes = new Map<string, { at?: number; waiters: Array<(at: number) => void> }>();
  const closeOf = (id: string) => {
    const entry = closes.get(id) ?? { waiters: [] };
    closes.set(id, entry);
    return entry;
  };
  const server: TestServer = await startServer((req, res) => {
    const id = /^\/s\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '';
    const script = scripts[id];
    if (!script) return void res.writeHead(404).end(`no scenario ${id}`);
    const seen = times.get(id) ?? [];
    seen.push(performance.now());
    times.set(id, seen);
    res.on('close', () => {
      if (res.writableFinished) return;
      const entry = closeOf(id);
      entry.at = performance.now();
      for (const waiter of entry.waiters.splice(0)) waiter(entry.at);
    });
    return script[Math.min(seen.length, script.length) - 1]!(req, res);
  });
  return {
    origin: server.origin,
    base: (id) => `${server.origin}/s/${id}`,
    hits: (id) => times.get(id)?.length ?? 0,
    times: (id) => times.get(id) ?? [],
    closed(id) {
      const entry = closeOf(id);
      if (entry.at !== undefined) return Promise.resolve(entry.at);
      return new Promise((resolve) => entry.waiters.push(resolve));
    },
    close: server.close,
  };
}

/** A JSON answer. */
export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (_req, res) =>
    void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

/** Answers only after `ms`: a completion that is computed before its headers are sent. */
export const after =
  (ms: number, reply: Reply): Reply =>
  (req, res) =>
    new Promise((resolve) => setTimeout(() => resolve(reply(req, res)), ms));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A server-sent event stream: `events` one every `interval` ms, then the end. With `stall`, the response stays
 * open after the events, silent, as a model does while it thinks, until the client goes away.
 */
export const sse =
  (events: string[], interval: number, stall = false): Reply =>
  async (_req, res) => {
    res.on('error', () => {}); // a write racing the client's close
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const event of events) {
      if (res.destroyed) return;
      res.write(event);
      await pause(interval);
    }
    if (!stall) res.end();
  };

/** One row of the scenario table: what the server saw and what the SDK's caller got. */
export interface Row {
  scenario: string;
  hits: number;
  wait: string;
  outcome: string;
}

/** The waits between consecutive requests of a scenario, as the server saw them. */
export function waits(api: ApiServer, id: string): number[] {
  const t = api.times(id);
  return t.slice(1).map((at, i) => at - t[i]!);
}

export const showWaits = (gaps: number[]) =>
  gaps.length === 0 ? '-' : gaps.map((ms) => `${Math.round(ms)} ms`).join(', ');

/** Prints the rows as an aligned table and keeps a copy under reports/sdk/ (`npm run sdk:table` shows all). */
export function printTable(sdk: string, rows: Row[]): void {
  const header: Row = {
    scenario: 'scenario',
    hits: 'server hits' as never,
    wait: 'wait',
    outcome: 'outcome',
  };
  const cells = [header, ...rows].map((r) => [r.scenario, String(r.hits), r.wait, r.outcome]);
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const lines = cells.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const text = `${sdk}\n${lines.join('\n')}\n`;
  console.log(`\n${text}`);
  mkdirSync('reports/sdk', { recursive: true });
  writeFileSync(`reports/sdk/${sdk.split(' ')[0]!.toLowerCase()}.txt`, text);
}

/** How a call failed, for the table: the error class and the status when it has one. */
export const failure = (e: unknown) =>
  `${(e as Error).constructor.name} ${(e as { status?: number }).status ?? ''}`.trim();

/**
 * A chat UI's stop button: reads `stream` until `counts(part)` has been true `after` times, then, from
 * outside the loop 50 ms later (the loop is waiting for the next chunk), aborts the caller's own `user`
 * signal. Resolves how the loop ended, the parts counted, and how long after the abort the server saw its
 * connection close.
 */
export async function pressStop<T>(
  stream: AsyncIterable<T>,
  user: AbortController,
  closed: Promise<number>,
  counts: (part: T) => boolean,
  after: number,
): Promise<{ ended: string; counted: number; closeAfter: number }> {
  let counted = 0;
  let stoppedAt = 0;
  const reading = (async () => {
    for await (const part of stream) {
      if (counts(part) && ++counted === after)
        setTimeout(() => {
          stoppedAt = performance.now();
          user.abort();
        }, 50);
    }
  })();
  const ended = await reading.then(
    () => 'the loop ended',
    (e: unknown) => failure(e),
  );
  return { ended, counted, closeAfter: (await closed) - stoppedAt };
}
