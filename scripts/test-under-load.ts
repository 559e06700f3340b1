// Runs `npm test` N times in a row (default 10) while a CPU hog keeps every core busy, and prints one line per
// run and a summary: a test whose timing only holds on an idle machine fails here first.
//
//   npm run test:load              10 runs of `npm test`
//   npm run test:load -- 3         3 runs
//   npm run test:load -- 5 npm exec -- vitest run test/chaos     5 runs of another command
//
// Each run's output goes to reports/under-load/run-N.log; the failed tests are read from reports/vitest.json,
// which `npm test` writes. Exit code 1 when any run failed.

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const [count = '10', ...rest] = process.argv.slice(2);
const runs = Number(count);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`test-under-load: runs must be a positive integer, got ${count}`);
  process.exit(2);
}
const [command, ...args] = rest.length > 0 ? rest : ['npm', 'test'];
const logs = join(root, 'reports/under-load');
const report = join(root, 'reports/vitest.json');
mkdirSync(logs, { recursive: true });

// One busy loop per core, each its own process; stopped by PID at the end or on an interrupt.
const cores = availableParallelism();
const hogs: ChildProcess[] = Array.from({ length: cores }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
const stopHogs = () => {
  for (const hog of hogs) hog.kill();
};
/** The run in progress: its own process group, so that an interrupt stops the whole `npm test` tree. */
let current: ChildProcess | undefined;
process.once('SIGINT', () => {
  stopHogs();
  if (current?.pid !== undefined && current.exitCode === null) process.kill(-current.pid, 'SIGTERM');
  process.exit(130);
});

/** Full names of the failed tests in vitest's JSON report, if this run wrote one. */
function failedTests(): string[] {
  if (!existsSync(report)) return [];
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    testResults: Array<{ name: string; assertionResults: Array<{ status: string; fullName: string }> }>;
  };
  return json.testResults.flatMap((file) =>
    file.assertionResults
      .filter((test) => test.status === 'failed')
      .map((test) => `${file.name.slice(root.length)} › ${test.fullName}`),
  );
}

function runOnce(n: number): Promise<{ ok: boolean; seconds: number; failed: string[]; tail: string }> {
  rmSync(report, { force: true });
  const log = createWriteStream(join(logs, `run-${n}.log`));
  const started = performance.now();
  let tail = '';
  return new Promise((resolve) => {
    const child = spawn(command!, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      detached: true,
    });
    current = child;
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      tail = (tail + chunk.toString()).slice(-2_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('close', (code) => {
      log.end();
      const seconds = (performance.now() - started) / 1000;
      resolve({ ok: code === 0, seconds, failed: code === 0 ? [] : failedTests(), tail });
    });
  });
}

console.log(
  `${runs} runs of \`${[command, ...args].join(' ')}\` with ${cores} busy-loop processes on ${cores} cores`,
);
const results = [];
for (let n = 1; n <= runs; n++) {
  const result = await runOnce(n);
  results.push(result);
  const what = result.ok
    ? 'pass'
    : `FAIL: ${result.failed.length > 0 ? result.failed.join('; ') : result.tail.trim().split('\n').slice(-3).join(' / ')}`;
  console.log(
    `run ${n}/${runs}: ${what} (${result.seconds.toFixed(0)} s; log reports/under-load/run-${n}.log)`,
  );
}
stopHogs();
const passed = results.filter((r) => r.ok).length;
const slowest = Math.max(...results.map((r) => r.seconds));
console.log(`${passed}/${runs} passed under load; slowest run ${slowest.toFixed(0)} s`);
process.exitCode = passed === runs ? 0 : 1;
