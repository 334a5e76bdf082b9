import { describe, expect, it } from 'vitest';
import type { OpenStageRecord } from '../../formats/run-manifest.ts';
import { decision, run } from '../../test/testkit/report-builders.ts';
import { caseInput } from '../../test/testkit/report-cases.ts';
import { loadReportTemplate } from './render.ts';
import type { ReportInput } from './report-input.ts';
import { buildReportView } from './view-model.ts';

/** The open-model stage (`--open-stage`) in the weekly report: reported beside the target stage, not scored. */
const OPEN: OpenStageRecord = {
  kind: 'open',
  executor: 'constant-arrival-rate',
  factor: 1.5,
  afterStage: 100,
  status: 'completed',
  baseRatePerS: 12,
  rate: 18,
  timeUnit: '1s',
  ratePerS: 18,
  preAllocatedVUs: 150,
  maxVUs: 375,
  holdMs: 600_000,
  files: { csv: 'stage-open.csv.gz', summary: 'stage-open.summary.json', log: 'stage-open.log', stats: 'stage-open.stats.json' },
  figures: {
    keyP50Ms: 1800,
    keyP95Ms: 6400.4,
    keyP99Ms: 9100,
    keyCount: 9000,
    requests: 27_000,
    throughputPerS: 45,
    errorRate: 0.012,
    iterationsPerS: 15,
    droppedIterations: 1620,
    droppedPct: 15,
  },
};

function inputWith(open: OpenStageRecord | undefined): ReportInput {
  const r = run({ id: '2026-11-22T0300Z-eeee', startedAt: '2026-11-22T03:00:00Z' });
  const manifest = {
    ...r.manifest!,
    plan: { ...r.manifest!.plan, ...(open ? { openStage: { factor: open.factor } } : {}) },
    ...(open ? { openStage: open } : {}),
  };
  const d = decision({ decision: 'go', runIds: [r.id], score: 0, reading: 'ok', levels: {} });
  return { ...caseInput('go'), runs: [{ ...r, manifest }], decision: d };
}

describe('the open-model stage in the report', () => {
  it('puts its p95 and dropped iterations beside the closed-model p95 at the target stage, in key results and details', async () => {
    const input = inputWith(OPEN);
    const view = buildReportView(input);
    const closedP95 = Math.round(input.runs[0]!.summary!.stages.find((s) => s.users === 100)!.stats!.key.p95Ms!);
    expect(view.keyResults.newest!.openModel).toBe(
      `at 1.5 × the target stage's iteration rate (18.0/s arrivals): p95 6400 ms against ${closedP95} ms in the closed model, 1620 dropped iterations (15.00 %), error rate 1.20 %`,
    );
    const details = view.details[0]!;
    expect(details.stages.at(-1)).toEqual({
      users: 'open model, 1.5 × (18.0/s)',
      status: 'completed',
      requests: '27000',
      throughput: '45.0/s',
      p50: '1800 ms',
      p95: '6400 ms',
      p99: '9100 ms',
      errorRate: '1.20 %',
      held: '1620 dropped iterations (15.00 %)',
    });
    expect(
      details.notes.some((n) =>
        n.startsWith(
          'The open-model row is reported, not scored: a constant arrival rate of 1.5 × the iteration rate of 100 users (18.0/s)',
        ),
      ),
    ).toBe(true);

    const markdown = (await loadReportTemplate())(view);
    expect(markdown).toContain(
      `- Open model (reported, not scored): at 1.5 × the target stage's iteration rate (18.0/s arrivals): p95 6400 ms against ${closedP95} ms`,
    );
    expect(markdown).toContain(
      '| open model, 1.5 × (18.0/s) | completed | 27000 | 45.0/s | 1800 ms | 6400 ms | 9100 ms | 1.20 % | 1620 dropped iterations (15.00 %) |',
    );
  });

  it('says why when it was skipped, with no row', async () => {
    const view = buildReportView(
      inputWith({
        kind: 'open',
        executor: 'constant-arrival-rate',
        factor: 2,
        afterStage: 100,
        status: 'skipped',
        why: 'the target stage (100 users) failed',
        holdMs: 600_000,
      }),
    );
    expect(view.keyResults.newest!.openModel).toBe('skipped (the target stage (100 users) failed)');
    expect(view.details[0]!.stages.map((s) => s.users)).toEqual(['5', '20', '50', '75', '100', '150']);
    expect(view.details[0]!.notes).toContain('Open-model stage skipped: the target stage (100 users) failed.');
    expect((await loadReportTemplate())(view)).toContain(
      '- Open model (reported, not scored): skipped (the target stage (100 users) failed)',
    );
  });

  it('adds nothing for a run without one', async () => {
    const view = buildReportView(inputWith(undefined));
    expect(view.keyResults.newest!.openModel).toBe('');
    expect((await loadReportTemplate())(view)).not.toMatch(/open model/i);
  });
});
