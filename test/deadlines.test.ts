import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addDeadline, cancelDeadline, type Deadline } from '../src/deadlines.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('deadline scheduler', () => {
  it('serves every deadline of one duration with one timer, each at its own time', async () => {
    const fired: string[] = [];
    addDeadline(100, () => fired.push('a'));
    await vi.advanceTimersByTimeAsync(30);
    addDeadline(100, () => fired.push('b'));
    await vi.advanceTimersByTimeAsync(10);
    addDeadline(100, () => fired.push('c'));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(59);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(29);
    expect(fired).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(10);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires those due together in one tick, in order', async () => {
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) addDeadline(50, () => fired.push(i));
    await vi.advanceTimersByTimeAsync(50);
    expect(fired).toEqual([0, 1, 2, 3, 4]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a cancelled head from firing, and still fires the ones behind it on time', async () => {
    const fired: string[] = [];
    const a = addDeadline(100, () => fired.push('a'));
    await vi.advanceTimersByTimeAsync(40);
    addDeadline(100, () => fired.push('b'));
    cancelDeadline(a);
    await vi.advanceTimersByTimeAsync(99);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(['b']);
  });

  it('clears its timer as soon as nothing is pending', () => {
    const deadlines = [addDeadline(1_000, () => {}), addDeadline(1_000, () => {}), addDeadline(7, () => {})];
    expect(vi.getTimerCount()).toBe(2);
    for (const d of deadlines) cancelDeadline(d);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('treats a second cancel, or a cancel after firing, as a no-op', async () => {
    const fire = vi.fn();
    const a = addDeadline(10, fire);
    const b = addDeadline(10, () => {});
    cancelDeadline(b);
    cancelDeadline(b);
    await vi.advanceTimersByTimeAsync(10);
    cancelDeadline(a);
    expect(fire).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets a firing deadline add and cancel others', async () => {
    const fired: string[] = [];
    const later = addDeadline(20, () => fired.push('later'));
    addDeadline(20, () => {
      fired.push('x');
      addDeadline(20, () => fired.push('again'));
    });
    cancelDeadline(later);
    const other = addDeadline(30, () => fired.push('other'));
    addDeadline(10, () => {
      fired.push('short');
      cancelDeadline(other);
    });
    await vi.advanceTimersByTimeAsync(20);
    expect(fired).toEqual(['short', 'x']);
    await vi.advanceTimersByTimeAsync(20);
    expect(fired).toEqual(['short', 'x', 'again']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sets no timer above 2^31-1 ms and unrefs it', () => {
    vi.useRealTimers();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const d = addDeadline(2 ** 31 - 1, () => {});
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(spy.mock.calls[0]?.[1]).toBe(2 ** 31 - 1);
    expect(timer.hasRef()).toBe(false);
    cancelDeadline(d);
    spy.mockRestore();
  });

  it('stays correct through compaction when most of a long queue is cancelled', async () => {
    const fired: number[] = [];
    const all = Array.from({ length: 500 }, (_, i) => addDeadline(100, () => fired.push(i)));
    for (const [i, d] of all.entries()) if (i % 10 !== 0) cancelDeadline(d);
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual(all.map((_, i) => i).filter((i) => i % 10 === 0));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('arms one real timer for thousands of overlapping deadlines and clears it when they settle', async () => {
    vi.useRealTimers();
    const set = vi.spyOn(globalThis, 'setTimeout');
    const clear = vi.spyOn(globalThis, 'clearTimeout');
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const deadlines = Array.from({ length: 5_000 }, () => addDeadline(30_000, () => {}));
    expect(timers()).toBe(before); // unref'd: never keeps the process alive
    expect(set).toHaveBeenCalledOnce();
    for (const d of deadlines.reverse()) cancelDeadline(d);
    expect(clear).toHaveBeenCalledOnce();
    expect(clear.mock.calls[0]?.[0]).toBe(set.mock.results[0]?.value);
    set.mockRestore();
    clear.mockRestore();
    const fired = vi.fn();
    addDeadline(5, fired);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toHaveBeenCalledOnce();
  });

  it('fires every deadline exactly at its time unless cancelled first (model check)', async () => {
    type Op = { add: number } | { cancel: number } | { advance: number };
    const op = fc.oneof(
      fc.record({ add: fc.constantFrom(10, 20, 35) }),
      fc.record({ cancel: fc.nat(40) }),
      fc.record({ advance: fc.integer({ min: 0, max: 25 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops: Op[]) => {
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
        const start = Date.now();
        const model: Array<{ due: number; cancelled: boolean; firedAt?: number; handle: Deadline }> = [];
        for (const o of ops) {
          if ('add' in o) {
            const entry = { due: Date.now() - start + o.add, cancelled: false } as (typeof model)[number];
            entry.handle = addDeadline(o.add, () => {
              entry.firedAt = Date.now() - start;
            });
            model.push(entry);
          } else if ('cancel' in o) {
            const entry = model[o.cancel];
            if (entry && entry.firedAt === undefined) {
              entry.cancelled = true;
              cancelDeadline(entry.handle);
            }
          } else {
            await vi.advanceTimersByTimeAsync(o.advance);
          }
        }
        await vi.advanceTimersByTimeAsync(100);
        for (const entry of model) {
          if (entry.cancelled) expect(entry.firedAt).toBeUndefined();
          else expect(entry.firedAt).toBe(entry.due);
        }
        expect(vi.getTimerCount()).toBe(0);
        vi.useRealTimers();
      }),
    );
  });
});
