import type { ResilienceEventListener } from './events.ts';
import { redactUrl } from './events.ts';
import { requestMethod, requestSignal, requestUrl } from './request-info.ts';
import type { Middleware } from './types.ts';
import { func, optionsObject } from './validate.ts';

/** What a fallback handler is given: the failure and the request it belongs to. */
export interface FallbackContext {
  /** The error the call below failed with, when it failed with one. */
  error?: unknown;
  /** The failing response, when the call below answered with one that `when` marks as failed. */
  response?: Response;
  /** The request's input, as the caller passed it. */
  input: string | URL | Request;
  /** The request's init, as the caller passed it. */
  init: RequestInit | undefined;
}

/** Options of `fallback()`. */
export interface FallbackOptions {
  /**
   * Marks a response as failed, so the handler answers instead.
   * @default (response) => response.status >= 500
   */
  when?: (response: Response) => boolean;
  /** Receives a `'fallback'` event each time the handler answers. */
  onEvent?: ResilienceEventListener;
}

const serverError = (response: Response) => response.status >= 500;

/**
 * When the call below fails — with an error other than the caller's own abort, or with a response that
 * `when` marks as failed (default: status ≥ 500) — answers with `handler(context)` instead: a stale copy, a
 * default value. The caller's abort is never swallowed. A failing response that the handler does not return
 * itself has its body cancelled, so its connection is freed.
 *
 * Put it outermost to cover retries and deadlines: `compose(fallback(handler), …)`.
 *
 * @example
 * ```ts
 * const withDefault = fallback(() => Response.json({ items: [] }, { headers: { 'x-fallback': '1' } }));
 * const fetchItems = compose(withDefault)(resilientFetch());
 * ```
 */
export function fallback(
  handler: (context: FallbackContext) => Response | Promise<Response>,
  options: FallbackOptions = {},
): Middleware {
  func('fallback: handler', handler, false);
  optionsObject('fallback: options', options);
  const when = func('fallback: when', options.when) ?? serverError;
  const onEvent = func('fallback: onEvent', options.onEvent);

  return (next) =>
    async function fallbackFetch(input, init) {
      let response: Response;
      try {
        response = await next(input, init);
      } catch (error) {
        if (requestSignal(input, init)?.aborted) throw error;
        report(onEvent, input, init, error, undefined);
        return handler({ error, input, init });
      }
      if (!when(response)) return response;
      report(onEvent, input, init, undefined, response);
      const substitute = await handler({ response, input, init });
      if (substitute !== response) response.body?.cancel().catch(() => {});
      return substitute;
    };
}

function report(
  onEvent: ResilienceEventListener | undefined,
  input: string | URL | Request,
  init: RequestInit | undefined,
  error: unknown,
  response: Response | undefined,
): void {
  onEvent?.({
    type: 'fallback',
    url: redactUrl(requestUrl(input)),
    method: requestMethod(input, init),
    ...(response ? { status: response.status } : { error: (error as Error | undefined)?.name ?? 'Error' }),
  });
}
