import { describe, expect, it } from 'vitest';
import { deriveScenarios, type Scenario } from '../scenarios.ts';
import { executorOf } from './index.ts';
import { virtualRun } from '../../test/testkit/virtual-clock.ts';

const scenario = (o: Record<string, unknown>): Scenario =>
  deriveScenarios({ scenarios: { s: o } }, { vus: null, durationMs: null, iterations: null, stages: null })[0]!;

describe('executors run their plan (virtual clock)', () => {
  it('shared-iterations: exactly `iterations` among the VUs, then the scenario ends', async () => {
    const log = await virtualRun(scenario({ executor: 'shared-iterations', vus: 3, iterations: 10 }), 100)();
    expect(log.starts).toHaveLength(10);
    expect(new Set(log.starts.map((x) => x.vu))).toEqual(new Set([1, 2, 3]));
    expect(Math.max(...log.starts.map((x) => x.atMs))).toBe(300); // 4 rounds of 100 ms on 3 VUs
  });

  it('per-vu-iterations: `iterations` on each VU', async () => {
    const log = await virtualRun(scenario({ executor: 'per-vu-iterations', vus: 2, iterations: 3 }), 50)();
    const per = (id: number) => log.starts.filter((x) => x.vu === id).length;
    expect([per(1), per(2), log.starts.length]).toEqual([3, 3, 6]);
  });

  it('constant-vus: every VU loops until the duration is over, none starts after', async () => {
    const log = await virtualRun(scenario({ executor: 'constant-vus', vus: 2, duration: '1s' }), 300)();
    expect(log.starts.map((x) => x.atMs)).toEqual([0, 0, 300, 300, 600, 600, 900, 900]);
    expect([log.maxActive, log.active]).toEqual([2, 0]);
  });

  it('ramping-vus: VUs start at their step of the plan', async () => {
    const s = scenario({ executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 2 }], gracefulRampDown: '0s' });
    const log = await virtualRun(s, 2000)();
    // 0→2 over 1 s: one VU at 500 ms, the second at 1 s (the end: it starts no iteration).
    expect(log.starts).toEqual([{ vu: 1, atMs: 500 }]);
  });

  it('constant-arrival-rate: starts at the planned offsets while VUs are free, drops and allocates when none is', async () => {
    const s = scenario({ executor: 'constant-arrival-rate', rate: 4, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 2 });
    const log = await virtualRun(s, 600, 0)();
    // Plan: 0, 250, 500, 750. VU 1 busy 0–600: 250 dropped (VU 2 allocated), 500 on VU 2, 750 on VU 1.
    expect(log.starts).toEqual([
      { vu: 1, atMs: 0 },
      { vu: 2, atMs: 500 },
      { vu: 1, atMs: 750 },
    ]);
    expect([log.dropped, log.allocated, log.active]).toEqual([1, 1, 0]);
  });

  it('ramping-arrival-rate: every planned iteration started or dropped, never beyond maxVUs', async () => {
    const s = scenario({
      executor: 'ramping-arrival-rate',
      startRate: 0,
      preAllocatedVUs: 1,
      maxVUs: 1,
      stages: [{ duration: '2s', target: 10 }],
    });
    const planned = [...(executorOf(s).plan(s) as Iterable<number>)].length;
    const log = await virtualRun(s, 150)();
    expect(log.starts.length + log.dropped).toBe(planned);
    expect([log.allocated, log.maxActive]).toEqual([0, 1]);
    expect(log.dropped).toBeGreaterThan(0);
  });
});
