// `npm run demo` is the first thing a newcomer runs: it must finish on its own, exit 0 and tell its story.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { watchLateness } from './helpers/noise.ts';
import { findRedisServer } from './helpers/redis-server.ts';

const demo = fileURLToPath(new URL('../examples/demo.ts', import.meta.url));

it('runs the demo to the end with the story it promises', async () => {
  // How late this process runs while the demo does: the demo's own timings are bounded by it.
  const lateness = watchLateness();
  const { stdout } = await promisify(execFile)(process.execPath, [demo], {
    env: { ...process.env, DEMO_FAST: '1', NO_COLOR: '1' },
    timeout: 150_000,
  }).finally(() => lateness.stop());
  expect(stdout).not.toContain('\u001b['); // no colour when not a terminal
  // 1: plain fetch fails, the resilient one gets through after a 503 and a dropped connection.
  expect(stdout).toMatch(/plain fetch +→ 503/);
  expect(stdout).toMatch(/plain fetch +→ TypeError/);
  expect(stdout).toMatch(/retry 2 in \d+ ms \(after network-error\)/);
  expect(stdout).toMatch(/resilientFetch\(\) → 200/);
  // 2: Retry-After honoured exactly.
  expect(stdout).toMatch(/retry 1 in 1000 ms \(after status 429\)/);
  expect(stdout).toMatch(/the wait was 1000 ms/);
  // 3: the circuit opens, refuses without touching the server, and closes after a trial call.
  expect(stdout).toMatch(/circuit closed → open/);
  // A refusal is local work (the server count below proves it sent nothing): well under 50 ms, plus however
  // late the busy machine ran the demo.
  const refusal = Number(/call 6 → CircuitOpenError in (\d+) ms/.exec(stdout)?.[1]);
  expect(refusal).toBeLessThanOrEqual(50 + 2 * lateness.worst);
  expect(stdout).toMatch(/server requests during those 5 calls: 0/);
  expect(stdout).toMatch(/circuit open → half-open/);
  expect(stdout).toMatch(/circuit half-open → closed/);
  // 4: the budget caps the storm (at most 200 + 100 + 20 attempts), without it every call makes 3.
  const budgeted = Number(/default budget +→ (\d+) server requests/.exec(stdout)?.[1]);
  expect(budgeted).toBeGreaterThan(200);
  expect(budgeted).toBeLessThanOrEqual(320);
  expect(stdout).toMatch(/budget: false +→ 600 server requests/);
  // 5: the metrics table.
  expect(stdout).toMatch(/circuitOpens +1\n/);
  expect(stdout).toMatch(/circuitRejections +5\n/);
  // 8: four processes, one Redis: two find the outage, two never send a failing request; Redis stops and no
  // call fails because of it.
  if (findRedisServer()) {
    expect(stdout).toMatch(/process 1: 3 calls → 503 503 503, 3 reached the server/);
    expect(stdout).toMatch(/process 4: 3 calls → refused refused refused, 0 reached the server/);
    expect(stdout).toMatch(/server requests during the outage: 6 /);
    expect(stdout).toMatch(/each process calls again → 200 200 200 200/);
    expect(stdout).toMatch(/store-error events: 4 \(one per process\), calls failed because of Redis: 0/);
  } else {
    expect(stdout).toMatch(/skipped: redis-server was not found on PATH/);
  }
}, 150_000); // about 10 s idle, eight scenes and child processes: far longer with the machine busy
