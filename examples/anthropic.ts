import Anthropic from '@anthropic-ai/sdk';
import { resilientFetch } from 'resilient-fetch';

// As with OpenAI: the SDK's retries off, resilient-fetch's on. A 529 `overloaded_error` and a 429 (which
// carries `retry-after`) are retried, waiting as the server says; `x-should-retry: false` is obeyed.
export function createAnthropic(options: { apiKey?: string; baseURL?: string } = {}): Anthropic {
  return new Anthropic({
    ...options,
    maxRetries: 0,
    // Long non-streamed messages need a long attempt deadline; streamed ones only until their headers.
    fetch: resilientFetch({ attemptTimeout: 120_000, timeout: 300_000 }),
  });
}

/** A streamed message, shown as it comes (`onText`), stopped by aborting `stop` (the connection closes). */
export async function streamMessage(
  anthropic: Anthropic,
  prompt: string,
  stop: AbortSignal,
  onText: (text: string) => void,
): Promise<string> {
  const stream = await anthropic.messages.create(
    {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      messages: [{ role: 'user', content: prompt }],
      stream: true,
    },
    { signal: stop },
  );
  let text = '';
  for await (const event of stream) {
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
      text += event.delta.text;
      onText(event.delta.text);
    }
  }
  return text;
}
