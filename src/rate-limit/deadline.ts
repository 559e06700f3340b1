import { deadlineOf } from '../deadline.ts';

/**
 * A stage that gives each attempt a signal of its own (`hedge()`) hides the timeout stage above from the
 * stages below; it copies the deadline onto that signal under this registered symbol.
 */
export const INHERITED_DEADLINE: symbol = Symbol.for('resilient-fetch.deadline');

/** Epoch ms of the total deadline that ends a call with this signal, if any; `Infinity` when none. */
export function callDeadline(signal: AbortSignal | undefined): number {
  if (signal === undefined) return Infinity;
  const inherited = (signal as AbortSignal & { [INHERITED_DEADLINE]?: number })[INHERITED_DEADLINE];
  return deadlineOf(signal) ?? inherited ?? Infinity;
}
