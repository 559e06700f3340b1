import { describe, expect, it } from 'vitest';
import { compose } from '../src/compose.ts';
import type { Middleware } from '../src/types.ts';
import { scripted } from './helpers/fake-transport.ts';

function tag(name: string, log: string[]): Middleware {
  return (next) => async (input, init) => {
    log.push(`>${name}`);
    const response = await next(input, init);
    log.push(`<${name}`);
    return response;
  };
}

describe('compose', () => {
  it('runs the first middleware outermost', async () => {
    const log: string[] = [];
    const transport = scripted(200);
    const fetch = compose(tag('a', log), tag('b', log), tag('c', log))(transport);
    const response = await fetch('http://x.test/');
    expect(response.status).toBe(200);
    expect(log).toEqual(['>a', '>b', '>c', '<c', '<b', '<a']);
  });

  it('is a(b(t))', async () => {
    const log: string[] = [];
    const a = tag('a', log);
    const b = tag('b', log);
    const transport = scripted(204);
    await compose(a, b)(transport)('http://x.test/');
    const composedLog = log.splice(0);
    await a(b(transport))('http://x.test/');
    expect(log).toEqual(composedLog);
  });

  it('with no middleware returns the transport itself', async () => {
    const transport = scripted(200);
    expect(compose()(transport)).toBe(transport);
  });

  it('lets a middleware call next more than once', async () => {
    const twice: Middleware = (next) => async (input, init) => {
      await next(input, init);
      return next(input, init);
    };
    const transport = scripted(500, 200);
    const response = await compose(twice)(transport)('http://x.test/');
    expect(response.status).toBe(200);
    expect(transport.calls).toHaveLength(2);
  });

  it('rejects a non-function with a TypeError naming its position', () => {
    expect(() => compose(tag('a', []), 42 as unknown as Middleware)).toThrow(
      new TypeError('compose: middleware at position 1 must be a function, got 42'),
    );
    expect(() => compose()(undefined as never)).toThrow(TypeError);
  });
});
