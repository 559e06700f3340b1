// The soak's in-memory transport: answers each attempt from a seeded mix of outcomes, including the
// Retry-After values that broke other clients (an epoch taken for a delay, a year-9999 date, a negative
// number, a 10 KB header) and a slice of attempts that never answer until their signal aborts.
import type { FetchLike } from '../../src/types.ts';

/** One kind of answer, with its share of attempts (the shares add up to 1). */
const MIX = [
  ['ok', 0.575],
  ['503', 0.12],
  ['network-error', 0.1],
  ['retry-after-999999999', 0.05],
  ['retry-after-year-9999', 0.05],
  ['retry-after-negative', 0.05],
  ['retry-after-10kb', 0.05],
  ['retry-after-ms-1', 0.002],
  ['hang', 0.003],
] as const;

export type OutcomeKind = (typeof MIX)[number][0];

const HUGE = '9'.repeat(10 * 1024);

/** mulberry32: a small seeded generator, so two runs see the same sequence of outcomes. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(r: number): OutcomeKind {
  let sum = 0;
  for (const [kind, share] of MIX) {
    sum += share;
    if (r < sum) return kind;
  }
  return 'ok';
}

function answer(kind: OutcomeKind, signal: AbortSignal | null | undefined): Promise<Response> {
  switch (kind) {
    case 'ok':
      return Promise.resolve(new Response('ok', { status: 200 }));
    case '503':
      return Promise.resolve(new Response(null, { status: 503 }));
    case 'network-error':
      return Promise.reject(new TypeError('fetch failed'));
    case 'retry-after-999999999':
      return Promise.resolve(new Response(null, { status: 503, headers: { 'retry-after': '999999999' } }));
    case 'retry-after-year-9999':
      return Promise.resolve(
        new Response(null, { status: 429, headers: { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' } }),
      );
    case 'retry-after-negative':
      return Promise.resolve(new Response(null, { status: 503, headers: { 'retry-after': '-1' } }));
    case 'retry-after-10kb':
      return Promise.resolve(new Response(null, { status: 503, headers: { 'retry-after': HUGE } }));
    case 'retry-after-ms-1':
      // Honoured by the retry stage and, as a 503, a 1 ms cool-down for the whole circuit.
      return Promise.resolve(new Response(null, { status: 503, headers: { 'retry-after-ms': '1' } }));
    case 'hang':
      // Like fetch: settles only when the request's signal aborts (here, the attempt deadline).
      return new Promise((_resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
  }
}

/** The transport, and how many attempts got each kind of answer. */
export function inMemoryTransport(seed = 1): FetchLike & { answered: Record<OutcomeKind, number> } {
  const random = seeded(seed);
  const answered = Object.fromEntries(MIX.map(([kind]) => [kind, 0])) as Record<OutcomeKind, number>;
  const transport: FetchLike = (_input, init) => {
    const kind = pick(random());
    answered[kind]++;
    return answer(kind, init?.signal);
  };
  return Object.assign(transport, { answered });
}
