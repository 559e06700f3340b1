import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import { installGlobal } from '../../src/install-global.ts';

const original = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = original;
});

function flakyServer() {
  let calls = 0;
  const server = setupServer(
    http.get('http://api.test/flaky', () => {
      calls++;
      return calls < 3 ? new HttpResponse(null, { status: 503 }) : HttpResponse.text('ok');
    }),
  );
  return { server, calls: () => calls };
}

const options = { retry: { backoff: () => 0 } };

describe('installGlobal', () => {
  it('wraps the global fetch and restores the very same function', () => {
    const uninstall = installGlobal();
    expect(globalThis.fetch).not.toBe(original);
    uninstall();
    expect(globalThis.fetch).toBe(original);
  });

  it('works when msw started before it', async () => {
    const { server, calls } = flakyServer();
    server.listen({ onUnhandledFrame: 'error' });
    const uninstall = installGlobal(options);
    try {
      expect(await (await fetch('http://api.test/flaky')).text()).toBe('ok');
      expect(calls()).toBe(3);
    } finally {
      uninstall();
      server.close();
    }
  });

  it('works when msw started after it, and uninstalling leaves msw working', async () => {
    const { server, calls } = flakyServer();
    const uninstall = installGlobal(options);
    server.listen({ onUnhandledFrame: 'error' });
    try {
      expect(await (await fetch('http://api.test/flaky')).text()).toBe('ok');
      expect(calls()).toBe(3);
      uninstall();
      // msw still answers; the installed layer is now a plain pass-through (no retries).
      server.resetHandlers(http.get('http://api.test/once', () => new HttpResponse(null, { status: 503 })));
      expect((await fetch('http://api.test/once')).status).toBe(503);
    } finally {
      server.close();
    }
    // msw put back what it wrapped (the uninstalled layer); its next call hands the global back.
    expect(await (await fetch('data:,back')).text()).toBe('back');
    expect(globalThis.fetch).toBe(original);
  });

  it('refuses options.fetch and a missing global fetch', () => {
    expect(() => installGlobal({ fetch } as never)).toThrow(/^installGlobal: fetch must be absent/);
    globalThis.fetch = undefined as never;
    expect(() => installGlobal()).toThrow(
      'installGlobal: globalThis.fetch must be a function, got undefined',
    );
  });
});
