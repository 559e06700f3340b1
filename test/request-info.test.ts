import { describe, expect, it } from 'vitest';
import { redactUrl } from '../src/events.ts';
import { hasHeader, requestHeaders, requestMethod, requestSignal, requestUrl } from '../src/request-info.ts';

describe('request info', () => {
  it('reads url, method and signal from every input form', () => {
    const signal = new AbortController().signal;
    const request = new Request('http://a.test/x', { method: 'post', signal });
    expect(requestUrl('http://a.test/s')).toBe('http://a.test/s');
    expect(requestUrl(new URL('http://a.test/u'))).toBe('http://a.test/u');
    expect(requestUrl(request)).toBe('http://a.test/x');
    expect(requestMethod('http://a.test/')).toBe('GET');
    expect(requestMethod('http://a.test/', { method: 'put' })).toBe('PUT');
    expect(requestMethod(request)).toBe('POST');
    expect(requestMethod(request, { method: 'delete' })).toBe('DELETE');
    expect(requestSignal('http://a.test/', { signal })).toBe(signal);
    expect(requestSignal(request)).toBe(request.signal);
    expect(requestSignal(new URL('http://a.test/'))).toBeUndefined();
  });

  it('finds a header in every headers form, case-insensitively', () => {
    const header = (input: string | Request, init?: RequestInit) =>
      hasHeader(requestHeaders(input, init), 'idempotency-key');
    expect(header('u', { headers: { 'Idempotency-Key': 'a' } })).toBe(true);
    expect(header('u', { headers: [['IDEMPOTENCY-KEY', 'b']] })).toBe(true);
    expect(header('u', { headers: new Headers({ 'Idempotency-Key': 'c' }) })).toBe(true);
    expect(header(new Request('http://a.test/', { headers: { 'idempotency-key': 'd' } }))).toBe(true);
    expect(header('u')).toBe(false);
    expect(header('u', { headers: {} })).toBe(false);
    expect(header('u', { headers: { 'x-other': 'e' } })).toBe(false);
  });

  it('redacts query strings and fragments from event URLs', () => {
    expect(redactUrl('https://a.test/p?token=x#frag')).toBe('https://a.test/p');
    expect(redactUrl('https://a.test/p#frag')).toBe('https://a.test/p');
    expect(redactUrl('https://a.test/p')).toBe('https://a.test/p');
  });
});
