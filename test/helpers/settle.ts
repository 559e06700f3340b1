import { vi } from 'vitest';

/** Runs a call to the end under fake timers: advances `ms` of fake time, then settles like the call did. */
export async function settle<T>(promise: Promise<T>, ms = 120_000): Promise<T> {
  const result = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.advanceTimersByTimeAsync(ms);
  const r = (await result) as { value?: T; error?: unknown };
  if ('error' in r) throw r.error;
  return r.value as T;
}
