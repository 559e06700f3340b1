// The package promises Node ≥ 20, Deno, Bun, browsers and workerd. Each runs the same scenarios
// (test/runtimes/scenarios.js) against the built package, at once, each in its own process or page, each against
// its own server process; the table of runtime × scenario is printed at the end.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bun,
  type Cell,
  checkBuilt,
  chromium,
  deno,
  findChromium,
  node20,
  node24,
  type RuntimeReport,
  workerd,
} from './runtimes.ts';
// @ts-expect-error: a plain JavaScript module, shared with runtimes that load no TypeScript.
import { SCENARIOS } from './scenarios.js';

const RUNTIMES: Array<{ name: string; start: () => Promise<RuntimeReport> }> = [
  { name: 'Node 24', start: node24 },
  { name: 'Node 20', start: node20 },
  { name: 'Deno', start: deno },
  { name: 'Bun', start: bun },
  {
    name: 'Chromium',
    start: async () => {
      const path = await findChromium((line) => console.log(line));
      return chromium(path);
    },
  },
  { name: 'workerd', start: workerd },
];

const reports = new Map<string, RuntimeReport>();

beforeAll(async () => {
  checkBuilt();
  const done = await Promise.all(RUNTIMES.map(async ({ name, start }) => [name, await start()] as const));
  for (const [name, report] of done) reports.set(name, report);
}, 900_000); // a fresh machine may install Chromium and fetch Node 20 first; each runtime has its own limit

afterAll(() => {
  if (reports.size > 0) console.log(table());
});

describe.each(RUNTIMES)('$name', ({ name }) => {
  it('runs the scenarios', () => {
    const report = reports.get(name)!;
    expect(report.failure, report.failure).toBeUndefined();
    expect(report.cells.map((c) => c.name)).toEqual(SCENARIOS);
  });

  it.each(SCENARIOS as string[])('%s', (scenario) => {
    const cell = reports.get(name)!.cells.find((c) => c.name === scenario);
    expect(cell, 'no result').toBeDefined();
    expect(cell!.ok, `${name} › ${scenario}: ${cell!.detail}`).toBe(true);
  });
});

/** Markdown: one row per runtime, `pass`/`FAIL` per scenario, and the runtime's own network error. */
function table(): string {
  const header = ['runtime', ...(SCENARIOS as string[]), 'network error'];
  const rows = RUNTIMES.map(({ name }) => {
    const report = reports.get(name)!;
    const cell = (scenario: string) => {
      const found = report.cells.find((c: Cell) => c.name === scenario);
      return found === undefined ? '—' : found.ok ? 'pass' : 'FAIL';
    };
    const network = report.cells.find((c) => c.network !== undefined)?.network ?? report.failure ?? '';
    return [report.version, ...(SCENARIOS as string[]).map(cell), `\`${shorten(network)}\``];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const shorten = (text: string) => (text.length > 48 ? `${text.slice(0, 47)}…` : text);
