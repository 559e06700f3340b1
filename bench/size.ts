// Minified + gzipped sizes of this package's entry points and single exports (the table in
// scripts/bundle-size.ts, also checked against budgets by `npm test`), and of the peers' own packages.

import { entries, measureEntry, measureSource, missing } from '../scripts/bundle-size.ts';

/** The peers, bundled the same way from what a user would import. */
const peers: Array<{ label: string; source: string }> = [
  { label: 'ky', source: `export { default } from 'ky';` },
  {
    label: 'cockatiel (timeout + retry + circuitBreaker + wrap, as benched)',
    source: `export { wrap, timeout, retry, circuitBreaker, handleAll, ConsecutiveBreaker, ExponentialBackoff, TimeoutStrategy } from 'cockatiel';`,
  },
  {
    label: 'cockatiel (all 5 policies + wrap)',
    source: `export { wrap, timeout, retry, circuitBreaker, bulkhead, fallback, handleAll, ConsecutiveBreaker, ExponentialBackoff, TimeoutStrategy } from 'cockatiel';`,
  },
  { label: 'p-retry', source: `export { default } from 'p-retry';` },
  { label: 'fetch-retry', source: `export { default } from 'fetch-retry';` },
];

export interface SizeRow {
  label: string;
  /** Bytes, or `undefined` with `note` when the entry does not exist yet. */
  min?: number;
  gzip?: number;
  budget?: number;
  goal?: number;
  note?: string;
}

export async function measureSizes(): Promise<{ ours: SizeRow[]; peers: SizeRow[] }> {
  const ours: SizeRow[] = [];
  for (const entry of entries) {
    const note = await missing(entry);
    const row = { label: entry.label, budget: entry.budget, goal: entry.goal };
    ours.push(note ? { ...row, note } : { ...row, ...(await measureEntry(entry)) });
  }
  // The traffic-shaping stages, each bundled alone (no budget: `resilientFetch alone` must not grow by them).
  for (const name of ['rateLimit', 'hedge']) {
    ours.push({
      label: `${name} alone`,
      ...(await measureEntry({ label: name, entry: 'src/index.ts', exports: [name] })),
    });
  }
  const measured: SizeRow[] = [];
  for (const peer of peers) measured.push({ label: peer.label, ...(await measureSource(peer.source)) });
  return { ours, peers: measured };
}
