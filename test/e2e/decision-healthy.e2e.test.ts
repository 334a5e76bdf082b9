import { describe, expect, it, vi } from 'vitest';
import { LOAD, figures, levels, threeRunsAndDecide } from '../testkit/decision-runs.ts';
import { useTempDir } from '../testkit/temp-dir.ts';

/** The decision end to end on the healthy demo target: see test/testkit/decision-runs.ts. */
vi.mock(import('../../runner/engines/index.ts'), async (original) =>
  (await import('../testkit/in-process-engine.ts')).withInProcessEngine(await original()),
);

describe('three real runs per demo target, then the decision', () => {
  const tmp = useTempDir('decision-healthy-');

  it('healthy target → Go: every criterion green', async () => {
    const { decision, ids } = await threeRunsAndDecide('healthy', tmp());
    const { levels: got, evidence } = levels(decision);
    expect(got, evidence).toEqual({ p95: 'green', errorRate: 'green', held: 'green' });
    expect(decision, evidence).toMatchObject({
      decision: 'go',
      provisional: false,
      score: 0,
      reading: 'ok',
      excluded: [],
      environment: 'e2e',
      targetStage: LOAD.healthy.users,
    });
    expect([...decision.runs].sort()).toEqual([...ids].sort());
    // No error is possible by design (32 workers, a queue of 500, no injected errors).
    expect(figures(decision, 'errorRate')).toEqual([0, 0, 0]);
    for (const r of decision.criteria.held!.runs) expect(r.rule).toMatch(/^held [0-9.]+m?s of 4s; /);
  }, 150_000);
});
