import OpenAI from 'openai';
import { resilientFetch } from 'resilient-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiServer,
  after,
  failure,
  json,
  pressStop,
  printTable,
  type Row,
  showWaits,
  sse,
  startApi,
  waits,
} from './api-server.ts';

// The real OpenAI SDK, its own retries off (`maxRetries: 0`), over resilient-fetch, against a loopback server
// that answers as the API does: rate-limit headers, 5xx, `x-should-retry`, streamed completions.

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};
const chunk = (content: string) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  })}\n\n`;
const tokens = Array.from({ length: 8 }, (_, i) => chunk(`t${i} `));
const error = (message: string, type: string) => ({ error: { message, type, code: type } });
const ok = json(200, completion, { 'x-request-id': 'req_1' });

/** The headers of a 429 that is about tokens only: requests remain, tokens reset in a second. */
const tokensExhausted = {
  'x-ratelimit-limit-requests': '500',
  'x-ratelimit-remaining-requests': '499',
  'x-ratelimit-reset-requests': '120ms',
  'x-ratelimit-limit-tokens': '30000',
  'x-ratelimit-remaining-tokens': '0',
  'x-ratelimit-reset-tokens': '1s',
};

let api: ApiServer;
const rows: Row[] = [];
beforeAll(async () => {
  api = await startApi({
    tokens: [json(429, error('Rate limit reached for tokens', 'tokens'), tokensExhausted), ok],
    other: [ok],
    unavailable: [json(503, error('The server is overloaded', 'server_error')), ok],
    'server-error': [json(500, error('The server had an error', 'server_error')), ok],
    'should-retry-true': [json(500, error('retry me', 'server_error'), { 'x-should-retry': 'true' }), ok],
    'should-retry-false': [
      json(429, error('Quota exceeded', 'insufficient_quota'), { 'x-should-retry': 'false' }),
      ok,
    ],
    'slow-headers': [after(400, ok)],
    stream: [sse([...tokens, 'data: [DONE]\n\n'], 150)],
    stalled: [sse(tokens.slice(0, 3), 20, true)],
  });
});
afterAll(async () => {
  printTable('OpenAI SDK (openai, maxRetries: 0)', rows);
  await api.close();
});

const client = (id: string, options: Parameters<typeof resilientFetch>[0] = {}) =>
  new OpenAI({
    apiKey: 'sk-test',
    baseURL: api.base(id),
    maxRetries: 0,
    fetch: resilientFetch({ ...options, fetch: (input, init) => globalThis.fetch(input, init) }),
  });
const ask = (openai: OpenAI, options?: Parameters<OpenAI['chat']['completions']['create']>[1]) =>
  openai.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }, options);
describe('OpenAI SDK over resilientFetch', () => {
  it('a 429 about tokens waits for x-ratelimit-reset-tokens and holds back no other call', async () => {
    const openai = client('tokens');
    const first = ask(openai);
    while (api.hits('tokens') === 0) await new Promise((r) => setTimeout(r, 5));
    // Another call to the same origin goes out while the first waits: a quota reset is not a cool-down.
    const other = await ask(client('other'));
    expect(other.choices[0]?.message.content).toBe('hello');
    expect((await first).choices[0]?.message.content).toBe('hello');
    expect(api.hits('tokens')).toBe(2);
    expect(api.times('other')[0]).toBeLessThan(api.times('tokens')[1]!);
    expect(waits(api, 'tokens')[0]).toBeGreaterThanOrEqual(990);
    rows.push({
      scenario: '429, tokens exhausted (x-ratelimit-reset-tokens: 1s)',
      hits: 2,
      wait: showWaits(waits(api, 'tokens')),
      outcome: 'completion; a call to the same origin meanwhile went straight through',
    });
  });

  it('a 503 is retried: the server did not process the POST', async () => {
    const result = await ask(client('unavailable'));
    expect(result.choices[0]?.message.content).toBe('hello');
    expect(api.hits('unavailable')).toBe(2);
    rows.push({
      scenario: '503',
      hits: 2,
      wait: showWaits(waits(api, 'unavailable')),
      outcome: 'completion',
    });
  });

  it('a 500 is not retried: a POST without Idempotency-Key may have been processed', async () => {
    const e = await ask(client('server-error')).catch((e: unknown) => e);
    expect(e).toBeInstanceOf(OpenAI.InternalServerError);
    expect(api.hits('server-error')).toBe(1);
    rows.push({ scenario: '500', hits: 1, wait: '-', outcome: `${failure(e)} (not retried)` });
  });

  it('x-should-retry: true makes the 500 retryable', async () => {
    const result = await ask(client('should-retry-true'));
    expect(result.id).toBe('chatcmpl-1');
    expect(api.hits('should-retry-true')).toBe(2);
    rows.push({
      scenario: '500 with x-should-retry: true',
      hits: 2,
      wait: showWaits(waits(api, 'should-retry-true')),
      outcome: 'completion',
    });
  });

  it('x-should-retry: false forbids retrying the 429', async () => {
    const e = await ask(client('should-retry-false')).catch((e: unknown) => e);
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    expect(api.hits('should-retry-false')).toBe(1);
    rows.push({
      scenario: '429 with x-should-retry: false',
      hits: 1,
      wait: '-',
      outcome: `${failure(e)} (not retried)`,
    });
  });

  it('a completion slower than attemptTimeout is cut; a per-call attemptTimeout lets it finish', async () => {
    const openai = client('slow-headers', { attemptTimeout: 150 });
    const e = await ask(openai).catch((e: unknown) => e);
    expect(e).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(api.hits('slow-headers')).toBe(1);
    rows.push({
      scenario: 'completion takes 400 ms, attemptTimeout: 150',
      hits: 1,
      wait: '-',
      outcome: `${failure(e)} (TimeoutError; a POST timeout is not retried)`,
    });
    const result = await ask(openai, { fetchOptions: { resilience: { attemptTimeout: 5_000 } } });
    expect(result.id).toBe('chatcmpl-1');
    expect(api.hits('slow-headers')).toBe(2);
    rows.push({
      scenario: 'the same, fetchOptions: { resilience: { attemptTimeout: 5_000 } }',
      hits: 1,
      wait: '-',
      outcome: 'completion',
    });
  });

  it('a streamed completion longer than attemptTimeout is read to the end', async () => {
    const openai = client('stream', { attemptTimeout: 500 });
    const started = performance.now();
    const stream = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
    const elapsed = performance.now() - started;
    expect(text).toBe('t0 t1 t2 t3 t4 t5 t6 t7 ');
    expect(elapsed).toBeGreaterThan(1_000);
    rows.push({
      scenario: 'stream of 8 chunks, 150 ms apart, attemptTimeout: 500',
      hits: 1,
      wait: '-',
      outcome: `all 8 chunks in ${Math.round(elapsed)} ms`,
    });
  });

  it('the user pressing stop while the stream waits for the model closes the connection', async () => {
    // A chat UI's stop button: the caller's own signal, aborted while the loop awaits the next chunk.
    const user = new AbortController();
    const stream = await client('stalled').chat.completions.create(
      { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { signal: user.signal },
    );
    const { ended, counted, closeAfter } = await pressStop(
      stream,
      user,
      api.closed('stalled'),
      () => true,
      3,
    );
    expect(counted).toBe(3);
    expect(closeAfter).toBeGreaterThanOrEqual(0);
    console.log(`OpenAI stream: server saw close after ${closeAfter.toFixed(1)} ms`);
    rows.push({
      scenario: 'stream stalls after 3 chunks, user aborts its signal',
      hits: 1,
      wait: '-',
      outcome: `${ended}; server saw close after ${closeAfter.toFixed(1)} ms`,
    });
  });
});
