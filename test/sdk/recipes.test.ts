import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropic, streamMessage } from '../../examples/anthropic.ts';
import { createOctokit, isPublic } from '../../examples/octokit.ts';
import { createOpenAI, streamAnswer, summarise } from '../../examples/openai.ts';
import { type ApiServer, json, sse, startApi } from './api-server.ts';

// The README's SDK recipes (examples/openai.ts, anthropic.ts, octokit.ts, shown verbatim in the README), run
// as written against loopback imitations of each API.

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4.1-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'short' }, finish_reason: 'stop' }],
};
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const message = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [],
  stop_reason: null,
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 0 },
};
const event = (type: string, data: object) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

let api: ApiServer;
beforeAll(async () => {
  api = await startApi({
    summarise: [
      json(429, { error: { message: 'slow down' } }, { 'retry-after-ms': '50' }),
      json(200, completion),
    ],
    'openai-stream': [sse([chunk('a'), chunk('b')], 10, true)],
    'anthropic-stream': [
      json(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      sse(
        [
          event('message_start', { message }),
          event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
          event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'hi' } }),
        ],
        10,
        true,
      ),
    ],
    repo: [json(502, { message: 'Server Error' }), json(200, { private: false })],
  });
});
afterAll(() => api.close());

/** Presses stop once `expected` has been shown: the stream then waits for more that never comes. */
const stopAt = (expected: string, stop: AbortController) => {
  let shown = '';
  return (text: string) => {
    shown += text;
    if (shown === expected) setTimeout(() => stop.abort(), 20);
  };
};

describe('README recipes: SDKs over resilient-fetch', () => {
  it('OpenAI: a 429 is retried under maxRetries: 0; per-call deadlines go through fetchOptions', async () => {
    const openai = createOpenAI({ apiKey: 'sk-test', baseURL: api.base('summarise') });
    expect(await summarise(openai, 'a long text')).toBe('short');
    expect(api.hits('summarise')).toBe(2);
  });

  it('OpenAI: the user stops a stream; the server sees the connection close', async () => {
    const stop = new AbortController();
    const openai = createOpenAI({ apiKey: 'sk-test', baseURL: api.base('openai-stream') });
    const closed = api.closed('openai-stream');
    const answer = await streamAnswer(openai, 'why?', stop.signal, stopAt('ab', stop));
    expect(answer).toBe('ab');
    await closed;
  });

  it('Anthropic: a 529 is retried; a stopped stream closes the connection', async () => {
    const stop = new AbortController();
    const anthropic = createAnthropic({ apiKey: 'sk-ant-test', baseURL: api.base('anthropic-stream') });
    const closed = api.closed('anthropic-stream');
    const text = await streamMessage(anthropic, 'hello', stop.signal, stopAt('hi', stop));
    expect(text).toBe('hi');
    expect(api.hits('anthropic-stream')).toBe(2);
    await closed;
  });

  it('Octokit: per-call options through a per-call request.fetch', async () => {
    const octokit = createOctokit(undefined, api.base('repo'));
    await expect(isPublic(octokit, 'o', 'r')).rejects.toMatchObject({ status: 502 });
    expect(api.hits('repo')).toBe(1);
    // The client's own calls keep the default retries.
    expect((await octokit.rest.repos.get({ owner: 'o', repo: 'r' })).data.private).toBe(false);
  });
});
