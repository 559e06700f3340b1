import type { FetchLike } from '../../src/types.ts';

/** One scripted answer: a status (answered with an empty body), a Response, an Error to reject with, or a function. */
export type Step =
  | number
  | Response
  | Error
  | ((input: string | URL | Request, init?: RequestInit) => Promise<Response> | Response);

export interface Call {
  input: string | URL | Request;
  init: RequestInit | undefined;
  signal: AbortSignal | undefined;
}

/**
 * A fetch double that answers from a script, one step per call; the last step repeats. `calls` records every
 * call with the signal it was given.
 */
export function scripted(...steps: Step[]): FetchLike & { calls: Call[] } {
  const calls: Call[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit) => {
    const step = steps[Math.min(calls.length, steps.length - 1)];
    calls.push({
      input,
      init,
      signal: init?.signal ?? (input instanceof Request ? input.signal : undefined),
    });
    if (typeof step === 'number') return new Response(null, { status: step });
    if (step instanceof Response) return step.clone();
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(input, init);
    throw new Error('scripted: no steps');
  };
  return Object.assign(fake, { calls });
}

/** A transport that never answers until its signal aborts, then rejects with the signal's reason. */
export function hanging(): FetchLike & { calls: Call[] } {
  return scripted(
    (_input, init) =>
      new Promise<Response>((_resolve, reject) => {
        const signal = init?.signal;
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  );
}

/** A network error as fetch reports it. */
export function networkError(): TypeError {
  return new TypeError('fetch failed');
}
