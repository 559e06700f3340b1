import { type ChildProcess, execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A plain Node script against the built package (dist/, imported by its name as a user would), awaiting a
// call that must wait a second to retry, with the server in another process. A timer that does not keep the
// process alive would let Node exit in the middle of the wait: exit code 13 ("unsettled top-level await")
// or a silent 0 with `.then()`, the result never printed.

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const run = promisify(execFile);

let server: ChildProcess;
let origin = '';
const hits = new Map<string, number[]>();

beforeAll(async () => {
  if (!existsSync(`${root}dist/index.js`)) await run('npm', ['run', 'build'], { cwd: root });
  server = fork(fixture('server.mjs'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  server.on('message', (m: { hit?: string; at?: number }) => {
    if (m.hit) hits.set(m.hit, [...(hits.get(m.hit) ?? []), m.at!]);
  });
  const [message] = (await once(server, 'message')) as [{ port: number }];
  origin = `http://127.0.0.1:${message.port}`;
}, 60_000);
afterAll(async () => {
  const exited = once(server, 'exit');
  server.kill();
  await exited;
});

describe('a plain script awaiting a call that retries', () => {
  it.each([
    ['top-level await', 'top-level-await.mjs', '/tla'],
    ['.then()', 'then.mjs', '/then'],
  ])('%s: waits out Retry-After: 1, prints the result and exits 0', async (_, script, path) => {
    const started = Date.now();
    const child = execFile(process.execPath, [fixture(script), `${origin}${path}`], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const [code] = (await once(child, 'exit')) as [number];
    const elapsed = Date.now() - started;
    console.log(`${script}: exit code ${code} after ${elapsed} ms, stdout: ${JSON.stringify(stdout)}`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`200 hello from ${path}\n`);
    const [first, second] = hits.get(path)!;
    expect(hits.get(path)).toHaveLength(2);
    expect(second! - first!).toBeGreaterThanOrEqual(990);
  });
});
