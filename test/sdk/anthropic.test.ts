import Anthropic from '@anthropic-ai/sdk';
import { resilientFetch } from 'resilient-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiServer,
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

// The real Anthropic SDK, its own retries off (`maxRetries: 0`), over resilient-fetch, against a loopback
// server that answers as the API does: 529 overloaded, 429 with retry-after and anthropic-ratelimit-*
// headers, x-should-retry, streamed messages.

const message = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-test',
  content: [{ type: 'text', text: 'hello' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 1 },
};
const ok = json(200, message, { 'request-id': 'req_1' });
const error = (type: string, text: string) => ({ type: 'error', error: { type, message: text } });
const event = (type: string, data: object) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const start = [
  event('message_start', { message: { ...message, content: [], stop_reason: null } }),
  event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
];
const delta = (text: string) =>
  event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
const end = [
  event('content_block_stop', { index: 0 }),
  event('message_delta', {
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 8 },
  }),
  event('message_stop', {}),
];
const deltas = Array.from({ length: 8 }, (_, i) => delta(`t${i} `));

const rateLimited = () => {
  const reset = new Date(Date.now() + 1_000).toISOString();
  return {
    'retry-after': '1',
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '0',
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-tokens-limit': '40000',
    'anthropic-ratelimit-tokens-remaining': '39000',
    'anthropic-ratelimit-tokens-reset': reset,
  };
};

let api: ApiServer;
const rows: Row[] = [];
beforeAll(async () => {
  api = await startApi({
    overloaded: [json(529, error('overloaded_error', 'Overloaded')), ok],
    'rate-limited': [
      (req, res) => json(429, error('rate_limit_error', 'Rate limited'), rateLimited())(req, res),
      ok,
    ],
    'should-retry-false': [
      json(529, error('overloaded_error', 'Overloaded'), { 'x-should-retry': 'false' }),
      ok,
    ],
    stream: [sse([...start, ...deltas, ...end], 100)],
    stalled: [sse([...start, delta('t0 '), delta('t1 ')], 20, true)],
  });
});
afterAll(async () => {
  printTable('Anthropic SDK (@anthropic-ai/sdk, maxRetries: 0)', rows);
  await api.close();
});

const client = (id: string, options: Parameters<typeof resilientFetch>[0] = {}) =>
  new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: api.base(id),
    maxRetries: 0,
    fetch: resilientFetch({ ...options, fetch: (input, init) => globalThis.fetch(input, init) }),
  });
const body = { model: 'claude-test', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };
describe('Anthropic SDK over resilientFetch', () => {
  it('a 529 overloaded is retried', async () => {
    const result = await client('overloaded').messages.create(body);
    expect(result.content[0]).toMatchObject({ text: 'hello' });
    expect(api.hits('overloaded')).toBe(2);
    rows.push({
      scenario: '529 overloaded_error',
      hits: 2,
      wait: showWaits(waits(api, 'overloaded')),
      outcome: 'message',
    });
  });

  it('a 429 waits for its retry-after', async () => {
    const result = await client('rate-limited').messages.create(body);
    expect(result.id).toBe('msg_1');
    expect(api.hits('rate-limited')).toBe(2);
    expect(waits(api, 'rate-limited')[0]).toBeGreaterThanOrEqual(990);
    rows.push({
      scenario: '429, retry-after: 1, anthropic-ratelimit-requests-remaining: 0',
      hits: 2,
      wait: showWaits(waits(api, 'rate-limited')),
      outcome: 'message',
    });
  });

  it('x-should-retry: false forbids retrying the 529', async () => {
    const e = await client('should-retry-false')
      .messages.create(body)
      .catch((e: unknown) => e);
    expect(e).toBeInstanceOf(Anthropic.InternalServerError);
    expect(api.hits('should-retry-false')).toBe(1);
    rows.push({
      scenario: '529 with x-should-retry: false',
      hits: 1,
      wait: '-',
      outcome: `${failure(e)} (not retried)`,
    });
  });

  it('a streamed message longer than attemptTimeout is read to the end', async () => {
    const started = performance.now();
    const stream = await client('stream', { attemptTimeout: 500 }).messages.create({ ...body, stream: true });
    let text = '';
    for await (const part of stream) {
      if (part.type === 'content_block_delta' && part.delta.type === 'text_delta') text += part.delta.text;
    }
    const elapsed = performance.now() - started;
    expect(text).toBe('t0 t1 t2 t3 t4 t5 t6 t7 ');
    expect(elapsed).toBeGreaterThan(1_000);
    rows.push({
      scenario: 'stream of 13 events, 100 ms apart, attemptTimeout: 500',
      hits: 1,
      wait: '-',
      outcome: `whole message in ${Math.round(elapsed)} ms`,
    });
  });

  it('the user pressing stop while the stream waits for the model closes the connection', async () => {
    const user = new AbortController();
    const stream = await client('stalled').messages.create(
      { ...body, stream: true },
      { signal: user.signal },
    );
    const isDelta = (part: { type: string }) => part.type === 'content_block_delta';
    const { ended, counted, closeAfter } = await pressStop(stream, user, api.closed('stalled'), isDelta, 2);
    expect(counted).toBe(2);
    expect(closeAfter).toBeGreaterThanOrEqual(0);
    console.log(`Anthropic stream: server saw close after ${closeAfter.toFixed(1)} ms`);
    rows.push({
      scenario: 'stream stalls after 2 deltas, user aborts its signal',
      hits: 1,
      wait: '-',
      outcome: `${ended}; server saw close after ${closeAfter.toFixed(1)} ms`,
    });
  });
});
