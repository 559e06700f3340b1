import type { FetchLike } from '../../src/types.ts';
import { type Call, scripted } from '../helpers/fake-transport.ts';

export interface Gate {
  /** Answers with a status (empty body) or a Response. */
  respond(answer: number | Response): void;
  fail(error: unknown): void;
}

/** A transport whose calls stay pending until the test answers them, in any order. */
export function gated(): FetchLike & { calls: Call[]; gates: Gate[] } {
  const gates: Gate[] = [];
  const transport = scripted(
    (_input, init) =>
      new Promise<Response>((resolve, reject) => {
        gates.push({
          respond: (answer) =>
            resolve(typeof answer === 'number' ? new Response(null, { status: answer }) : answer),
          fail: reject,
        });
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason), { once: true });
      }),
  );
  return Object.assign(transport, { gates });
}
