import { type ResilienceEventListener, redactUrl } from './events.ts';
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
      const context: FallbackContext = { input, init };
      try {
        context.response = await next(input, init);
      } catch (error) {
        if (requestSignal(input, init)?.aborted) throw error;
        context.error = error;
      }
      const { response } = context;
      const answered = 'response' in context;
      if (answered && !when(response!)) return response!;
      onEvent?.({
        type: 'fallback',
        url: redactUrl(requestUrl(input)),
        method: requestMethod(input, init),
        ...(answered
          ? { status: response!.status }
          : { error: (context.error as Error | undefined)?.name ?? 'Error' }),
      });
      const substitute = await handler(context);
      if (substitute !== response) response?.body?.cancel().catch(() => {});
      return substitute;
    };
}
