import { describe, expect, it, vi } from 'vitest';
import type { ResilienceEvent } from '../src/events.ts';
import { fallback } from '../src/fallback.ts';
import { hanging, networkError, scripted } from './helpers/fake-transport.ts';

const stale = () => new Response('stale', { headers: { 'x-stale': '1' } });

describe('fallback', () => {
  it('answers with the handler when the call fails with an error', async () => {
    const handler = vi.fn(stale);
    const error = networkError();
    const response = await fallback(handler)(scripted(error))('http://x.test/a?k=v', { method: 'GET' });
    expect(await response.text()).toBe('stale');
    expect(handler).toHaveBeenCalledWith({ error, input: 'http://x.test/a?k=v', init: { method: 'GET' } });
  });

  it('answers with the handler for a response marked failed (default: status >= 500) and frees its body', async () => {
    let cancelled = false;
    const body = new ReadableStream({
      cancel() {
        cancelled = true;
      },
    });
    const handler = vi.fn(stale);
    const response = await fallback(handler)(scripted(() => new Response(body, { status: 503 })))(
      'http://x.test/',
    );
    expect(response.headers.get('x-stale')).toBe('1');
    expect((handler.mock.calls[0] as unknown as [{ response: Response }])[0].response.status).toBe(503);
    await Promise.resolve();
    expect(cancelled).toBe(true);
  });

  it('passes successful and client-error responses through untouched', async () => {
    const handler = vi.fn(stale);
    const ok = new Response('fresh');
    expect(await fallback(handler)(scripted(() => ok))('http://x.test/')).toBe(ok);
    expect((await fallback(handler)(scripted(404))('http://x.test/')).status).toBe(404);
    expect(handler).not.toHaveBeenCalled();
  });

  it('uses `when` to decide which responses failed', async () => {
    const stage = fallback(stale, { when: (r) => r.status === 404 });
    expect(await (await stage(scripted(404))('http://x.test/')).text()).toBe('stale');
    expect((await stage(scripted(500))('http://x.test/')).status).toBe(500);
  });

  it("never swallows the caller's abort", async () => {
    const handler = vi.fn(stale);
    const caller = new AbortController();
    const call = fallback(handler)(hanging())('http://x.test/', { signal: caller.signal });
    const reason = new Error('user left');
    caller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(handler).not.toHaveBeenCalled();
  });

  it('keeps the failing response when the handler returns it, and reports fallback events', async () => {
    const events: ResilienceEvent[] = [];
    const stage = fallback(({ response }) => response!, { onEvent: (e) => events.push(e) });
    const response = await stage(scripted(502))('http://x.test/p?token=x');
    expect(response.status).toBe(502);
    await stage(scripted(networkError()))('http://x.test/q', { method: 'put' }).catch(() => {});
    expect(events).toEqual([
      { type: 'fallback', url: 'http://x.test/p', method: 'GET', status: 502 },
      { type: 'fallback', url: 'http://x.test/q', method: 'PUT', error: 'TypeError' },
    ]);
  });

  it('rejects bad arguments at construction', () => {
    expect(() => fallback(undefined as never)).toThrow('fallback: handler must be a function, got undefined');
    expect(() => fallback(stale, { when: 500 as never })).toThrow(
      'fallback: when must be a function, got 500',
    );
  });

  it('leaves the body of a failing response the handler returns readable', async () => {
    const response = await fallback(({ response }) => response!)(
      scripted(() => new Response('upstream says no', { status: 500 })),
    )('http://x.test/');
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('upstream says no');
  });

  it('names a rejection that carries no error name "Error" in its event', async () => {
    const events: ResilienceEvent[] = [];
    const stage = fallback(stale, { onEvent: (e) => events.push(e) });
    await stage(scripted(() => Promise.reject(undefined)))('http://x.test/');
    expect(events).toEqual([{ type: 'fallback', url: 'http://x.test/', method: 'GET', error: 'Error' }]);
  });

  it('names the option in errors', () => {
    expect(() => fallback(stale, 1 as never)).toThrow('fallback: options must be an options object, got 1');
    expect(() => fallback(stale, { onEvent: 1 as never })).toThrow(
      'fallback: onEvent must be a function, got 1',
    );
  });
});
