/**
 * Scheduling noise, measured while a test runs, for timing assertions that must hold on a loaded machine.
 *
 * An upper bound on how long a call took is `the deadline + the work after it + how late this process ran`.
 * The last term is what a busy machine changes: a timer that should fire at 300 ms fires at 450 ms when the
 * process was off the CPU or its event loop was busy, and the code after it runs late too. A fixed tolerance
 * either flakes under load or hides bugs when idle; this one is measured. `watchLateness()` keeps a timer
 * ticking every few milliseconds during the test and records how late each tick fires: whatever delayed the
 * code under test delayed the ticks as well.
 */

export interface LatenessWatch {
  /** The latest any tick fired so far, in ms. */
  readonly worst: number;
  /**
   * A margin for an upper bound: `base` ms for the work itself, plus twice the worst lateness seen (a late
   * deadline timer, then late code after it). Waits one more tick first, so a stall that just ended counts.
   */
  margin(base: number): Promise<number>;
  /** Stops the ticks; returns the worst lateness seen. */
  stop(): number;
}

/** How often the watch ticks, in ms. */
const TICK = 5;

export function watchLateness(): LatenessWatch {
  let worst = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waiters: Array<() => void> = [];
  const schedule = () => {
    const due = performance.now() + TICK;
    timer = setTimeout(() => {
      worst = Math.max(worst, performance.now() - due);
      for (const wake of waiters.splice(0)) wake();
      schedule();
    }, TICK);
  };
  schedule();
  return {
    get worst() {
      return worst;
    },
    async margin(base) {
      await new Promise<void>((resolve) => waiters.push(resolve));
      return base + 2 * worst;
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
      return worst;
    },
  };
}

/**
 * Runs `fn` and returns the CPU time this process spent meanwhile, in ms: for "this is fast" checks of
 * synchronous code, which wall-clock time cannot make on a loaded machine (the process may wait for a core).
 */
export function cpuTime(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}

/**
 * The time unit for a test's deadlines on this machine, now: `floor` ms (what the test was written for on an
 * idle machine), or more when `probe` (a round of the test's own kind of work, e.g. 20 loopback requests at
 * once) takes more than a third of it. The first round only warms up lazily loaded code; the worst of the
 * others counts. Deadlines of k units then leave the work as much room as they do on an idle machine.
 */
export async function timeUnit(probe: () => Promise<unknown>, floor: number, rounds = 3): Promise<number> {
  let worst = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    await probe();
    if (round > 0) worst = Math.max(worst, performance.now() - started);
  }
  return Math.max(floor, Math.ceil(3 * worst));
}
