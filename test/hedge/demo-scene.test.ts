// The demo's tail scene tells the truth: hedging keeps the slow answers out of the 99th percentile, for a
// few percent more requests.
import { expect, it, vi } from 'vitest';
import { tailScene } from '../../examples/demo/shaping.ts';

it('hedge() cuts the 99th percentile against a 5% slow tail', async () => {
  const slow = 600;
  vi.spyOn(console, 'log').mockImplementation(() => {});
  const figures = await tailScene(7, 200, slow);
  vi.restoreAllMocks();
  expect(figures.plain.p99).toBeGreaterThanOrEqual(slow);
  expect(figures.plain.requests).toBe(200);
  expect(figures.hedged.p99).toBeLessThan(slow * 0.7);
  // The slow 5% are hedged, and the calls just above the 95th percentile: well under the budget's 20%.
  expect(figures.hedged.requests).toBeGreaterThan(200);
  expect(figures.hedged.requests).toBeLessThan(200 * 1.2);
});
