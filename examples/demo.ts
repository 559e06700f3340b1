// `npm run demo`: a live tour against a local flaky server (127.0.0.1 only, nothing to configure).
// DEMO_FAST=1 shortens the waits (Retry-After 1 s, recovery 0.5 s); NO_COLOR=1 turns colour off.
import { setTimeout as sleep } from 'node:timers/promises';
import { createMetrics, isCircuitOpenError, type ResilienceEvent, resilientFetch } from '../src/index.ts';
import { fleetScene, prepareFleet } from './demo/fleet-scene.ts';
import { bold, cyan, dim, green, red, say, scene, since, table, yellow } from './demo/print.ts';
import { startFlakyServer } from './demo/server.ts';
import { quotaScene, tailScene } from './demo/shaping.ts';

const fast = process.env.DEMO_FAST === '1';
const retryAfterSeconds = fast ? 1 : 2;
const recoveryTimeout = fast ? 500 : 2_000;

// Interrupted (Ctrl-C, or a timeout's SIGTERM): exit, so that 'exit' handlers stop the servers it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const server = await startFlakyServer(retryAfterSeconds);
const { origin } = server;
const metrics = createMetrics(); // every pipeline below reports to it; scene 5 prints it
// Openings count towards the quorum within recoveryTimeout: 1.5 s leaves room on a loaded machine.
const fleet = prepareFleet(server, 1_500); // the fleet scene's processes start while the others run

/** Feeds the metrics and narrates retries and circuit changes as they happen. */
function narrate(event: ResilienceEvent): void {
  metrics.onEvent(event);
  if (event.type === 'retry') {
    const why = event.status ? `status ${event.status}` : event.reason;
    say(yellow(`retry ${event.attempt} in ${Math.round(event.delay)} ms (after ${why})`));
  } else if (event.type === 'circuit-state') {
    say(cyan(`circuit ${event.from} → ${event.to}`));
  }
}

console.log(bold('resilient-fetch demo') + dim(` — flaky server on ${origin}`));

// 1 ─ Plain fetch gives up where the resilient one gets through.
scene(1, 'A flaky endpoint', 'It answers 503, then drops the connection, then 200.');
for (let call = 1; call <= 2; call++) {
  try {
    const response = await fetch(`${origin}/flaky/plain`);
    say(`plain fetch      → ${red(`${response.status}`)}`);
  } catch (error) {
    say(`plain fetch      → ${red(`${(error as Error).name}: ${(error as Error).message}`)}`);
  }
}
const api = resilientFetch({ onEvent: narrate });
const response = await api(`${origin}/flaky/resilient`);
say(`resilientFetch() → ${green(`${response.status}`)} ${await response.text()}`);
say(`server saw ${server.hits('/flaky/resilient')} requests for that one call`);

// 2 ─ A 429 with Retry-After: the wait is the server's, to the millisecond, without jitter.
scene(2, 'Rate limited', `The server answers 429 with Retry-After: ${retryAfterSeconds}.`);
let asked = 0;
const polite = resilientFetch({
  onEvent: narrate,
  retry: { onRetry: (_context, delay) => (asked = delay) },
});
const started = performance.now();
const limited = await polite(`${origin}/limited`);
say(`→ ${green(`${limited.status}`)} after ${since(started)} ms`);
say(`the wait was ${asked} ms: exactly Retry-After × 1000, not a jittered backoff`);

// 3 ─ An outage: the circuit opens, calls fail fast without reaching the server, then it recovers.
scene(
  3,
  'An outage',
  `/outage answers 503; the breaker opens after 3 failures, recovery after ${recoveryTimeout} ms.`,
);
server.down = true;
const guarded = resilientFetch({
  onEvent: narrate,
  circuitBreaker: { failureThreshold: 3, recoveryTimeout },
});
const failing = await guarded(`${origin}/outage`);
say(`call 1 → ${red(`${failing.status}`)} after ${server.hits('/outage')} attempts`);
const hitsWhileOpen = server.hits('/outage');
let retryAfter = 0;
for (let call = 2; call <= 6; call++) {
  const t = performance.now();
  try {
    await guarded(`${origin}/outage`);
  } catch (error) {
    if (!isCircuitOpenError(error)) throw error;
    retryAfter = error.retryAfter;
    say(`call ${call} → ${red('CircuitOpenError')} in ${since(t)} ms (trial calls in ${retryAfter} ms)`);
  }
}
say(`server requests during those 5 calls: ${bold(`${server.hits('/outage') - hitsWhileOpen}`)}`);
server.down = false;
say(green('the server recovers'));
await sleep(retryAfter);
const trial = await guarded(`${origin}/outage`);
say(`trial call → ${green(`${trial.status}`)}; circuit is ${guarded.circuitBreaker?.state(origin)}`);

// 4 ─ A burst during an outage: the retry budget keeps retries to a share of traffic.
const burst = 200;
scene(4, 'A retry storm', `${burst} concurrent calls to an endpoint that always answers 503 (breaker off).`);
for (const [name, budget] of [
  ['budget', undefined],
  ['no-budget', false],
] as const) {
  const storm = resilientFetch({ onEvent: metrics.onEvent, circuitBreaker: false, retry: { budget } });
  const t = performance.now();
  await Promise.all(Array.from({ length: burst }, () => storm(`${origin}/storm/${name}`)));
  const label = budget === false ? 'budget: false  ' : 'default budget ';
  say(
    `${label} → ${bold(`${server.hits(`/storm/${name}`)}`)} server requests for ${burst} calls (${since(t)} ms)`,
  );
}
// The default budget: 10 retries a second over a 10 s window (100) plus 10% of the calls (20).
say(
  dim(
    `budget: ${burst} calls + 100 reserve + 10% of ${burst} = ${burst + 100 + burst / 10} attempts at most`,
  ),
);
say(dim(`no budget: ${burst} calls × 3 attempts = ${burst * 3}`));

// 5 ─ What createMetrics() counted over the whole run.
scene(5, 'Metrics', 'createMetrics().snapshot() over every call above.');
const { averageDelay, ...counts } = metrics.snapshot();
table({ ...counts, averageDelay: `${Math.round(averageDelay)} ms` });

// 6, 7 ─ Traffic shaping: a quota the limiter stays under, a slow tail that hedging cuts.
await quotaScene(6, fast ? 20 : 40);
await tailScene(7, fast ? 200 : 400);

// 8 ─ Many processes: four of them and one Redis.
await fleetScene(8, server, 1_500, fleet);

await server.close();
