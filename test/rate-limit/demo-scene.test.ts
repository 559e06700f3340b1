// The demo's quota scene tells the truth: against a server enforcing 10 calls a second, the limiter gets
// no 429 and completes every call, where retry alone collects 429s and gives some calls up.
import { expect, it, vi } from 'vitest';
import { quotaScene } from '../../examples/demo/shaping.ts';

it('rateLimit() gets zero 429s where retry alone gets many', async () => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  const figures = await quotaScene(6, 20);
  vi.restoreAllMocks();
  expect(figures.limited).toEqual({ refused: 0, completed: 20 });
  expect(figures.retryAlone.refused).toBeGreaterThanOrEqual(5);
});
