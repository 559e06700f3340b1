// The package as users get it: `npm pack` ships only what it should, and the built entry points import.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const [pack] = JSON.parse(
  execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }),
) as [{ files: { path: string }[] }];
const allowed = /^(dist\/.+\.(js|d\.ts)|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/;
const unexpected = pack.files.map((f) => f.path).filter((p) => !allowed.test(p));
assert.deepEqual(unexpected, [], `npm pack would ship unexpected files: ${unexpected.join(', ')}`);
for (const required of [
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'package.json',
  'dist/index.js',
  'dist/index.d.ts',
]) {
  assert.ok(
    pack.files.some((f) => f.path === required),
    `npm pack is missing ${required}`,
  );
}

// Self-reference through the exports map: what `import 'resilient-fetch'` gives a user.
// A computed specifier: type-checking must not need dist/, which only exists after the build.
const self = 'resilient-fetch';
const api: Record<string, unknown> = await import(self);
for (const name of [
  'compose',
  'timeout',
  'exponentialBackoff',
  'TimeoutError',
  'CircuitOpenError',
  'RetryExhaustedError',
]) {
  assert.equal(typeof api[name], 'function', `resilient-fetch does not export ${name}`);
}
const kyEntry = 'resilient-fetch/ky';
const kyApi: Record<string, unknown> = await import(kyEntry);
for (const name of ['kyResilience', 'kyHooks']) {
  assert.equal(typeof kyApi[name], 'function', `resilient-fetch/ky does not export ${name}`);
}
const redisEntry = 'resilient-fetch/redis';
const redisApi: Record<string, unknown> = await import(redisEntry);
assert.equal(typeof redisApi.redisStore, 'function', 'resilient-fetch/redis does not export redisStore');
// The published types are the API: no internal class, type or symbol member may reach them.
const INTERNAL = [
  'Circuit',
  'Permit',
  'Gate',
  'BreakerCore',
  'Registry',
  'Strategy',
  'Policy',
  'RetryPolicy',
  'Outcome',
  'Verdict',
  'RunState',
  'HttpCall',
  'Deadline',
];
const declarations = pack.files.map((f) => f.path).filter((p) => p.endsWith('.d.ts'));
for (const file of declarations) {
  const source = readFileSync(file, 'utf8');
  // Declarations only: prose in doc comments may well say "circuit" or "strategy".
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  for (const name of INTERNAL) {
    assert.ok(!new RegExp(`\\b${name}\\b`).test(text), `${file} exposes the internal ${name}`);
  }
  assert.ok(!source.includes('@internal'), `${file} ships an @internal member`);
  assert.ok(!text.includes('unique symbol'), `${file} ships a symbol member`);
}
console.log(
  `package: ${pack.files.length} files packed, entry points import, ${declarations.length} .d.ts files expose no internals`,
);
