import type { IncomingMessage, ServerResponse } from 'node:http';
import ky, { HTTPError, type KyInstance, type Options } from 'ky';
import { kyHooks, kyResilience } from 'resilient-fetch/ky';
import type { FetchLike } from '../../src/types.ts';
import { listenLoopback } from '../helpers/loopback.ts';
import { readBody } from '../helpers/server.ts';

/**
 * Runs one case of the port (a test of sindresorhus/ky `test/retry.ts` or `test/hooks.ts`, in our words)
 * against one integration, on a loopback server: plain ky (proving the port), `kyHooks()` and
 * `kyResilience()`. Delays are short: plain ky gets a 1 ms `retry.delay` where a case sets none, the two
 * integrations a 1 ms backoff; a case that is about delays sets its own.
 */

export const INTEGRATIONS = ['ky', 'kyHooks', 'kyResilience'] as const;
export type Integration = (typeof INTEGRATIONS)[number];

/** What the server does for one request of a case: answer, reset the socket, or answer late. */
export type Reply =
  | { status?: number; headers?: Record<string, string>; body?: string; after?: number }
  | 'reset';

export interface Attempt {
  /** Path within the case, `/` for the case's own URL. */
  path: string;
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** `performance.now()` when the request arrived. */
  at: number;
}

/** What a case's code may use during a run. */
export interface Run {
  /** The absolute URL of a path within this case and integration. */
  url(path?: string): string;
  /** Free-form notes a case's hooks or callbacks record, compared with `Expected.log`. */
  log: unknown[];
  /** Attempts that failed before reaching the server (a custom fetch that throws). */
  offline: number;
  /** Requests the server received for this case and integration, in order. */
  attempts: Attempt[];
}

export interface Expected {
  /** Attempts made: requests received by the server plus custom-fetch throws. */
  attempts: number;
  /** `200 <body>`, `HTTPError <status>`, an error's name (`NetworkError`, `TimeoutError`…) or `stopped`. */
  outcome: string;
  /** What the case's hooks and callbacks recorded, when it matters. */
  log?: unknown[];
  /** Lower bounds (ms) on the wait between consecutive attempts. */
  minGaps?: number[];
  /** The call ends within this many ms (a backoff capped, a server wait honoured instead of a long delay). */
  within?: number;
  /** Why this integration differs from ky, as named in the README's ky section. */
  differs?: string;
}

export interface PortCase {
  /** ky's test title, or what an extra case checks. */
  title: string;
  /** `retry.ts`, `hooks.ts`, or `extra` for a case about a difference that ky's suite has no test for. */
  from: 'retry.ts' | 'hooks.ts' | 'extra';
  serve(n: number, attempt: Attempt): Reply;
  /** The request method (ky's shortcut name). @default 'get' */
  method?: 'get' | 'post' | 'put' | 'query';
  /** The call's ky options. */
  options?(run: Run): Options;
  /** Options of the instance, for cases about `ky.create()` and `.extend()` (no hooks here). */
  instance?: Options;
  extend?: Options;
  /** A custom fetch in place of the global one (ky's `fetch`, or the pipeline's transport). */
  transport?(run: Run): FetchLike;
  /**
   * Each integration waits its own default delays (no 1 ms delay or backoff injected), and the table shows
   * the waits: for the case about ky's unjittered delay against this package's jittered backoff.
   */
  defaultDelays?: boolean;
  /** Reads the body as JSON through ky (`parseJson` applies) instead of as text. */
  json?: boolean;
  expect: Record<Integration, Expected>;
}

/** The same expectation for all three. */
export const all = (expected: Expected): Record<Integration, Expected> => ({
  ky: expected,
  kyHooks: expected,
  kyResilience: expected,
});

export interface Result {
  attempts: number;
  outcome: string;
  log: unknown[];
  gaps: number[];
  ms: number;
}

const FAST = 1;

type Route = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

export interface PortServer {
  origin: string;
  run(c: PortCase, id: number, integration: Integration): Promise<Result>;
  close(): Promise<void>;
}

export async function startPortServer(): Promise<PortServer> {
  const routes = new Map<string, Route>();
  const loopback = await listenLoopback((req, res) => {
    const [, caseId = '', integration = '', ...rest] = (req.url ?? '/').split('/');
    const route = routes.get(`${caseId}/${integration}`);
    if (!route) return void res.writeHead(404).end();
    route(req, res, `/${rest.join('/')}`).catch((error) => res.destroy(error as Error));
  });

  async function run(c: PortCase, id: number, integration: Integration): Promise<Result> {
    const prefix = `${loopback.origin}/c${id}/${integration}`;
    const state: Run = {
      url: (path = '') => `${prefix}/${path}`,
      log: [],
      offline: 0,
      attempts: [],
    };
    routes.set(`c${id}/${integration}`, async (req, res, path) => {
      const attempt: Attempt = {
        path,
        method: req.method ?? '',
        headers: req.headers,
        body: '',
        at: performance.now(),
      };
      state.attempts.push(attempt);
      attempt.body = (await readBody(req)).toString();
      const reply = c.serve(state.attempts.length, attempt);
      if (reply === 'reset') return void req.socket.destroy();
      const answer = () => res.writeHead(reply.status ?? 200, reply.headers).end(reply.body ?? '');
      if (reply.after === undefined) answer();
      else setTimeout(answer, reply.after);
    });
    const api = instance(c, integration, state);
    const started = performance.now();
    const outcome = await call(api, c, state);
    const ms = performance.now() - started;
    const at = state.attempts.map((a) => a.at);
    return {
      attempts: state.attempts.length + state.offline,
      outcome,
      log: state.log,
      gaps: at.slice(1).map((t, i) => t - (at[i] as number)),
      ms,
    };
  }

  return { origin: loopback.origin, run, close: loopback.close };
}

function instance(c: PortCase, integration: Integration, run: Run): KyInstance {
  const transport = c.transport?.(run);
  const extra = c.instance ?? {};
  let api: KyInstance;
  const retry = c.defaultDelays ? {} : { backoff: () => FAST };
  if (integration === 'ky') {
    const hooks = c.defaultDelays ? {} : { hooks: { init: [fastKyDelay] } };
    api = ky.create({ ...(transport ? { fetch: transport } : {}), ...extra, ...hooks });
  } else if (integration === 'kyHooks') {
    const hooks = kyHooks({ retry, circuitBreaker: false });
    api = ky.create({ ...(transport ? { fetch: transport } : {}), ...hooks, ...extra });
  } else {
    const options = kyResilience({
      retry,
      circuitBreaker: false,
      ...(transport ? { fetch: transport } : {}),
    });
    api = ky.create({ ...options, ...extra });
  }
  return c.extend ? api.extend(c.extend) : api;
}

/** Plain ky waits 0.3·2^(n−1) s by default: a case that sets no `delay` gets 1 ms, nothing else changes. */
function fastKyDelay(options: Options): void {
  const retry = options.retry;
  if (typeof retry === 'number') options.retry = { limit: retry, delay: () => FAST };
  else if (retry === undefined) options.retry = { delay: () => FAST };
  else if (typeof retry === 'object' && retry !== null && retry.delay === undefined) {
    options.retry = { ...retry, delay: () => FAST };
  }
}

async function call(api: KyInstance, c: PortCase, run: Run): Promise<string> {
  try {
    const method = c.method ?? 'get';
    const promise = api[method](run.url(), c.options?.(run));
    if (c.json) return `200 ${JSON.stringify(await promise.json())}`;
    const response = await promise;
    if (response === undefined) return 'stopped';
    return `${response.status} ${await response.text()}`.trim();
  } catch (error) {
    if (error instanceof HTTPError) return `HTTPError ${error.response.status}`;
    return (error as Error).name ?? String(error);
  }
}
