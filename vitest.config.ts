import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Examples import the package by name, as users do; tests resolve it to the sources.
    alias: [
      {
        find: /^resilient-fetch\/redis$/,
        replacement: fileURLToPath(new URL('./src/redis.ts', import.meta.url)),
      },
      { find: /^resilient-fetch\/ky$/, replacement: fileURLToPath(new URL('./src/ky.ts', import.meta.url)) },
      { find: /^resilient-fetch$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/msw-test.ts'],
    // Generous: on a loaded machine a chaos test that takes 3 s idle may take 30 (npm run test:load).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // test/soak.test.ts measures the heap after forced collections.
    execArgv: ['--expose-gc'],
  },
});
