/**
 * Draws the simulation's results as one self-contained SVG: hand-written markup, system fonts, no scripts.
 * Top: calls and time to completion at the headline client count, one bar per strategy, sharing the row
 * labels. Bottom: calls as the number of clients grows.
 */
import { MODEL, type SimulationResult, STRATEGIES, type StrategyName } from './simulation.ts';

const COLOR: Record<StrategyName, string> = {
  none: '#9aa0a6',
  exponential: '#d1495b',
  full: '#2a9d8f',
  equal: '#e9a23b',
  decorrelated: '#6c5ce7',
  default: '#1d3557',
};

const WIDTH = 960;
const HEIGHT = 700;
export const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"`;
export const INK = '#1f2328';
export const MUTED = '#57606a';
export const GRID = '#e6e8eb';

export interface ChartInput {
  /** Results at the headline client count, one per strategy. */
  headline: SimulationResult[];
  /** Results of the sweep, every strategy at every client count. */
  sweep: SimulationResult[];
  trials: number;
  seed: number;
}

export function renderChart({ headline, sweep, trials, seed }: ChartInput): string {
  const clients = headline[0]!.clients;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ${FONT} role="img" aria-labelledby="title">`,
    `<title id="title">Backoff strategies with ${clients} contending clients: calls and time to completion</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" rx="12" fill="#ffffff"/>`,
    text(32, 40, `Backoff and jitter: ${clients} clients racing to update one row`, 21, INK, 'start', 700),
    text(
      32,
      63,
      `Mean of ${trials} simulated runs per strategy. Shorter bars are better in both panels.`,
      13,
      MUTED,
    ),
    ...rowLabels(headline, 200, 128),
    ...bars(headline, (r) => r.calls.mean, {
      x: 212,
      title: 'Work: total calls',
      axis: 'conditional writes per run',
      format: (v) => thousands(v),
    }),
    ...bars(headline, (r) => r.time.mean / 1000, {
      x: 592,
      title: 'Time until the last client succeeds',
      axis: 'seconds (virtual time)',
      format: (v) => `${v.toFixed(1)} s`,
    }),
    ...lines(sweep),
    ...caption(trials, seed).map((line, i) => text(32, 634 + i * 18, line, 12, MUTED)),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function caption(trials: number, seed: number): string[] {
  return [
    'Model: Brooker, "Exponential Backoff And Jitter" (AWS, 2015). N clients start at once; each must win one ' +
      'conditional write on a shared row.',
    `Network delay normal(${MODEL.delayMean} ms, sd ${MODEL.delaySd} ms) per message; backoff base ${MODEL.base} ms, ` +
      `cap ${MODEL.cap / 1000} s; calls = conditional writes; mean of ${trials} trials, seed ${seed}.`,
    'resilient-fetch default = exponentialBackoff() as shipped: base 300 ms, cap 30 s, full jitter.',
  ];
}

const ROW = 30;
const BAR = 19;
const BAR_SPAN = 280;

function rowLabels(results: SimulationResult[], right: number, top: number): string[] {
  return results.map((r, i) =>
    text(right, top + i * ROW + BAR / 2 + 5, labelOf(r.strategy), 13.5, INK, 'end'),
  );
}

interface BarPanel {
  x: number;
  title: string;
  axis: string;
  format: (value: number) => string;
}

function bars(
  results: SimulationResult[],
  value: (r: SimulationResult) => number,
  panel: BarPanel,
): string[] {
  const top = 128;
  const bottom = top + results.length * ROW - (ROW - BAR);
  const ticks = niceTicks(Math.max(...results.map(value)));
  const max = ticks.at(-1)!;
  const scale = (v: number) => panel.x + (v / max) * BAR_SPAN;
  const out = [text(panel.x, top - 16, panel.title, 15, INK, 'start', 600)];
  for (const tick of ticks) {
    const x = scale(tick);
    out.push(line(x, top - 4, x, bottom + 4, GRID));
    out.push(text(x, bottom + 20, tick.toLocaleString('en-US'), 11.5, MUTED, 'middle'));
  }
  results.forEach((r, i) => {
    const y = top + i * ROW;
    const v = value(r);
    const w = Math.max(1.5, scale(v) - panel.x);
    out.push(
      `<rect x="${panel.x}" y="${y}" width="${round(w)}" height="${BAR}" rx="3" fill="${COLOR[r.strategy]}"/>`,
    );
    out.push(text(panel.x + w + 6, y + BAR / 2 + 5, panel.format(v), 13, INK, 'start', 600));
  });
  out.push(line(panel.x, top - 4, panel.x, bottom + 4, MUTED));
  out.push(text(panel.x + BAR_SPAN / 2, bottom + 40, panel.axis, 12.5, MUTED, 'middle'));
  return out;
}

export function lines(sweep: SimulationResult[]): string[] {
  const box = { left: 212, right: 660, top: 388, bottom: 568 };
  const counts = [...new Set(sweep.map((r) => r.clients))].sort((a, b) => a - b);
  const yTicks = niceTicks(Math.max(...sweep.map((r) => r.calls.mean)));
  const xMax = counts.at(-1)!;
  const sx = (c: number) => box.left + (c / xMax) * (box.right - box.left);
  const sy = (v: number) => box.bottom - (v / yTicks.at(-1)!) * (box.bottom - box.top);
  const out = [
    text(box.left, box.top - 22, 'Work as contention grows: calls per run', 15, INK, 'start', 600),
  ];
  for (const tick of yTicks) {
    out.push(line(box.left, sy(tick), box.right, sy(tick), GRID));
    out.push(text(box.left - 8, sy(tick) + 4, tick.toLocaleString('en-US'), 11.5, MUTED, 'end'));
  }
  for (const c of counts) out.push(text(sx(c), box.bottom + 18, String(c), 11.5, MUTED, 'middle'));
  out.push(line(box.left, box.bottom, box.right, box.bottom, MUTED));
  out.push(text((box.left + box.right) / 2, box.bottom + 38, 'clients', 12.5, MUTED, 'middle'));
  const yMid = (box.top + box.bottom) / 2;
  out.push(
    `<text x="150" y="${yMid}" transform="rotate(-90 150 ${yMid})" font-size="12.5" fill="${MUTED}" text-anchor="middle">calls per run</text>`,
  );
  STRATEGIES.forEach((s, i) => {
    const points = sweep.filter((r) => r.strategy === s.name).sort((a, b) => a.clients - b.clients);
    const d = points.map((r) => `${round(sx(r.clients))},${round(sy(r.calls.mean))}`).join(' ');
    const width = s.name === 'full' ? 3.5 : 2.25;
    out.push(
      `<polyline points="${d}" fill="none" stroke="${COLOR[s.name]}" stroke-width="${width}" stroke-linejoin="round"/>`,
    );
    for (const r of points) {
      out.push(
        `<circle cx="${round(sx(r.clients))}" cy="${round(sy(r.calls.mean))}" r="2.75" fill="${COLOR[s.name]}"/>`,
      );
    }
    const y = box.top + 8 + i * 24;
    out.push(line(696, y, 722, y, COLOR[s.name], width));
    out.push(text(730, y + 4.5, s.label, 13, INK));
  });
  out.push(
    text(
      696,
      box.top + 8 + STRATEGIES.length * 24 + 8,
      'Every curve bends upward: jitter spreads',
      12,
      MUTED,
    ),
    text(
      696,
      box.top + 8 + STRATEGIES.length * 24 + 24,
      'retries out, it does not end contention.',
      12,
      MUTED,
    ),
  );
  return out;
}

/** 4–6 round tick values from 0 up to at least `max`. */
export function niceTicks(max: number): number[] {
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const ticks = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function labelOf(name: StrategyName): string {
  return STRATEGIES.find((s) => s.name === name)!.label;
}

function thousands(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, width = 1): string {
  return `<line x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" stroke="${stroke}" stroke-width="${width}" stroke-linecap="round"/>`;
}

export function text(
  x: number,
  y: number,
  content: string,
  size: number,
  fill: string,
  anchor = 'start',
  weight = 400,
) {
  const bold = weight === 400 ? '' : ` font-weight="${weight}"`;
  return `<text x="${round(x)}" y="${round(y)}" font-size="${size}" fill="${fill}" text-anchor="${anchor}"${bold}>${escapeXml(content)}</text>`;
}

function escapeXml(content: string): string {
  return content.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
