// Output helpers for the demo: colour on a terminal (unless NO_COLOR is set), plain text otherwise.

const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);

export const bold = paint(1);
export const dim = paint(2);
export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);
export const cyan = paint(36);

let sceneStart = performance.now();

/** Starts a numbered scene: a title and one line of what it shows. */
export function scene(number: number, title: string, what: string): void {
  console.log(`\n${bold(`${number}. ${title}`)}`);
  console.log(dim(`   ${what}`));
  sceneStart = performance.now();
}

/** One line of the story, stamped with the seconds since the scene began. */
export function say(text: string): void {
  const stamp = `+${((performance.now() - sceneStart) / 1000).toFixed(2)}s`.padStart(7);
  console.log(`   ${dim(stamp)}  ${text}`);
}

/** Milliseconds since `start` (a `performance.now()` reading), rounded. */
export function since(start: number): number {
  return Math.round(performance.now() - start);
}

/** A two-column table, names left, values right-aligned. */
export function table(rows: Record<string, number | string>): void {
  const entries = Object.entries(rows);
  const nameWidth = Math.max(...entries.map(([name]) => name.length));
  const valueWidth = Math.max(...entries.map(([, value]) => String(value).length));
  for (const [name, value] of entries) {
    console.log(`   ${name.padEnd(nameWidth)}  ${String(value).padStart(valueWidth)}`);
  }
}
