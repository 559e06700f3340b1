/**
 * The contention model of Marc Brooker, "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015), and of
 * its public simulator (aws-samples/aws-arch-backoff-simulator), run with this package's backoff functions.
 *
 * `clients` start together at time 0; each must succeed once at an optimistic-concurrency write on one shared
 * row: read the row's version, then write conditionally on that version. The server applies requests in
 * arrival order, so among the writers that read the same version the first to arrive wins and the rest fail,
 * back off and start again with a fresh read. Every message crosses the network in normal(10 ms, sd 2 ms).
 *
 * Pure and deterministic: virtual time only (a priority queue of events, no timers), one seeded generator.
 */
import {
  type Backoff,
  constantBackoff,
  decorrelatedJitterBackoff,
  exponentialBackoff,
} from '../../src/backoff.ts';
import { EventQueue, mulberry32, normal } from './event-queue.ts';

/** The blog's parameters: backoff base and cap, network delay per message. */
export const MODEL = { base: 5, cap: 2_000, delayMean: 10, delaySd: 2 } as const;

/** A network delay never drops below this, however far the normal tail reaches (the blog takes |x|). */
const MIN_DELAY = 0.1;

export type StrategyName = 'none' | 'exponential' | 'full' | 'equal' | 'decorrelated' | 'default';

export interface Strategy {
  name: StrategyName;
  label: string;
  /** Builds the backoff with the simulation's seeded random source. */
  make(random: () => number): Backoff;
}

const { base, cap } = MODEL;

/** The strategies compared, in the order tables and charts show them. */
export const STRATEGIES: readonly Strategy[] = [
  { name: 'none', label: 'No backoff', make: () => constantBackoff({ delay: 0 }) },
  {
    name: 'exponential',
    label: 'Exponential, no jitter',
    make: (random) => exponentialBackoff({ base, cap, jitter: 'none', random }),
  },
  {
    name: 'full',
    label: 'Full jitter',
    make: (random) => exponentialBackoff({ base, cap, jitter: 'full', random }),
  },
  {
    name: 'equal',
    label: 'Equal jitter',
    make: (random) => exponentialBackoff({ base, cap, jitter: 'equal', random }),
  },
  {
    name: 'decorrelated',
    label: 'Decorrelated jitter',
    make: (random) => decorrelatedJitterBackoff({ base, cap, random }),
  },
  {
    // As shipped (base 300 ms, cap 30 s, full jitter); only the random source is injected, for reproducibility.
    name: 'default',
    label: 'resilient-fetch default',
    make: (random) => exponentialBackoff({ random }),
  },
];

export interface SimulationOptions {
  /** How many clients contend for the row. */
  clients: number;
  /** How many independent runs to average over. */
  trials: number;
  strategy: StrategyName;
  /** Seeds the generator behind network delays and jitter: the same seed gives the same result. */
  seed: number;
}

export interface TrialResult {
  /** Conditional writes sent (each follows exactly one read, so requests = 2 × calls). */
  calls: number;
  /** Virtual ms from the start until the last client learns its write succeeded. */
  time: number;
  /** Successful writes per client (the model requires exactly 1 each). */
  successes: number[];
}

export interface Summary {
  mean: number;
  median: number;
}

export interface SimulationResult {
  strategy: StrategyName;
  clients: number;
  trials: TrialResult[];
  calls: Summary;
  time: Summary;
}

/** A request arriving at the server: a read, or a write conditional on the version read before. */
type Arrival = { kind: 'read'; client: number } | { kind: 'write'; client: number; version: number };

/** Runs `trials` independent contention runs of one strategy. */
export function simulate({ clients, trials, strategy, seed }: SimulationOptions): SimulationResult {
  const found = STRATEGIES.find((s) => s.name === strategy);
  if (found === undefined) throw new RangeError(`simulate: unknown strategy ${JSON.stringify(strategy)}`);
  if (!Number.isInteger(clients) || clients < 1) throw new RangeError(`simulate: clients must be ≥ 1`);
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`simulate: trials must be ≥ 1`);
  const random = mulberry32(seed);
  const backoff = found.make(random);
  const results: TrialResult[] = [];
  for (let t = 0; t < trials; t++) results.push(runTrial(clients, backoff, random));
  return {
    strategy,
    clients,
    trials: results,
    calls: summarize(results.map((r) => r.calls)),
    time: summarize(results.map((r) => r.time)),
  };
}

function runTrial(clients: number, backoff: Backoff, random: () => number): TrialResult {
  const delay = () => Math.max(MIN_DELAY, normal(random, MODEL.delayMean, MODEL.delaySd));
  const queue = new EventQueue<Arrival>();
  const attempts = new Array<number>(clients).fill(0);
  const previousDelay = new Array<number | undefined>(clients).fill(undefined);
  const successes = new Array<number>(clients).fill(0);
  let version = 0;
  let calls = 0;
  let time = 0;
  for (let client = 0; client < clients; client++) queue.push(delay(), { kind: 'read', client });

  // Only arrivals at the server are events: nothing a client does in between depends on other clients, so
  // a reply's trip back and the next request's trip out are added together when the next arrival is queued.
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    const { time: now, event } = next;
    const { client } = event;
    if (event.kind === 'read') {
      queue.push(now + delay() + delay(), { kind: 'write', client, version });
      continue;
    }
    calls++;
    if (event.version === version) {
      version++;
      successes[client]!++;
      time = Math.max(time, now + delay());
      continue;
    }
    // Retry number n (1 for the first), with the delay used last time, as the retry stage passes them.
    const attempt = ++attempts[client]!;
    const wait = backoff(attempt, { previousDelay: previousDelay[client] });
    previousDelay[client] = wait;
    queue.push(now + delay() + wait + delay(), { kind: 'read', client });
  }
  return { calls, time, successes };
}

function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { mean: values.reduce((sum, v) => sum + v, 0) / values.length, median };
}
