import { describe, expect, it, vi } from 'vitest';
import { figures, levels, threeRunsAndDecide } from '../testkit/decision-runs.ts';
import { useTempDir } from '../testkit/temp-dir.ts';

/** The decision end to end on the flaky demo target: see test/testkit/decision-runs.ts. */
vi.mock(import('../../runner/engines/index.ts'), async (original) =>
  (await import('../testkit/in-process-engine.ts')).withInProcessEngine(await original()),
);

describe('three real runs per demo target, then the decision', () => {
  const tmp = useTempDir('decision-flaky-');

  it('flaky target → No-Go on the error rate (one request in five fails), p95 green', async () => {
    const { decision, ids } = await threeRunsAndDecide('flaky', tmp());
    const { levels: got, evidence } = levels(decision);
    // SPEC §2: a red error rate at the target stage also means the stage was not held.
    expect(got, evidence).toEqual({ p95: 'green', errorRate: 'red', held: 'red' });
    expect(decision, evidence).toMatchObject({ decision: 'no-go', provisional: false, score: 4, reading: 'migrate', excluded: [] });
    expect([...decision.runs].sort()).toEqual([...ids].sort());
    // 20 % injected 500s; with ~180 requests a run, 8–35 % is more than four standard deviations wide.
    for (const rate of figures(decision, 'errorRate')) {
      expect(rate).toBeGreaterThan(8);
      expect(rate).toBeLessThan(35);
    }
  }, 150_000);
});
