// How an app's own test suite checks its retries with msw 3 and fake timers: no real waiting, no network.
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { createMetrics, resilientFetch } from 'resilient-fetch';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';

// The app code under test: a client built once, at import time, on the global fetch.
const metrics = createMetrics();
const api = resilientFetch({ onEvent: metrics.onEvent, retry: { limit: 3 } });
async function loadUser(id: number): Promise<{ name: string }> {
  const response = await api(`https://api.example.com/users/${id}`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json() as Promise<{ name: string }>;
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  metrics.reset();
  vi.useRealTimers();
});
afterAll(() => server.close());

it('retries a 503 with backoff and returns the user', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  let calls = 0;
  server.use(
    http.get('https://api.example.com/users/:id', () => {
      calls++;
      return calls < 3 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json({ name: 'Ada' });
    }),
  );
  const user = loadUser(1);
  // Let each backoff elapse instantly (in steps well under the 30 s total deadline).
  while (calls < 3) await vi.advanceTimersByTimeAsync(1_000);
  await expect(user).resolves.toEqual({ name: 'Ada' });
  expect(calls).toBe(3);
  expect(metrics.snapshot()).toMatchObject({ requests: 1, retries: 2, successesAfterRetry: 1 });
});

it('honours Retry-After exactly (it is not jittered)', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  let calls = 0;
  server.use(
    http.get('https://api.example.com/users/:id', () => {
      calls++;
      return calls === 1
        ? new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } })
        : HttpResponse.json({ name: 'Grace' });
    }),
  );
  const user = loadUser(2);
  await vi.advanceTimersByTimeAsync(6_999);
  expect(calls).toBe(1);
  await vi.advanceTimersByTimeAsync(1);
  await expect(user).resolves.toEqual({ name: 'Grace' });
});

it('turns a network error into a retry, then gives up with the last response', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  let calls = 0;
  server.use(
    http.get('https://api.example.com/users/:id', () => {
      calls++;
      return calls === 1 ? HttpResponse.error() : new HttpResponse(null, { status: 500 });
    }),
  );
  const user = loadUser(3);
  const settled = expect(user).rejects.toThrow('HTTP 500');
  while (calls < 4) await vi.advanceTimersByTimeAsync(1_000);
  await settled;
  expect(metrics.snapshot()).toMatchObject({ attempts: 4, giveUps: 1 });
});
