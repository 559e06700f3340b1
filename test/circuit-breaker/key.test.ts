import { describe, expect, it } from 'vitest';
import { originKey } from '../../src/circuit-breaker/key.ts';

describe('originKey', () => {
  it.each([
    ['https://api.example.com/v1/users?id=1', 'https://api.example.com'],
    ['HTTPS://API.Example.COM/x', 'https://api.example.com'],
    ['http://127.0.0.1:8080/a', 'http://127.0.0.1:8080'],
    ['http://a.test:80/', 'http://a.test'],
    ['https://a.test:443', 'https://a.test'],
    ['https://a.test:80/', 'https://a.test:80'],
    ['https://a.test?q=1', 'https://a.test'],
    ['https://a.test#frag', 'https://a.test'],
    ['https://user:secret@a.test/x', 'https://a.test'],
    ['http://[::1]:3000/x', 'http://[::1]:3000'],
    ['file:///etc/hosts', 'file://'],
    ['data:text/plain,hi', 'data:'],
    ['blob:https://a.test/uuid', 'blob:https://a.test'],
    ['/api/users', 'relative'],
    ['', 'relative'],
    // A `//` that does not follow a scheme is part of a path: no authority.
    ['/api//users', 'relative'],
    ['//cdn.test/x', 'relative'],
    ['a/b:c', 'relative'],
    [':x', 'relative'],
    ['mailto:ops@a.test', 'mailto:'],
    // WHATWG URL: a backslash ends the host of a special scheme, as a slash does.
    ['http://a.test\\path', 'http://a.test'],
    // Only the scheme's own default port is dropped, whatever the case.
    ['HTTPS://a.test:443/x', 'https://a.test'],
    ['Http://a.test:80', 'http://a.test'],
    ['redis://a.test:443', 'redis://a.test:443'],
    ['wss://a.test:80/x', 'wss://a.test:80'],
  ])('%s → %s', (url, key) => {
    expect(originKey(url)).toBe(key);
  });

  it('agrees with new URL().origin on ordinary URLs', () => {
    for (const url of ['https://Example.com:8443/p', 'http://x.test/', 'https://a.b.c.test:1/q?x#y']) {
      expect(originKey(url)).toBe(new URL(url).origin);
    }
  });
});
