import { describe, expect, it } from 'vitest';
import { differences, unusableReason } from '../../decision/comparability.ts';
import type { OpenStageRecord } from '../../formats/run-manifest.ts';
import { RunManifestSchema } from '../../formats/run-manifest.ts';
import { run } from '../../test/testkit/report-builders.ts';

/**
 * The open-model stage runs after every closed stage and is not scored, so a run with one and a
 * run without are compared alike (same stage list, same closed stages): the decision reads the
 * closed stages only. Only an interrupt during it makes the run unusable (the operator stopped it).
 */
describe('comparability with an open-model stage', () => {
  const base = run({ id: '2026-11-22T0300Z-ffff', startedAt: '2026-11-22T03:00:00Z' });
  const withOpen = (open: Partial<OpenStageRecord>) => {
    const record: OpenStageRecord = {
      kind: 'open',
      executor: 'constant-arrival-rate',
      factor: 2,
      afterStage: 100,
      status: 'completed',
      holdMs: 600_000,
      ...open,
    };
    return RunManifestSchema.parse({ ...base.manifest!, plan: { ...base.manifest!.plan, openStage: { factor: 2 } }, openStage: record });
  };

  it.each([['completed'], ['target-failed'], ['engine-failed'], ['skipped']] as const)(
    'a run whose open stage %s is comparable with one without, and usable',
    (status) => {
      const m = withOpen({ status });
      expect(differences(m, base.manifest!)).toEqual([]);
      expect(differences(base.manifest!, m)).toEqual([]);
      expect(unusableReason({ ...base, manifest: m, problem: null })).toBeNull();
    },
  );

  it('an old run.json without the open-stage fields still parses', () => {
    const { openStage: _open, ...old } = withOpen({});
    const { openStage: _planOpen, ...oldPlan } = old.plan;
    expect(RunManifestSchema.parse({ ...old, plan: oldPlan })).not.toHaveProperty('openStage');
  });
});
