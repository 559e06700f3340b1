// Compiled against the built package (dist/*.d.ts) as a user's project would see it.
import {
  compose,
  type FetchLike,
  type ResilienceRequestOptions,
  TimeoutError,
  timeout,
} from 'resilient-fetch';

const transport: FetchLike = (input, init) => fetch(input, init);
const wrapped: FetchLike = compose(timeout(1_000))(transport);
const options: ResilienceRequestOptions = { timeout: 500 };
void wrapped('http://127.0.0.1/', { resilience: options });
void fetch('http://127.0.0.1/', { resilience: { attemptTimeout: false } });
// @ts-expect-error a misspelled per-request option does not compile
void fetch('http://127.0.0.1/', { resilience: { timeOut: 5 } });
export const error: Error = new TimeoutError(1);
