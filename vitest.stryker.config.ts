// The vitest configuration of mutation runs (`npm run mutate`): the unit suite without the soak, whose
// 50,000 calls measure leaks, not behaviour, and would only slow every mutant down, and without the runtime
// suite, which runs the built dist/ (not the mutated sources) in six runtimes.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default mergeConfig(
  base,
  defineConfig({
    test: { exclude: ['test/soak.test.ts', 'test/runtimes/**', '**/node_modules/**'] },
  }),
);
