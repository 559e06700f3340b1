/**
 * A shared deadline scheduler: many pending deadlines, one platform timer per distinct duration.
 *
 * Calls with the same duration expire in the order they started, so each duration keeps a FIFO queue served
 * by one timer armed for its head. Registering a deadline behind a pending one is an array push and a clock
 * read; cancelling is a flag write (the entry is dropped when it reaches the head or the queue is compacted).
 * Compared with one `setTimeout`/`clearTimeout` pair per call, this saves the timer object, its list
 * bookkeeping and its ref/unref accounting whenever calls overlap, the common case under load. A deadline
 * that finds its queue empty owns the timer: it costs exactly one timer, as before, and no clock read.
 *
 * Guarantees:
 * - A deadline never fires before its `ms` has passed by `Date.now()`; it fires at most a timer tick late.
 * - The timer is `unref`'d (it never keeps a process alive) and never set above 2^31−1 ms.
 * - When the last pending deadline is cancelled or fired, the timer is cleared and the queues are emptied:
 *   nothing is left behind once every call has settled.
 * - `setTimeout`, `clearTimeout` and `Date.now` are read at call time, so fake timers control it.
 */

import { startTimer } from './clock.ts';

/** A pending deadline. `fire` is emptied when it fires or is cancelled. */
export interface Deadline {
  /** `Date.now()` value at which it is due; unused (0) for the `first` of a queue, which its timer serves. */
  readonly at: number;
  fire: (() => void) | undefined;
  readonly queue: Queue;
}

interface Queue {
  readonly ms: number;
  /** The deadline the timer was armed for when the queue was empty. */
  first: Deadline | undefined;
  /** Deadlines added behind `first`, in order. */
  entries: Deadline[];
  /** Index of the first entry not yet dropped. */
  head: number;
  /** Entries from `head` on that are still pending. */
  live: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The timer callback, made once per queue. */
  onTimer: () => void;
}

const queues = new Map<number, Queue>();
/** The queue used last: most programs use one or two durations, so this skips the map lookup. */
let last: Queue | undefined;

/**
 * Calls `fire` once `ms` have passed, unless `cancelDeadline()` is called first.
 * `ms` must be a validated deadline (0 < ms ≤ 2^31−1).
 */
export function addDeadline(ms: number, fire: () => void): Deadline {
  let queue = last;
  if (queue === undefined || queue.ms !== ms) {
    queue = queues.get(ms);
    if (queue === undefined) {
      const created: Queue = {
        ms,
        first: undefined,
        entries: [],
        head: 0,
        live: 0,
        timer: undefined,
        onTimer: () => expire(created),
      };
      queue = created;
      queues.set(ms, queue);
    }
    last = queue;
  }
  if (queue.live++ === 0) {
    // The queue's timer is armed for this one: it is due when the timer fires, no clock needed.
    const deadline: Deadline = { at: 0, fire, queue };
    queue.first = deadline;
    queue.timer = startTimer(queue.onTimer, ms);
    return deadline;
  }
  // Behind an earlier entry of the same duration: due after it, so the armed timer comes first.
  const deadline: Deadline = { at: Date.now() + ms, fire, queue };
  queue.entries.push(deadline);
  return deadline;
}

/** Cancels a deadline; a no-op when it already fired or was cancelled. */
export function cancelDeadline(deadline: Deadline): void {
  if (deadline.fire === undefined) return;
  deadline.fire = undefined;
  const queue = deadline.queue;
  if (--queue.live === 0) {
    clearTimeout(queue.timer);
    empty(queue);
    return;
  }
  // Lazy removal would keep a cancelled entry until its turn; compact when most of a queue is dead, so
  // memory follows the calls in flight, not the call rate times the duration. Amortised O(1) per entry.
  const size = queue.entries.length - queue.head;
  if (size > 64 && queue.live * 4 < size) {
    queue.entries = queue.entries.filter((entry, i) => i >= queue.head && entry.fire !== undefined);
    queue.head = 0;
  }
}

/** Nothing pending in `queue`: no timer, no entries. The object stays for reuse unless there are many. */
function empty(queue: Queue): void {
  queue.timer = undefined;
  queue.first = undefined;
  if (queue.entries.length !== 0) queue.entries = [];
  queue.head = 0;
  if (queues.size > 8) {
    queues.delete(queue.ms);
    if (last === queue) last = undefined;
  }
}

/** The queue's timer fired: take every due deadline off, re-arm for the next, then fire the due ones. */
function expire(queue: Queue): void {
  queue.timer = undefined;
  const now = Date.now();
  const due: Array<() => void> = [];
  const first = queue.first;
  queue.first = undefined;
  if (first?.fire !== undefined) {
    due.push(first.fire);
    first.fire = undefined;
    queue.live--;
  }
  const { entries } = queue;
  let i = queue.head;
  for (; i < entries.length; i++) {
    const deadline = entries[i]!;
    const fire = deadline.fire;
    if (fire === undefined) continue;
    if (deadline.at > now) break;
    deadline.fire = undefined;
    queue.live--;
    due.push(fire);
  }
  if (queue.live === 0) {
    empty(queue);
  } else {
    queue.head = i;
    queue.timer = startTimer(queue.onTimer, entries[i]!.at - now);
    if (i > 1024 && i * 2 > entries.length) {
      // Drop the passed prefix (amortised) so a queue that never drains does not grow without bound.
      queue.entries = entries.slice(i);
      queue.head = 0;
    }
  }
  // Fired last: a callback may add or cancel deadlines, and the queue is consistent by now.
  for (const fire of due) fire();
}
