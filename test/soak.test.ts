// The leak soak of `npm run soak`, at 50,000 calls: every call through the standard pipeline shares one caller
// signal, and once all have settled nothing may be left on it, no timer may be pending and no warning raised.
import { describe, expect, it } from 'vitest';
import { runSoak } from '../bench/soak/run-soak.ts';

/**
 * 40,000 measured calls (after a 10,000-call warm-up). A leak of one listener or one closure per call costs
 * well over 50 bytes, so 2 MB separates a leak from collector noise (measured noise: under 0.1 MB).
 */
const MAX_HEAP_GROWTH = 2 * 1024 * 1024;

describe('soak: 50,000 calls sharing one caller signal', () => {
  it('leaves no listener, no timer, no warning and no heap growth behind', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    const f = await runSoak({ calls: 50_000, warmUp: 10_000 });

    expect(f.abortListeners).toBe(0);
    expect(f.abortListenersPeak).toBeLessThanOrEqual(64);
    expect(f.pendingTimers).toBe(0);
    expect(f.activeTimeouts).toBe(0);
    expect(f.warnings).toEqual({});
    // vitest.config.ts starts workers with --expose-gc; should a runner not, only this figure is skipped.
    if (gc) expect(f.heapGrowth).toBeLessThan(MAX_HEAP_GROWTH);
    // The mix really went through every path: retries, give-ups, deadlines, an open circuit.
    expect(f.metrics.retries).toBeGreaterThan(0);
    expect(f.metrics.timeouts).toBeGreaterThan(0);
    expect(f.metrics.circuitOpens).toBeGreaterThan(0);
    expect(f.endings['200']).toBeGreaterThan(0);
    expect(f.endings.RetryExhaustedError).toBeGreaterThan(0);
  }, 60_000);
});
