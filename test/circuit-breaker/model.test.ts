import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/circuit-breaker/circuit-breaker.ts';
import { isCircuitOpenError } from '../../src/errors/circuit-open-error.ts';
import type { CircuitState } from '../../src/events.ts';
import { fakeClock, flush } from '../helpers/fake-clock.ts';
import { gated } from './gated.ts';

const K = 'https://a.test';
const OPTIONS = { failureThreshold: 3, recoveryTimeout: 1_000, halfOpenMaxCalls: 2, successThreshold: 2 };

/** The state machine as the contract states it, written plainly, for comparison. */
class Model {
  state: CircuitState = 'closed';
  failures = 0;
  openUntil = 0;
  trials = 0;
  successes = 0;
  /** Bumped on every change of state: an outcome counts only within the period that admitted its call. */
  period = 0;

  private go(to: CircuitState, now: number) {
    this.state = to;
    this.period++;
    this.trials = 0;
    this.successes = 0;
    if (to === 'open') this.openUntil = now + OPTIONS.recoveryTimeout;
    if (to === 'closed') this.failures = 0;
  }

  effective(now: number): CircuitState {
    return this.state === 'open' && now >= this.openUntil ? 'half-open' : this.state;
  }

  /** Admits a call ({ period, trial }) or refuses it (the retryAfter). */
  call(now: number): { period: number; trial: boolean } | number {
    if (this.effective(now) === 'half-open' && this.state === 'open') this.go('half-open', now);
    if (this.state === 'closed') return { period: this.period, trial: false };
    if (this.state === 'isolated') return Number.POSITIVE_INFINITY;
    if (this.state === 'open') return this.openUntil - now;
    if (this.trials === OPTIONS.halfOpenMaxCalls) return 0;
    this.trials++;
    return { period: this.period, trial: true };
  }

  settle(call: { period: number; trial: boolean }, outcome: 'success' | 'failure' | 'abort', now: number) {
    if (call.period !== this.period) return;
    if (call.trial) this.trials--;
    if (outcome === 'abort') return;
    if (this.state === 'closed') {
      this.failures = outcome === 'failure' ? this.failures + 1 : 0;
      if (this.failures === OPTIONS.failureThreshold) this.go('open', now);
    } else if (call.trial) {
      if (outcome === 'failure') this.go('open', now);
      else if (++this.successes === OPTIONS.successThreshold) this.go('closed', now);
    }
  }

  isolate(now: number) {
    if (this.state !== 'isolated') this.go('isolated', now);
  }
  reset(now: number) {
    this.go('closed', now);
  }
  open(now: number) {
    this.go('open', now);
  }
}

type Command =
  | { kind: 'call' }
  | { kind: 'settle'; pick: number; outcome: 'success' | 'failure' | 'abort' }
  | { kind: 'advance'; ms: number }
  | { kind: 'isolate' | 'reset' | 'open' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'call' } as const) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      pick: fc.nat(),
      outcome: fc.constantFrom('success' as const, 'failure' as const, 'abort' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 1_500 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { kind: 'isolate' } as const,
      { kind: 'reset' } as const,
      { kind: 'open' } as const,
    ),
  },
);

interface Pending {
  model: { period: number; trial: boolean };
  gate: number;
  controller: AbortController;
  done: Promise<unknown>;
}

async function run(commands: Command[]) {
  const clock = fakeClock();
  const breaker = circuitBreaker({ ...OPTIONS, clock });
  const transport = gated();
  const fetch = breaker(transport);
  const model = new Model();
  const pending: Pending[] = [];

  for (const c of commands) {
    const now = clock.time;
    if (c.kind === 'call') {
      const expected = model.call(now);
      const controller = new AbortController();
      const before = transport.calls.length;
      let refusal: unknown;
      const done = fetch(`${K}/x`, { signal: controller.signal }).catch((e: unknown) => (refusal = e));
      await flush();
      if (typeof expected === 'number') {
        expect(transport.calls.length).toBe(before);
        expect(isCircuitOpenError(refusal) && refusal.retryAfter).toBe(expected);
      } else {
        expect(transport.calls.length).toBe(before + 1);
        pending.push({ model: expected, gate: before, controller, done });
      }
    } else if (c.kind === 'settle') {
      if (pending.length === 0) continue;
      const [p] = pending.splice(c.pick % pending.length, 1) as [Pending];
      model.settle(p.model, c.outcome, now);
      if (c.outcome === 'abort') p.controller.abort();
      else transport.gates[p.gate]!.respond(c.outcome === 'success' ? 200 : 503);
      await p.done;
    } else if (c.kind === 'advance') {
      await clock.advance(c.ms);
    } else {
      model[c.kind](now);
      breaker[c.kind](K);
    }
    expect(breaker.state(K)).toBe(model.effective(clock.time));
  }
}

describe('circuitBreaker against a reference model', () => {
  it('agrees on state() and admission after every step of random call/outcome/time/control sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 20, maxLength: 80, size: 'max' }), (commands) =>
        run(commands),
      ),
      { numRuns: 300 },
    );
  });
});
