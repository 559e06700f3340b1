// A server that enforces a real quota: at most `limit` requests per fixed window of `window` ms, opened by
// the first request after the previous one ended. Beyond the quota it answers 429 with Retry-After. Every
// answer announces the quota in one header family, as real APIs do. On 127.0.0.1 and a free port.
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import { listenLocal } from './listen.ts';

/** How the server announces its quota: IETF RateLimit fields, GitHub's, OpenAI's, or only Retry-After on 429. */
export type QuotaFamily = 'ietf' | 'x-ratelimit' | 'openai' | 'retry-after';

export interface QuotaServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Requests answered 200, and refused with 429. */
  readonly served: number;
  readonly refused: number;
  close(): Promise<void>;
}

export interface QuotaServerOptions {
  limit: number;
  /** The window in ms; whole seconds for the families that count in seconds. */
  window: number;
  family: QuotaFamily;
  /** ms before each answer, so calls overlap. */
  latency?: number;
}

export async function startQuotaServer(options: QuotaServerOptions): Promise<QuotaServer> {
  const { limit, window, family, latency = 0 } = options;
  const counts = { served: 0, refused: 0 };
  let windowEnd = 0;
  let used = 0;

  const announce = (remaining: number, now: number): OutgoingHttpHeaders => {
    const left = windowEnd - now;
    switch (family) {
      case 'ietf':
        return {
          ratelimit: `"default";r=${remaining};t=${Math.ceil(left / 1000)}`,
          'ratelimit-policy': `"default";q=${limit};w=${Math.ceil(window / 1000)}`,
        };
      case 'x-ratelimit':
        return {
          'x-ratelimit-limit': String(limit),
          'x-ratelimit-remaining': String(remaining),
          'x-ratelimit-reset': String(Math.ceil(windowEnd / 1000)),
        };
      case 'openai':
        return {
          'x-ratelimit-limit-requests': String(limit),
          'x-ratelimit-remaining-requests': String(remaining),
          'x-ratelimit-reset-requests': `${left}ms`,
        };
      default:
        return {};
    }
  };

  const server = createServer((req, res) => {
    const now = Date.now();
    if (now >= windowEnd) {
      windowEnd = now + window;
      used = 0;
    }
    used++;
    const ok = used <= limit;
    const headers = announce(Math.max(0, limit - used), now);
    if (!ok) headers['retry-after'] = String(Math.ceil((windowEnd - now) / 1000));
    const answer = () => {
      if (ok) counts.served++;
      else counts.refused++;
      res.writeHead(ok ? 200 : 429, headers).end(ok ? 'ok' : 'slow down');
    };
    if (latency > 0) {
      const timer = setTimeout(answer, latency);
      req.on('close', () => clearTimeout(timer));
    } else answer();
  });
  const { origin, close } = await listenLocal(server);
  return {
    origin,
    close,
    get served() {
      return counts.served;
    },
    get refused() {
      return counts.refused;
    },
  };
}
