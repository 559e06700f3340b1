// How big a piece of the package is for a user who bundles it: esbuild bundle, tree-shaken, minified, ESM,
// then gzipped. `npm run bench` and `scripts/check-size.ts` both measure through here, so the figures agree.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const root = resolve(import.meta.dirname, '..');

/** 1 kB = 1000 bytes, as bundle-size tools and the figures in the docs count. */
export const KB = 1000;

/**
 * One measured piece: a whole entry point, or single exports of it (bundled from a tiny virtual entry
 * `export { name } from './src/index.ts'`, so tree-shaking keeps only what those exports need).
 */
export interface SizeEntry {
  /** What the report calls it. */
  label: string;
  /** The entry module, relative to the package root. */
  entry: string;
  /** Named exports to keep; every export when absent. */
  exports?: string[];
  /** Largest allowed min+gz size in bytes; `scripts/check-size.ts` fails above it. No check when absent. */
  budget?: number;
}

/**
 * The pieces measured, as data: a new entry point or export is one more line. Entries or exports that do not
 * exist yet are skipped with a note, so their budget applies as soon as they land.
 */
export const entries: SizeEntry[] = [
  // Budgets are the sizes measured when they were set (11.68 kB, 10.01 kB, 5.58 kB, 1.51 kB; the single shared
  // timer per call and the breaker's fast path added about 0.6 kB for 0.4 µs less per call) plus about 3%,
  // so any growth is a decision. The goal stays lower: resilientFetch alone 3.00 kB and retry alone 1.20 kB, the size that
  // would make this the lightest resilience layer in JavaScript (peers: p-retry 1.80 kB, cockatiel 4.21 kB).
  // Lower a budget whenever a change reaches below it.
  { label: 'resilient-fetch (all of src/index.ts)', entry: 'src/index.ts', budget: 12.6 * KB },
  { label: 'resilient-fetch/ky (all of src/ky.ts)', entry: 'src/ky.ts', budget: 11.85 * KB },
  { label: 'resilientFetch alone', entry: 'src/index.ts', exports: ['resilientFetch'], budget: 10.9 * KB },
  { label: 'retry alone', entry: 'src/index.ts', exports: ['retry'], budget: 6.1 * KB },
  { label: 'timeout alone', entry: 'src/index.ts', exports: ['timeout'], budget: 1.95 * KB },
];

export interface SizeResult {
  /** Minified bytes. */
  min: number;
  /** Minified then gzipped bytes (level 9, as bundle-size tools report). */
  gzip: number;
}

/**
 * Bundles `source` (an ES module resolved from the package root) and returns its sizes. Packages listed in
 * `external` stay imports, as a bundler leaves a peer dependency the app already has.
 */
export async function measureSource(source: string, external: string[] = []): Promise<SizeResult> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts', sourcefile: 'size-entry.ts' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

/** Why `entry` cannot be measured yet (a missing file or export), or `undefined` when it can. */
export async function missing(entry: SizeEntry): Promise<string | undefined> {
  const file = resolve(root, entry.entry);
  if (!existsSync(file)) return `${entry.entry} does not exist yet`;
  if (!entry.exports) return undefined;
  const module = (await import(file)) as Record<string, unknown>;
  const absent = entry.exports.filter((name) => !(name in module));
  return absent.length ? `${entry.entry} does not export ${absent.join(', ')} yet` : undefined;
}

/** The package's peer dependencies (ky): a user's app brings them, so they are not counted in our size. */
const peers = Object.keys(
  (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { peerDependencies?: object })
    .peerDependencies ?? {},
);

/** Measures one entry of the table above. */
export function measureEntry(entry: SizeEntry): Promise<SizeResult> {
  const from = JSON.stringify(`./${entry.entry}`);
  const source = entry.exports
    ? `export { ${entry.exports.join(', ')} } from ${from};`
    : `export * from ${from};`;
  return measureSource(source, peers);
}

/** Bytes as `1.23 kB`. */
export function kb(bytes: number): string {
  return `${(bytes / KB).toFixed(2)} kB`;
}
