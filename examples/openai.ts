import OpenAI from 'openai';
import { resilientFetch } from 'resilient-fetch';

// The SDK's own retries go off (`maxRetries: 0`): resilient-fetch retries below it, and two retrying layers
// multiply (3 attempts each: 9 requests). Its rules suit the API: a 429, 503 or 529 is retried although every
// call is a POST without Idempotency-Key (the server says it did not process it), `x-should-retry` is obeyed,
// a 429 about tokens waits for `x-ratelimit-reset-tokens` without holding back your other calls.
export function createOpenAI(options: { apiKey?: string; baseURL?: string } = {}): OpenAI {
  return new OpenAI({
    ...options,
    maxRetries: 0,
    // A non-streamed completion sends its headers only once it is complete, which can take minutes: the
    // attempt deadline must outlast the longest you accept (the SDK's own default is 10 minutes). A streamed
    // one is bounded only until its headers arrive; its body is read for as long as it lasts.
    fetch: resilientFetch({ attemptTimeout: 120_000, timeout: 300_000 }),
  });
}

/** One long call with deadlines of its own: `fetchOptions.resilience` reaches the pipeline. */
export async function summarise(openai: OpenAI, text: string): Promise<string> {
  const completion = await openai.chat.completions.create(
    { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: `Summarise:\n${text}` }] },
    { fetchOptions: { resilience: { attemptTimeout: 600_000, timeout: 900_000 } } },
  );
  return completion.choices[0]?.message.content ?? '';
}

/**
 * A streamed answer, shown as it comes (`onText`), that the user may stop: aborting `stop` ends the stream and
 * closes the connection, so the server stops generating.
 */
export async function streamAnswer(
  openai: OpenAI,
  question: string,
  stop: AbortSignal,
  onText: (text: string) => void,
): Promise<string> {
  const stream = await openai.chat.completions.create(
    { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: question }], stream: true },
    { signal: stop },
  );
  let answer = '';
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta.content ?? '';
    answer += text;
    onText(text);
  }
  return answer;
}
