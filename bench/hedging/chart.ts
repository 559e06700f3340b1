/**
 * Draws the hedging simulation as one self-contained SVG (hand-written markup, system fonts, no scripts):
 * three panels sharing the row labels, the 99th and 99.9th percentile latency and the extra requests.
 */
import { FONT, GRID, INK, line, MUTED, niceTicks, round, text } from '../jitter/chart.ts';
import { type HedgingResult, MODEL } from './simulation.ts';

const COLORS = ['#9aa0a6', '#1d3557', '#2a9d8f', '#e9a23b', '#6c5ce7'];
const WIDTH = 1080;
const TOP = 128;
const ROW = 34;
const BAR = 22;
const SPAN = 190;

export function renderChart(results: HedgingResult[], seed: number): string {
  const height = TOP + results.length * ROW + 125;
  const calls = results[0]!.calls;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} role="img" aria-labelledby="title">`,
    `<title id="title">Hedging against a 5% slow tail: tail latency and extra requests</title>`,
    `<rect width="${WIDTH}" height="${height}" rx="12" fill="#ffffff"/>`,
    text(32, 40, 'Hedging against a server with a 5% slow tail', 21, INK, 'start', 700),
    text(32, 63, `${calls.toLocaleString('en-US')} calls per setting. Shorter bars are better.`, 13, MUTED),
    ...results.map((r, i) => text(282, TOP + i * ROW + BAR / 2 + 5, r.setting.label, 13.5, INK, 'end')),
    ...panel(
      results,
      (r) => r.p99,
      296,
      'p99 latency',
      'ms',
      (v) => `${Math.round(v)} ms`,
    ),
    ...panel(
      results,
      (r) => r.p999,
      556,
      'p99.9 latency',
      'ms',
      (v) => `${Math.round(v)} ms`,
    ),
    ...panel(
      results,
      (r) => ((r.requests - r.calls) / r.calls) * 100,
      816,
      'Extra requests',
      '% of calls',
      (v) => `+${v.toFixed(1)}%`,
    ),
  ];
  const captionTop = TOP + results.length * ROW + 80;
  const caption = [
    `Server: normal(${MODEL.fastMean} ms, sd ${MODEL.fastSd} ms) for 95% of requests, uniform(${MODEL.slowMin}–${MODEL.slowMax} ms) ` +
      `for 5%, drawn per request; calls arrive as a Poisson stream of ${MODEL.rate}/s.`,
    `Virtual time, this package's hedge() with its default budget; seed ${seed}. p50 is ${Math.round(results[0]!.p50)} ms in every setting.`,
  ];
  for (const [i, c] of caption.entries()) parts.push(text(32, captionTop + i * 18, c, 12, MUTED));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function panel(
  results: HedgingResult[],
  value: (r: HedgingResult) => number,
  x: number,
  title: string,
  axis: string,
  format: (v: number) => string,
): string[] {
  const bottom = TOP + results.length * ROW - (ROW - BAR);
  const ticks = niceTicks(Math.max(...results.map(value)));
  const max = ticks.at(-1)!;
  const scale = (v: number) => x + (v / max) * SPAN;
  const out = [text(x, TOP - 16, title, 15, INK, 'start', 600)];
  for (const tick of ticks) {
    out.push(line(scale(tick), TOP - 4, scale(tick), bottom + 4, GRID));
    out.push(text(scale(tick), bottom + 20, tick.toLocaleString('en-US'), 11.5, MUTED, 'middle'));
  }
  results.forEach((r, i) => {
    const y = TOP + i * ROW;
    const w = Math.max(1.5, scale(value(r)) - x);
    out.push(
      `<rect x="${x}" y="${y}" width="${round(w)}" height="${BAR}" rx="3" fill="${COLORS[i % COLORS.length]}"/>`,
    );
    out.push(text(x + w + 6, y + BAR / 2 + 5, format(value(r)), 13, INK, 'start', 600));
  });
  out.push(line(x, TOP - 4, x, bottom + 4, MUTED));
  out.push(text(x + SPAN / 2, bottom + 40, axis, 12.5, MUTED, 'middle'));
  return out;
}
