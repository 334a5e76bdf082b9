import { describe, expect, it, vi } from 'vitest';
import { levels, threeRunsAndDecide } from '../testkit/decision-runs.ts';
import { useTempDir } from '../testkit/temp-dir.ts';

/** The decision end to end on the saturating demo target: see test/testkit/decision-runs.ts. */
vi.mock(import('../../runner/engines/index.ts'), async (original) =>
  (await import('../testkit/in-process-engine.ts')).withInProcessEngine(await original()),
);

describe('three real runs per demo target, then the decision', () => {
  const tmp = useTempDir('decision-saturating-');

  it('saturating target → No-Go: p95 red (the service alone exceeds the bound), 503s make the error rate red, the target stage not held', async () => {
    const { decision, ids } = await threeRunsAndDecide('saturating', tmp());
    const { levels: got, evidence } = levels(decision);
    // 2 workers and a queue of 4 (capacity ≈ 12.5 requests/s) against 10 users with short think
    // times: the queue overflows and the overflow is answered 503 at once.
    expect(got, evidence).toEqual({ p95: 'red', errorRate: 'red', held: 'red' });
    expect(decision, evidence).toMatchObject({ decision: 'no-go', provisional: false, score: 6, reading: 'migrate', excluded: [] });
    expect([...decision.runs].sort()).toEqual([...ids].sort());
    // Not held because of the error rate (SPEC §2: a red error rate at the target stage).
    expect(
      decision.criteria.held!.runs.filter((r) => /error rate at the stage .* > 3 %/.test(r.rule)).length,
      evidence,
    ).toBeGreaterThanOrEqual(2);
  }, 150_000);
});
