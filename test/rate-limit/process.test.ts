// A wait in the limiter is an ordinary timer: a plain script that awaits a queued call runs to its end,
// against the built package, in a process of its own.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

it('a script awaiting a queued call keeps running until it is sent', async () => {
  const script = join(tmpdir(), `rate-limit-wait-${process.pid}.mjs`);
  writeFileSync(
    script,
    `import { rateLimit } from ${JSON.stringify(dist)};
const fetch = rateLimit({ requests: 1, interval: 300 })(async () => new Response('ok'));
const started = Date.now();
await fetch('http://api.test/');
const second = await fetch('http://api.test/');
// The slot comes back 300 ms after the first call took it.
console.log('second', await second.text(), Date.now() - started >= 290);
`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 20_000 });
  expect(stdout.trim()).toBe('second ok true');
});
