// Runs bench/heap-child.ts in a child `node --expose-gc` and returns its rows.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface HeapRow {
  name: string;
  /** Heap bytes held per pending call. */
  perCall: number;
  /** Calls that resolved after release (should be all). */
  settled: number;
  /** Heap bytes per call still held after every call settled (should be about 0). */
  leftPerCall: number;
  /** Timers (unref'd ones included) still pending after 1,000 such calls settled. */
  timers: number;
}

export function measureHeap(calls = 10_000): { calls: number; rows: HeapRow[] } {
  const child = fileURLToPath(new URL('./heap-child.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--expose-gc', child, String(calls)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { calls: number; rows: HeapRow[] };
}
