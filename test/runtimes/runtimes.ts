// Runs test/runtimes/scenarios.js in each runtime the package claims, each in its own process (or page) against
// its own scenario server (test/runtimes/server.ts, another process). Every runner resolves to what the runtime
// reported; none throws for a failing scenario, so one broken runtime still leaves the others' rows.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const here = join(root, 'test/runtimes');
const bin = (name: string) => join(root, 'node_modules/.bin', name);
const run = promisify(execFile);

/** One scenario's outcome in one runtime. */
export interface Cell {
  name: string;
  ok: boolean;
  detail: string;
  /** The runtime's own network error, as the circuit scenario saw it. */
  network?: string;
}

export interface RuntimeReport {
  /** The runtime and its version, e.g. `Deno 2.9.6`. */
  version: string;
  cells: Cell[];
  /** Why the runtime produced no results, when it did not. */
  failure?: string;
}

/** How long one runtime may take, start to end: the scenarios need about 1.5 s; a loaded machine, far more. */
const LIMIT = 90_000;

/** The built package must be there and newer than every source file: the scenarios test what users install. */
export function checkBuilt(): void {
  const built = join(root, 'dist/index.js');
  if (!existsSync(built))
    throw new Error('dist/index.js is missing: run `npm run build` first (npm test does)');
  const builtAt = statSync(built).mtimeMs;
  const stale = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && statSync(join(root, 'src', file)).mtimeMs > builtAt,
  );
  if (stale.length > 0) throw new Error(`dist/ is older than src/${stale[0]}: run \`npm run build\` first`);
}

/** A scenario server in its own process; it stops when killed, or when its standard input closes. */
async function startServer(): Promise<{ origin: string; stop(): void }> {
  const child = spawn(process.execPath, [join(here, 'server.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)\n/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`scenario server exited with ${code} before listening`)));
  });
  return {
    origin,
    // By its PID (ChildProcess.kill ignores a process that has just exited on its own).
    stop: () => void child.kill(),
  };
}

/** Gives each runner a server of its own and turns a runner's crash into a report without cells. */
async function withServer(
  version: string,
  runner: (origin: string) => Promise<RuntimeReport>,
): Promise<RuntimeReport> {
  const server = await startServer();
  try {
    return await runner(server.origin);
  } catch (error) {
    return { version, cells: [], failure: error instanceof Error ? error.message : String(error) };
  } finally {
    server.stop();
  }
}

/** Parses the `results {...}` line of test/runtimes/process.js. */
function parseResults(stdout: string): { version: string; results: Cell[] } | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('results '));
  return line === undefined ? undefined : JSON.parse(line.slice('results '.length));
}

/**
 * Runs test/runtimes/process.js with `command` and waits for the process to end by itself. A process still
 * running after `LIMIT` is killed (by its PID) and its last cell fails: something kept it alive.
 */
export function runProcess(version: string, command: string, args: string[]): Promise<RuntimeReport> {
  return withServer(version, async (origin) => {
    const child: ChildProcess = spawn(command, [...args, join(here, 'process.js'), origin], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let killed = false;
    const kill = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, LIMIT);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    });
    clearTimeout(kill);
    const parsed = parseResults(stdout);
    if (parsed === undefined) {
      const why = killed ? `still running after ${LIMIT} ms` : `exit ${code ?? signal}`;
      return { version, cells: [], failure: `no results (${why}): ${stderr.trim().slice(0, 500)}` };
    }
    const ended = killed
      ? `still running ${LIMIT} ms after it started: killed`
      : code === 0
        ? 'the process exited by itself (code 0)'
        : `the process exited with ${code ?? signal}: ${stderr.trim().slice(0, 300)}`;
    const cells = parsed.results.map((cell) =>
      cell.name === 'finishes by itself'
        ? { ...cell, ok: cell.ok && !killed && code === 0, detail: `${cell.detail}; ${ended}` }
        : cell,
    );
    return { version: parsed.version, cells };
  });
}

/** The Node 24 of devDependencies: vitest's own Node (npm puts node_modules/.bin first on PATH). */
export const node24 = () => runProcess(`Node ${process.versions.node}`, process.execPath, []);

/**
 * Node 20 from the npm registry: `node-<platform>-<arch>@20` (the binary the `node@20` package installs)
 * fetched once with npm into node_modules/.cache. It cannot be a devDependency next to Node 24: both would
 * link `node_modules/.bin/node`.
 */
export async function node20(): Promise<RuntimeReport> {
  const cache = join(root, 'node_modules/.cache/resilient-fetch/node20');
  const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const binary = join(cache, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(binary)) {
    const staging = `${cache}.${process.pid}`;
    const npm = process.env.npm_execpath;
    const [command, prefix] = npm?.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
    const args = [
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
    ];
    try {
      await run(command, [...prefix, ...args, `${pkg}@20`], { timeout: 300_000 });
      await rename(staging, cache);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(binary)) {
        const why = error instanceof Error ? error.message : String(error);
        return {
          version: 'Node 20',
          cells: [],
          failure: `could not fetch ${pkg}@20 from the npm registry: ${why}`,
        };
      }
    }
  }
  return runProcess('Node 20', binary, []);
}

export const deno = () =>
  runProcess('Deno', bin('deno'), [
    'run',
    '--quiet',
    '--no-config',
    '--no-lock',
    '--allow-net=127.0.0.1',
    `--allow-read=${root}`,
  ]);

export const bun = () => runProcess('Bun', bin('bun'), ['--no-install']);

/** The first of `names` found on PATH. */
export function onPath(names: string[]): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (dir !== '' && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

export const CHROMIUM = ['chromium', 'chromium-browser'];

/**
 * A Chromium on PATH; else, as root where apt-get exists, Debian's `chromium` installed once (and said so);
 * else an error naming what to install.
 */
export async function findChromium(log: (line: string) => void): Promise<string> {
  const found = onPath(CHROMIUM);
  if (found) return found;
  const aptGet = onPath(['apt-get']);
  if (process.getuid?.() !== 0 || aptGet === undefined) {
    throw new Error(
      "no Chromium on PATH (chromium or chromium-browser): install Debian's `chromium` package " +
        '(`apt-get install chromium`) or put a Chromium on PATH',
    );
  }
  log("No Chromium on PATH: installing Debian's `chromium` with apt-get (once).");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run(aptGet, ['update'], { env, timeout: 600_000 });
  await run(aptGet, ['install', '-y', '--no-install-recommends', 'chromium'], { env, timeout: 600_000 });
  const installed = onPath(CHROMIUM);
  if (!installed) throw new Error('apt-get installed chromium, yet no chromium is on PATH');
  return installed;
}

/** The launch arguments: no GPU, no QUIC, nothing in the background that talks to the network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless Chromium through playwright-core, with a fresh profile (`--user-data-dir`, which playwright takes
 * as launchPersistentContext's first argument). The page comes from the scenario server and runs the
 * scenarios against its own origin.
 */
export function chromium(executablePath: string): Promise<RuntimeReport> {
  return withServer('Chromium', async (origin) => {
    const { chromium: browserType } = await import('playwright-core');
    const profile = await mkdtemp(join(tmpdir(), 'resilient-fetch-chromium-'));
    const context = await browserType.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: LIMIT,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${origin}/`, { timeout: LIMIT });
      const done = await page
        .waitForFunction(() => (globalThis as { results?: unknown }).results, null, { timeout: LIMIT })
        .then(() => true)
        .catch(() => false);
      // The user agent says 150.0.0.0 only; the binary says which build it is.
      const { stdout } = await run(executablePath, ['--version']);
      const version = `Chromium ${/\d+(\.\d+)+/.exec(stdout)?.[0] ?? '?'}`;
      if (!done) return { version, cells: [], failure: `no results: ${errors.join('; ') || 'timed out'}` };
      const cells = await page.evaluate(() => (globalThis as unknown as { results: Cell[] }).results);
      return {
        version,
        cells: cells.map((cell) =>
          cell.name === 'finishes by itself' ? { ...cell, detail: `${cell.detail}; the page settled` } : cell,
        ),
      };
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  });
}

/**
 * workerd through miniflare (it runs workerd as its own process): the worker is test/runtimes/worker.js with
 * the built files as its modules, and it reaches the loopback server like any origin.
 */
export function workerd(): Promise<RuntimeReport> {
  const miniflareVersion = JSON.parse(readFileSync(join(root, 'node_modules/miniflare/package.json'), 'utf8'))
    .version as string;
  const version = `workerd (miniflare ${miniflareVersion})`;
  return withServer(version, async (origin) => {
    const { Miniflare } = await import('miniflare');
    const file = (path: string) => ({ type: 'ESModule' as const, path: join(root, path) });
    const built = readdirSync(join(root, 'dist')).filter((name) => name.endsWith('.js'));
    const mf = new Miniflare({
      modulesRoot: root,
      modules: [
        file('test/runtimes/worker.js'),
        file('test/runtimes/scenarios.js'),
        ...built.map((name) => file(`dist/${name}`)),
      ],
      compatibilityDate: '2025-06-01',
    });
    try {
      const response = await mf.dispatchFetch(`http://worker/?origin=${encodeURIComponent(origin)}`, {
        signal: AbortSignal.timeout(LIMIT),
      });
      if (!response.ok) return { version, cells: [], failure: `worker answered ${response.status}` };
      const cells = (await response.json()) as Cell[];
      return {
        version,
        cells: cells.map((cell) =>
          cell.name === 'finishes by itself'
            ? { ...cell, detail: `${cell.detail}; the request settled` }
            : cell,
        ),
      };
    } finally {
      await mf.dispose();
    }
  });
}
