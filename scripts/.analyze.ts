import { build } from 'esbuild';

const what = process.argv[2] ?? 'resilientFetch';
const r = await build({
  stdin: { contents: `export { ${what} } from './src/index.ts';`, resolveDir: process.cwd(), loader: 'ts' },
  bundle: true,
  minify: true,
  treeShaking: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  metafile: true,
  logLevel: 'silent',
});
const out = Object.values(r.metafile.outputs)[0]!;
const rows = Object.entries(out.inputs)
  .map(([k, v]) => [v.bytesInOutput, k] as const)
  .sort((a, b) => b[0] - a[0]);
for (const [b, k] of rows) console.log(String(b).padStart(6), k);
const { gzipSync } = await import('node:zlib');
console.log(
  'gz',
  gzipSync(r.outputFiles[0]!.contents, { level: 9 }).byteLength,
  'min',
  r.outputFiles[0]!.contents.byteLength,
);
