// Make every plain `fetch` in the process resilient, then put the original back.
import { installGlobal } from 'resilient-fetch';

export async function main(origin: string): Promise<number> {
  const uninstall = installGlobal({ retry: { limit: 3 }, attemptTimeout: 2_000 });
  try {
    const response = await fetch(`${origin}/flaky`); // retried on 503, with deadlines and a breaker
    return response.status;
  } finally {
    uninstall();
  }
}
