// Small helpers shared by the benchmark sections: medians, alternating rounds, aligned text.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `measure` for every subject in turn, `rounds` times (ABCD ABCD …), so slow drifts of the machine
 * (other processes, CPU frequency, GC pressure) spread over all subjects instead of landing on one.
 * Returns each subject's samples, in subject order.
 */
export async function alternate<S, R>(
  subjects: S[],
  rounds: number,
  measure: (subject: S, round: number) => Promise<R>,
): Promise<R[][]> {
  const samples: R[][] = subjects.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, subject] of subjects.entries()) samples[i]!.push(await measure(subject, round));
  }
  return samples;
}

/** Plain aligned columns: those in `left` (the first by default) left-aligned, the rest right-aligned. */
export function columns(rows: string[][], left = [0]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (left.includes(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** A markdown table, aligned as `columns()` aligns. */
export function markdownTable(rows: string[][], left = [0]): string {
  const [head, ...body] = rows;
  const rule = head!.map((_, c) => (left.includes(c) ? '---' : '---:'));
  return [head!, rule, ...body].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function micros(ns: number): string {
  return `${(ns / 1000).toFixed(2)} µs`;
}
