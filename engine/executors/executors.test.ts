import { describe, expect, it } from 'vitest';
import { deriveScenarios } from '../scenarios.ts';
import { EXECUTOR_NAMES, executorOf } from './index.ts';

const scenario = (o: Record<string, unknown>) =>
  deriveScenarios({ scenarios: { s: o } }, { vus: null, durationMs: null, iterations: null, stages: null })[0]!;

/** Each executor on its own plan: what it needs (initial/max VUs, duration), what it will do, its banner line. */
describe('every executor as data', () => {
  it.each([
    [
      { executor: 'constant-vus', vus: 3, duration: '10s' },
      { initial: 3, max: 3, durationMs: 10_000, plan: { vus: 3, durationMs: 10_000 } },
      '3 looping VUs for 10s (gracefulStop: 30s)',
    ],
    [
      {
        executor: 'ramping-vus',
        startVUs: 1,
        stages: [
          { duration: '2s', target: 3 },
          { duration: '1s', target: 0 },
        ],
        gracefulRampDown: '5s',
      },
      {
        initial: 3,
        max: 3,
        durationMs: 3000,
        plan: [
          { atMs: 0, vus: 1 },
          { atMs: 1000, vus: 2 },
          { atMs: 2000, vus: 3 },
          { atMs: 2000 + 1000 / 3, vus: 2 },
          { atMs: 2000 + 2000 / 3, vus: 1 },
          { atMs: 3000, vus: 0 },
        ],
      },
      'Up to 3 looping VUs for 3s over 2 stages (gracefulRampDown: 5s, gracefulStop: 30s)',
    ],
    [
      { executor: 'per-vu-iterations', vus: 4, iterations: 5, maxDuration: '1m' },
      { initial: 4, max: 4, durationMs: 60_000, plan: { vus: 4, iterationsPerVu: 5, total: 20 } },
      '5 iterations for each of 4 VUs (maxDuration: 1m0s, gracefulStop: 30s)',
    ],
    [
      { executor: 'shared-iterations', vus: 2, iterations: 7, gracefulStop: '2s' },
      { initial: 2, max: 2, durationMs: 600_000, plan: { vus: 2, iterations: 7 } },
      '7 iterations shared among 2 VUs (maxDuration: 10m0s, gracefulStop: 2s)',
    ],
    [
      { executor: 'constant-arrival-rate', rate: 2, timeUnit: '1s', duration: '2s', preAllocatedVUs: 1, maxVUs: 3 },
      { initial: 1, max: 3, durationMs: 2000, plan: [0, 500, 1000, 1500] },
      '2.00 iterations/s for 2s (maxVUs: 1-3, gracefulStop: 30s)',
    ],
    [
      { executor: 'ramping-arrival-rate', startRate: 2, preAllocatedVUs: 2, stages: [{ duration: '1s', target: 2 }] },
      { initial: 2, max: 2, durationMs: 1000, plan: [0, 500] },
      'Up to 2.00 iterations/s for 1s over 1 stages (maxVUs: 2, gracefulStop: 30s)',
    ],
  ])('%j', (options, want, banner) => {
    const s = scenario(options);
    const e = executorOf(s);
    const plan = e.plan(s);
    expect({
      initial: e.initialVUs(s),
      max: e.maxVUs(s),
      durationMs: e.durationMs(s),
      plan: typeof plan === 'object' && plan && Symbol.iterator in plan ? [...(plan as Iterable<unknown>)] : plan,
    }).toEqual(want);
    expect(e.describe(s)).toBe(banner);
  });

  it('has one row above per executor of the registry', () => {
    expect(EXECUTOR_NAMES).toEqual([
      'constant-vus',
      'ramping-vus',
      'per-vu-iterations',
      'shared-iterations',
      'constant-arrival-rate',
      'ramping-arrival-rate',
    ]);
  });

  it('reads the common options in ms, with k6 defaults', () => {
    expect(scenario({ executor: 'constant-vus', duration: 1500, startTime: '1m', exec: 'f', tags: { a: 1 }, env: { B: 'x' } })).toEqual({
      name: 's',
      executor: 'constant-vus',
      exec: 'f',
      startTimeMs: 60_000,
      gracefulStopMs: 30_000,
      tags: { a: '1' },
      env: { B: 'x' },
      vus: 1,
      durationMs: 1500,
    });
  });
});

describe("bad options: k6's errors, naming the option", () => {
  it.each([
    [{ executor: 'externally-controlled' }, 'options.scenarios.s.executor: expected one of constant-vus, ramping-vus'],
    ['x', 'options.scenarios.s: expected an object, got "x"'],
    [{ executor: 'constant-vus' }, 'options.scenarios.s.duration: expected a duration like "30s", got undefined'],
    [{ executor: 'constant-vus', duration: '1s', vus: -1 }, 'options.scenarios.s.vus: expected a whole number ≥ 0, got -1'],
    [{ executor: 'constant-vus', duration: '1s', tags: 3 }, 'options.scenarios.s.tags: expected an object of strings, got 3'],
    [
      { executor: 'ramping-vus', stages: [{ duration: 'soon', target: 1 }] },
      'options.scenarios.s.stages[0].duration: expected a duration like "30s", got "soon"',
    ],
    [{ executor: 'ramping-vus', stages: [1] }, 'options.scenarios.s.stages[0]: expected {duration, target}, got 1'],
    [{ executor: 'ramping-vus' }, 'options.scenarios.s.stages: expected an array of {duration, target}, got undefined'],
    [
      { executor: 'shared-iterations', vus: 3, iterations: 2 },
      "options.scenarios.s: the number of VUs (3) can't be more than the number of iterations (2)",
    ],
    [
      { executor: 'constant-arrival-rate', rate: 1, duration: '1s' },
      'options.scenarios.s.preAllocatedVUs: expected a whole number ≥ 0 (required by arrival-rate executors), got undefined',
    ],
    [
      { executor: 'constant-arrival-rate', rate: 1, duration: '0s', preAllocatedVUs: 1 },
      'options.scenarios.s.duration: expected a duration above 0 like "30s", got "0s"',
    ],
    [
      { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 0 },
      'options.scenarios.s.maxVUs: expected at least 1 VU (preAllocatedVUs or maxVUs), got undefined',
    ],
    [
      { executor: 'ramping-arrival-rate', preAllocatedVUs: 1, stages: [] },
      'options.scenarios.s.stages: expected at least one {duration, target}, got []',
    ],
  ])('%j', (options, message) => {
    expect(() => scenario(options as Record<string, unknown>)).toThrow(message);
  });
});
