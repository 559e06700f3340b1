import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, DIFFERENCES } from './cases.ts';
import {
  type Expected,
  INTEGRATIONS,
  type Integration,
  type PortServer,
  type Result,
  startPortServer,
} from './harness.ts';

// A timer never fires early, but Node rounds timers to whole ms: a gap may read up to ~1 ms short.
const TIMER_ROUNDING = 2;

let server: PortServer;
const results = new Map<string, Result>();

beforeAll(async () => {
  server = await startPortServer();
});

afterAll(async () => {
  await server.close();
  const table = render();
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/ky-port.md', `${table}\n`);
  console.log(table);
});

const cell = (e: Expected) => `${e.attempts} · ${e.outcome}`;
const same = (a: Expected, b: Expected) =>
  a.attempts === b.attempts &&
  a.outcome === b.outcome &&
  JSON.stringify([a.log, a.minGaps]) === JSON.stringify([b.log, b.minGaps]);

function render(): string {
  const lines = ['| # | case (from) | ky | kyHooks | kyResilience |', '| --- | --- | --- | --- | --- |'];
  CASES.forEach((c, i) => {
    const cells = INTEGRATIONS.map((integration) => {
      const result = results.get(`${i}/${integration}`);
      if (!result) return 'not run';
      const mark = c.expect[integration].differs ? ' ≠' : '';
      const timed = c.defaultDelays || INTEGRATIONS.some((i) => c.expect[i].minGaps);
      const waits =
        timed && result.gaps.length > 0
          ? ` · waits ${result.gaps.map((g) => Math.round(g)).join(' + ')} ms`
          : '';
      const log = c.expect[integration].log ? ` · log ${JSON.stringify(result.log)}` : '';
      return `${result.attempts} · ${result.outcome}${waits}${log}${mark}`;
    });
    lines.push(`| ${i + 1} | ${c.title} (${c.from}) | ${cells.join(' | ')} |`);
  });
  lines.push(
    '',
    'attempts · outcome (· what hooks and callbacks recorded), from a real run; ≠ marks an intended difference from plain ky:',
  );
  for (const d of DIFFERENCES) lines.push(`- ${d}`);
  return lines.join('\n');
}

describe('the port of ky retry and beforeRetry tests', () => {
  it('lists every intended difference in the README ky section', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('\n### ky\n');
    expect(start).toBeGreaterThan(0);
    const next = /\n#{2,3} /g;
    next.lastIndex = start + 1;
    const section = readme.slice(start, next.exec(readme)?.index);
    for (const d of DIFFERENCES) expect(section, d).toContain(d);
  });

  it('marks exactly the expectations that differ from plain ky', () => {
    for (const c of CASES) {
      for (const integration of ['kyHooks', 'kyResilience'] as const) {
        const e = c.expect[integration];
        expect(e.differs !== undefined, `${c.title} / ${integration}`).toBe(!same(e, c.expect.ky));
      }
      expect(c.expect.ky.differs).toBeUndefined();
    }
  });

  CASES.forEach((c, i) => {
    describe(`${i + 1}. ${c.title} (${c.from})`, () => {
      it.each(INTEGRATIONS)('%s', async (integration: Integration) => {
        const expected = c.expect[integration];
        const result = await server.run(c, i, integration);
        results.set(`${i}/${integration}`, result);
        expect(`${result.attempts} · ${result.outcome}`).toBe(cell(expected));
        if (expected.log) expect(result.log).toEqual(expected.log);
        expected.minGaps?.forEach((min, n) => {
          expect(result.gaps[n], `gap ${n + 1}`).toBeGreaterThanOrEqual(min - TIMER_ROUNDING);
        });
        if (expected.within !== undefined) expect(result.ms).toBeLessThan(expected.within);
      });
    });
  });
});
