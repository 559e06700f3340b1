// `npm test` needs two programs from Debian's packages: Chromium (the browser runtime of test/runtimes) and
// redis-server (the fleet suite and the demo's fleet scene). Where one is missing and this runs as root with
// apt-get (CI, a fresh Debian machine), the missing ones are installed here, in one apt-get run before the
// tests start, rather than by the tests themselves: two installs at once would race for dpkg's lock, and a
// browser install outlasts a test hook's time limit. Elsewhere nothing is installed, and the tests that need a
// missing program fail naming what to install.
import { execFileSync } from 'node:child_process';
import { CHROMIUM, onPath } from '../test/runtimes/runtimes.ts';

const needed = [
  { binaries: CHROMIUM, pkg: 'chromium' },
  { binaries: ['redis-server'], pkg: 'redis-server' },
];
const missing = needed.filter(({ binaries }) => onPath(binaries) === undefined).map(({ pkg }) => pkg);
const aptGet = onPath(['apt-get']);

if (missing.length === 0) {
  // Everything is there: say nothing.
} else if (process.getuid?.() !== 0 || aptGet === undefined) {
  console.warn(
    `system packages: ${missing.join(', ')} not on PATH and not installable here (root with apt-get); ` +
      'the tests that need them will fail naming what to install',
  );
} else {
  console.log(`system packages: installing Debian's ${missing.join(', ')} with apt-get (once)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync(aptGet, ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync(aptGet, ['install', '-y', '-qq', ...missing], {
    stdio: 'inherit',
    env,
  });
}
