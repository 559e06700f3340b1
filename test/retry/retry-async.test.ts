import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constantBackoff } from '../../src/backoff.ts';
import { RetryExhaustedError } from '../../src/errors/retry-exhausted-error.ts';
import { TimeoutError } from '../../src/errors/timeout-error.ts';
import { retryAll, retryAsync } from '../../src/retry/retry-async.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const backoff = constantBackoff({ delay: 100 });

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const result = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.advanceTimersByTimeAsync(60_000);
  return result;
}

function failing(times: number, value = 'ok') {
  const seen: Array<{ attempt: number; signal: AbortSignal }> = [];
  const op = async (ctx: { attempt: number; signal: AbortSignal }) => {
    seen.push(ctx);
    if (seen.length <= times) throw new Error(`fail ${seen.length}`);
    return value;
  };
  return Object.assign(op, { seen });
}

describe('retryAsync', () => {
  it('retries until the operation resolves, counting attempts from 1 and handing it a signal', async () => {
    const op = failing(2);
    const delays: number[] = [];
    const r = await settle(retryAsync(op, { backoff, onRetry: (c, d) => delays.push(c.attempt, d) }));
    expect(r.value).toBe('ok');
    expect(op.seen.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(op.seen[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(delays).toEqual([1, 100, 2, 100]);
  });

  it('rejects with RetryExhaustedError after more than one attempt; limit 0 rethrows unchanged', async () => {
    const r = await settle(retryAsync(failing(9), { backoff }));
    expect(r.error).toBeInstanceOf(RetryExhaustedError);
    expect((r.error as RetryExhaustedError).attempts).toBe(3);
    expect((r.error as Error).cause).toEqual(new Error('fail 3'));

    const r0 = await settle(retryAsync(failing(9), { limit: 0 }));
    expect(r0.error).toEqual(new Error('fail 1'));
  });

  it('does not retry an abort by default; shouldRetry decides, undefined meaning the default', async () => {
    const abort = new DOMException('stop', 'AbortError');
    let calls = 0;
    const r = await settle(
      retryAsync(
        () => {
          calls++;
          throw abort;
        },
        { backoff },
      ),
    );
    expect(r.error).toBe(abort);
    expect(calls).toBe(1);

    const op = failing(9);
    const refused = await settle(
      retryAsync(op, {
        backoff,
        shouldRetry: (e, c) => (c.attempt < 2 ? undefined : (e as Error).message === 'x'),
      }),
    );
    expect(refused.error).toEqual(new Error('fail 2')); // refused errors come back unchanged
    expect(op.seen).toHaveLength(2);
  });

  it('counts a synchronous throw as a failed attempt', async () => {
    let calls = 0;
    const r = await settle(
      retryAsync(
        () => {
          if (++calls < 2) throw new Error('sync');
          return 5;
        },
        { backoff },
      ),
    );
    expect(r.value).toBe(5);
  });

  it('ends the whole run with a TimeoutError at `timeout`, waits included, aborting the signal', async () => {
    const op = failing(99);
    const run = retryAsync(op, { limit: 10, backoff: constantBackoff({ delay: 1_000 }), timeout: 2_500 });
    const rejected = expect(run).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(2_500);
    await rejected;
    expect(op.seen).toHaveLength(3);
    expect(op.seen[2]!.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects at once with the caller's reason when its signal aborts, even mid-operation", async () => {
    const caller = new AbortController();
    const run = retryAsync(() => new Promise(() => {}), { signal: caller.signal });
    const rejected = expect(run).rejects.toBe('bye');
    caller.abort('bye');
    await rejected;
    await expect(retryAsync(async () => 1, { signal: caller.signal })).rejects.toBe('bye');
  });

  it('validates its options', async () => {
    await expect(retryAsync(async () => 1, { limit: -1 })).rejects.toThrow(
      'retryAsync: limit must be a non-negative integer, got -1',
    );
    await expect(retryAsync(5 as never)).rejects.toThrow(/retryAsync: operation/);
  });
});

describe('retryAll', () => {
  it('runs at most `concurrency` operations at once and returns results in input order', async () => {
    let running = 0;
    let peak = 0;
    const ops = Array.from({ length: 20 }, (_, i) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10 * (20 - i)));
      running--;
      if (i % 5 === 0) throw new Error(`e${i}`);
      return i;
    });
    const r = await settle(retryAll(ops, { limit: 0, concurrency: 3 }));
    expect(peak).toBe(3);
    expect(r.value!.successful).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19]);
    expect((r.value!.failed as Error[]).map((e) => e.message)).toEqual(['e0', 'e5', 'e10', 'e15']);
  });

  it('defaults to 8 at once', async () => {
    let running = 0;
    let peak = 0;
    const ops = Array.from({ length: 20 }, () => async () => {
      peak = Math.max(peak, ++running);
      await Promise.resolve();
      running--;
    });
    await settle(retryAll(ops));
    expect(peak).toBe(8);
  });

  it('retries each operation, and rejects below minSuccessRatio carrying both lists', async () => {
    const ops = [failing(1, 'a'), failing(9), failing(9)];
    const r = await settle(retryAll(ops, { backoff, minSuccessRatio: 0.5 }));
    const error = r.error as RetryExhaustedError;
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(error.successful).toEqual(['a']);
    expect(error.failed).toHaveLength(2);
    expect(error.attempts).toBe(2 + 3 + 3);
    const ok = await settle(retryAll([failing(0)], { minSuccessRatio: 1 }));
    expect(ok.value).toEqual({ successful: ['ok'], failed: [] });
  });
});

describe('retryAsync / retryAll: what the hooks see, aborts and the failure summary', () => {
  it('hands onRetry the elapsed time and the delay used before', async () => {
    const seen: Array<[number, number | undefined]> = [];
    const r = await settle(
      retryAsync(
        () => {
          throw new Error('no');
        },
        { backoff, limit: 2, onRetry: (c) => seen.push([c.elapsed, c.previousDelay]) },
      ),
    );
    expect(r.error).toBeInstanceOf(RetryExhaustedError);
    expect(seen).toEqual([
      [0, undefined],
      [100, 100],
    ]);
  });

  it('retryAll rejects with the reason when its signal aborts, instead of resolving the partial lists', async () => {
    const caller = new AbortController();
    const reason = new Error('stop');
    const run = settle(
      retryAll([() => new Promise<never>(() => {}), async () => 'ok'], { signal: caller.signal }),
    );
    caller.abort(reason);
    expect((await run).error).toBe(reason);
  });

  it('summarises the failures in the cause of a retryAll rejection', async () => {
    const r = await settle(
      retryAll([async () => 'ok', () => Promise.reject(new Error('x'))], { limit: 0, minSuccessRatio: 1 }),
    );
    const cause = (r.error as RetryExhaustedError).cause as AggregateError;
    expect(cause.message).toBe('1 of 2 operations failed');
    expect(cause.errors).toHaveLength(1);
  });
});
