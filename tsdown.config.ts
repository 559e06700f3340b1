import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: { index: 'src/index.ts', ky: 'src/ky.ts', redis: 'src/redis.ts' },
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  dts: true,
  clean: true,
  tsconfig: 'tsconfig.lib.json',
  deps: { neverBundle: ['ky'] },
});
