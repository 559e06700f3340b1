// `npm run bench`: per-call overhead, loopback CPU and throughput, heap per call in flight, bundle sizes.
// Prints plain aligned lines and writes the same figures as markdown tables to docs/performance.md.
//
//   npm run bench                      all sections
//   npm run bench -- overhead size     only those sections (overhead, store, loopback, heap, size)
//   npm run bench -- --quick           fewer rounds, for a smoke run

import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { kb, root } from '../scripts/bundle-size.ts';
import { measureHeap } from './heap.ts';
import { measureLoopback } from './loopback.ts';
import { measureOverhead, measurePair } from './overhead.ts';
import { measureSizes, type SizeRow } from './size.ts';
import { columns, markdownTable, micros } from './stats.ts';
import { cockatiel, kySubject, ours, oursWithStore, raw, withSignal } from './subjects.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const all = ['overhead', 'store', 'loopback', 'heap', 'size'];
const wanted = args.filter((a) => !a.startsWith('--'));
const sections = wanted.length ? all.filter((s) => wanted.includes(s)) : all;

const machine = `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${process.platform}/${process.arch}`;
console.log(`resilient-fetch benchmarks: ${machine}`);
const markdown: string[] = [
  '# Performance',
  '',
  `Measured with \`npm run bench\` on ${machine}, ${new Date().toISOString().slice(0, 10)}.`,
  'Medians over alternating rounds; compare ratios, not absolute figures, across machines.',
];

function section(title: string, intro: string, rows: string[][], left?: number[]): void {
  const lines = ['', title, ...columns(rows, left).map((line) => `  ${line}`)];
  markdown.push('', `## ${title}`, '', intro, '', markdownTable(rows, left));
  console.log(lines.join('\n'));
}

if (sections.includes('overhead')) {
  const rows = measureOverhead(
    ['ours', 'shaped', 'rateLimit', 'hedge', 'cockatiel', 'ky', 'p-retry', 'fetch-retry'],
    quick ? 5 : 21,
  );
  const cockatielOverhead = rows.find((r) => r.name === cockatiel.name)!.overhead;
  section(
    'Per-call overhead, in-memory transport',
    'Sequential calls (each awaited) around `async () => new Response(null)`; "overhead" is the median ' +
      "time per call minus the raw transport's, measured in the same process. Each library runs in a " +
      'process of its own: once a process has built `Request` objects or called `AbortSignal.timeout()` ' +
      '(ky does both), every stage built on `AbortController` runs slower, ours included (0.5 → 0.8 µs).',
    [
      ['subject', 'per call', 'overhead', 'vs cockatiel'],
      ...rows.map((r) => [
        r.name,
        micros(r.perCall),
        r.name === raw.name ? '-' : micros(r.overhead),
        r.name === raw.name ? '-' : `${(r.overhead / cockatielOverhead).toFixed(2)}×`,
      ]),
    ],
  );
}

if (sections.includes('store')) {
  const { baseline, subject } = measurePair('ours', 'ours-store', quick ? 5 : 21);
  section(
    'Closed-circuit hot path, store attached or not',
    'The standard pipeline around the in-memory transport, without a store and with a `redisStore()` over ' +
      'a real redis-server on 127.0.0.1, timed in alternating rounds of one process. A closed circuit never ' +
      'touches the store: the difference is what attaching one costs a call.',
    [
      ['subject', 'per call', 'vs no store'],
      [ours.name, micros(baseline), '-'],
      [oursWithStore.name, micros(subject), `${((subject / baseline - 1) * 100).toFixed(1)}%`],
    ],
  );
}

if (sections.includes('loopback')) {
  const rows = await measureLoopback([raw, withSignal, ours, kySubject], {
    base: 1,
    rounds: quick ? 4 : 30,
    callsPerRound: quick ? 300 : 1_000,
    inFlight: 16,
  });
  section(
    'Loopback HTTP server, 16 calls in flight',
    'Real `fetch` against a `node:http` server on 127.0.0.1 in a child process (its CPU is not counted); ' +
      'every body is read. Client CPU is `process.cpuUsage()` per call. Absolute figures here swing by ' +
      'about ±30% from run to run; the ratios are medians of round-by-round ratios to "fetch + signal" ' +
      '(a fresh `AbortController` per call, the least any timeout needs) and hold much better. cockatiel ' +
      'is left out: its timeout aborts the signal as soon as `execute()` returns, which cancels the body ' +
      'the caller is about to read.',
    [
      ['subject', 'client CPU/call', 'CPU vs fetch+signal', 'calls/s', 'calls/s vs fetch+signal'],
      ...rows.map((r) => [
        r.name === raw.name ? 'fetch' : r.name,
        `${r.cpuPerCall.toFixed(1)} µs`,
        `${r.cpuRatio.toFixed(2)}×`,
        r.throughput.toFixed(0),
        `${r.throughputRatio.toFixed(2)}×`,
      ]),
    ],
  );
}

if (sections.includes('heap')) {
  const { calls, rows } = measureHeap(quick ? 2_000 : 10_000);
  const base = rows[0]!;
  section(
    `Heap per call in flight (${calls.toLocaleString('en')} pending calls)`,
    'A transport that answers only when released; `heapUsed` after a forced GC, before and with the calls ' +
      'pending, then again once all were released and settled. "Timers left" counts every timer still pending ' +
      "(unref'd ones included) after 1,000 such calls settled.",
    [
      ['subject', 'bytes/call', 'above raw', 'settled', 'left after settle', 'timers left'],
      ...rows.map((r) => [
        r.name,
        r.perCall.toFixed(0),
        r === base ? '-' : (r.perCall - base.perCall).toFixed(0),
        `${r.settled}/${calls}`,
        `${r.leftPerCall.toFixed(0)} B/call`,
        String(r.timers),
      ]),
    ],
  );
}

if (sections.includes('size')) {
  const { ours: mine, peers } = await measureSizes();
  const row = (r: SizeRow) => [
    r.label,
    r.gzip === undefined ? '-' : kb(r.gzip),
    r.min === undefined ? '-' : kb(r.min),
    r.budget === undefined ? '-' : kb(r.budget),
    r.goal === undefined ? '-' : kb(r.goal),
    r.note ?? '',
  ];
  section(
    'Bundle size (esbuild, minified, ESM, tree-shaken; gzip -9)',
    'Single exports are bundled from a one-line entry such as `export { retry } from "resilient-fetch"`. ' +
      'Peer dependencies (ky) stay external in our bundles, as the app brings them. Budgets are checked by ' +
      '`npm test` (scripts/check-size.ts); goals are the sizes to reach. 1 kB = 1000 bytes.',
    [['bundle', 'min+gz', 'min', 'budget', 'goal', 'note'], ...mine.map(row), ...peers.map(row)],
    [0, 5],
  );
}

const file = `${root}/docs/performance.md`;
if (sections.length === all.length && !quick) {
  writeFileSync(file, `${markdown.join('\n')}\n`);
  console.log(`\nwrote ${file}`);
} else {
  console.log('\n(docs/performance.md is written only by a full run)');
}
