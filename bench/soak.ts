// `npm run soak [calls]`: 1,000,000 calls (by default) through resilientFetch() on an in-memory transport, all
// sharing one caller signal, then checks that nothing was left behind. Exits non-zero when a check fails.
import { runSoak } from './soak/run-soak.ts';

const calls = Number(process.argv[2] ?? 1_000_000);
const MAX_HEAP_GROWTH = 5 * 1024 * 1024;

console.log(`soak: ${calls.toLocaleString('en')} calls, 64 in flight, one shared caller signal`);
const f = await runSoak({ calls });

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const checks: Array<[label: string, value: string, pass: boolean]> = [
  [
    'heap growth after GC (end − after warm-up)',
    f.heapGrowth === undefined ? 'not measured: run with --expose-gc' : `${mb(f.heapGrowth)} (limit 5 MB)`,
    f.heapGrowth !== undefined && f.heapGrowth < MAX_HEAP_GROWTH,
  ],
  ['abort listeners left on the shared signal', String(f.abortListeners), f.abortListeners === 0],
  ['active timers left (getActiveResourcesInfo)', String(f.activeTimeouts), f.activeTimeouts === 0],
  ['timers pending, unref’d included', String(f.pendingTimers), f.pendingTimers === 0],
  [
    'TimeoutOverflowWarning',
    String(f.warnings.TimeoutOverflowWarning ?? 0),
    !f.warnings.TimeoutOverflowWarning,
  ],
  [
    'MaxListenersExceededWarning',
    String(f.warnings.MaxListenersExceededWarning ?? 0),
    !f.warnings.MaxListenersExceededWarning,
  ],
];

for (const [label, value, pass] of checks) console.log(`${pass ? 'PASS' : 'FAIL'}  ${label}: ${value}`);
console.log(`      abort listeners at peak: ${f.abortListenersPeak}`);
console.log(`      throughput: ${Math.round(f.callsPerSecond).toLocaleString('en')} calls/s (after warm-up)`);
console.log(`      calls ended: ${JSON.stringify(f.endings)}`);
console.log(`      attempts answered: ${JSON.stringify(f.answered)}`);
const m = f.metrics;
console.log(
  `      events: ${m.attempts} attempts, ${m.retries} retries, ${m.giveUps} give-ups, ${m.timeouts} timeouts, ` +
    `${m.circuitOpens} circuit opens, ${m.circuitRejections} rejections, ${m.budgetExhausted} budget refusals`,
);
const failed = checks.filter(([, , pass]) => !pass).length;
console.log(failed === 0 ? 'PASS' : `FAIL (${failed} checks)`);
process.exitCode = failed === 0 ? 0 : 1;
