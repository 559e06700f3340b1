import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clampDelay, MAX_DELAY, startTimer, systemClock } from '../src/clock.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('systemClock.sleep', () => {
  it('resolves after the delay and leaves no timer or listener', async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    let done = false;
    const sleeping = systemClock.sleep(100, controller.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
    expect(remove).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects at once with the signal's reason and clears its timer", async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort('stop');
    await expect(sleeping).rejects.toBe('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects without a timer when the signal already aborted', async () => {
    const reason = new Error('already');
    await expect(systemClock.sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never sets a timer above 2^31−1 ms, so an absurd wait cannot fire after 1 ms', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    let done = false;
    void systemClock.sleep(1e12).then(() => (done = true));
    expect(spy.mock.calls[0]?.[1]).toBe(MAX_DELAY);
    await vi.advanceTimersByTimeAsync(10);
    expect(done).toBe(false);
    vi.clearAllTimers();
  });
});

describe('process lifetime', () => {
  it('sleeps on an ordinary timer that keeps the process alive until it is cleared', async () => {
    vi.useRealTimers();
    const controller = new AbortController();
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const sleeping = systemClock.sleep(60_000, controller.signal);
    // getActiveResourcesInfo() lists only timers that keep the event loop alive (unref'd ones are left out).
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before + 1);
    controller.abort('done');
    await expect(sleeping).rejects.toBe('done');
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
  });

  it('startTimer returns a referenced timer', () => {
    vi.useRealTimers();
    const timer = startTimer(() => {}, 1_000) as unknown as { hasRef(): boolean };
    expect(timer.hasRef()).toBe(true);
    clearTimeout(timer as unknown as ReturnType<typeof setTimeout>);
  });
});

describe('clampDelay', () => {
  it.each([
    [-5, 0],
    [Number.NaN, 0],
    [12.5, 12.5],
    [Number.POSITIVE_INFINITY, MAX_DELAY],
    [2 ** 40, MAX_DELAY],
  ])('%s → %s', (input, expected) => {
    expect(clampDelay(input)).toBe(expected);
  });
});
