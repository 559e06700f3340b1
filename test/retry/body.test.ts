import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { replayOf } from '../../src/retry/body.ts';

describe('replayOf: what replaying a body takes', () => {
  it('needs nothing for bodies fetch reads afresh on every call, or no body', () => {
    for (const body of [
      'text',
      new URLSearchParams('a=1'),
      new Blob(['x']),
      new ArrayBuffer(4),
      new Uint8Array(2),
    ]) {
      expect(replayOf('http://x.test/', { method: 'PUT', body })).toBe('none');
    }
    expect(replayOf('http://x.test/', { body: null })).toBe('none');
    expect(replayOf('http://x.test/', undefined)).toBe('none');
    expect(replayOf(new URL('http://x.test/'), {})).toBe('none');
  });

  it('cannot replay a stream: a ReadableStream or an async iterable such as a Node stream', () => {
    expect(replayOf('http://x.test/', { body: new ReadableStream() })).toBe('not-replayable');
    expect(replayOf('http://x.test/', { body: Readable.from(['a']) as never })).toBe('not-replayable');
  });

  it('clones a Request input that has a body, unless init.body replaces it', () => {
    const withBody = new Request('http://x.test/', { method: 'PUT', body: 'x' });
    expect(replayOf(withBody, undefined)).toBe('clone');
    expect(replayOf(withBody, { body: null })).toBe('clone');
    expect(replayOf(withBody, { body: 'y' })).toBe('none');
    expect(replayOf(new Request('http://x.test/'), undefined)).toBe('none');
  });
});
