// rateLimit() and hedge() reach a bundle only when imported: resilientFetch alone carries none of their code.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const bundle = async (names: string) => {
  const result = await build({
    stdin: { contents: `export { ${names} } from './src/index.ts';`, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
};

it('leaves the traffic-shaping stages out of a bundle that does not import them', async () => {
  const [alone, shaped] = await Promise.all([
    bundle('resilientFetch'),
    bundle('resilientFetch, rateLimit, hedge'),
  ]);
  for (const marker of [
    'RateLimitError',
    'Another attempt of this call answered first',
    'ratelimit-policy',
  ]) {
    expect(alone).not.toContain(marker);
    expect(shaped).toContain(marker);
  }
});
