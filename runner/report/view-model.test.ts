import { describe, expect, it } from 'vitest';
import { decision, healthyShape, run, SETTINGS } from '../../test/testkit/report-builders.ts';
import { caseInput } from '../../test/testkit/report-cases.ts';
import { buildChartSpecs } from './chart-data.ts';
import { uslThroughput } from '../stats/usl.ts';
import { codeText, fractionPct, mdText, ms, pct, perSecond, safeHost, utcMinute } from './format.ts';
import type { ReportInput } from './report-input.ts';
import { buildReportView, reportFileStem, TREND_WEEKS } from './view-model.ts';

/** The input with its newest run's capacity estimate capped at 225 users while the USL still rises (its peak at 1000 users). */
function withCappedPeak(input: ReportInput): ReportInput {
  const newest = input.decision.runs[0]!;
  const runs = input.runs.map((r) => {
    if (r.id !== newest || !r.summary?.capacity.estimate) return r;
    const fit = { ...r.summary.capacity.estimate, sigma: 0, kappa: 1e-6 };
    const estimate = { ...fit, usersAtPeak: 225, peakGoodputPerS: uslThroughput(fit, 225) };
    return { ...r, summary: { ...r.summary, capacity: { ...r.summary.capacity, estimate } } };
  });
  return { ...input, runs };
}

describe('formatting', () => {
  it.each([
    [ms(2480.4), '2480 ms'],
    [ms(2480.5), '2481 ms'],
    [ms(null), '—'],
    [fractionPct(0.0042), '0.42 %'],
    [fractionPct(0), '0.00 %'],
    [pct(1.5), '1.50 %'],
    [pct(undefined), '—'],
    [perSecond(92.44), '92.4/s'],
    [perSecond(Number.NaN), '—'],
    [utcMinute('2026-11-23T00:30:00+01:00'), '2026-11-22 23:30 UTC'],
  ])('%s is %s', (got, expected) => {
    expect(got).toBe(expected);
  });

  it('keeps free text on one line and inside its table cell', () => {
    expect(mdText('a | b\nc <script>')).toBe('a \\| b c \\<script\\>');
    expect(mdText('run `npm run collect`')).toBe('run `npm run collect`');
    expect(mdText('see [here](http://x)')).toBe('see \\[here\\](http://x)');
    expect(codeText('a`b|c')).toBe("a'b¦c");
    expect(mdText('GET https://bob:pw@host/x failed')).toBe('GET https://***@host/x failed');
  });

  it.each([
    ['https://ops:s3cret@app.example.com/search?token=abc&x=1', 'https://app.example.com/search?token=***&x=***'],
    ['https://app.example.com', 'https://app.example.com'],
    ['user:pw@app.example.com', 'app.example.com'],
  ])('shows %s as %s (no credentials)', (host, shown) => {
    expect(safeHost(host)).toBe(shown);
  });

  it('makes a file-safe stem of the environment and week', () => {
    expect(reportFileStem('Streamlit Cloud', { year: 2026, week: 1 })).toBe('streamlit-cloud-2026-W01');
    expect(reportFileStem('../../etc', { year: 2026, week: 47 })).toBe('etc-2026-W47');
    expect(reportFileStem('***', { year: 2026, week: 47 })).toBe('environment-2026-W47');
  });
});

describe('buildReportView', () => {
  it('titles the report with the environment and the ISO week, and gives the week in dates', () => {
    const view = buildReportView(caseInput('go'));
    expect(view.title).toBe('Capacity report — staging — week 2026-W47');
    expect(view.week).toEqual({ id: '2026-W47', from: '2026-11-16', to: '2026-11-22' });
    expect(view.generatedAt).toBe('2026-11-23 08:00 UTC');
  });

  it('lists the runs used newest first, and the excluded ones with their reason', () => {
    const view = buildReportView(caseInput('provisional'));
    expect(view.context.runsUsed.map((r) => r.id)).toEqual(['2026-11-22T0300Z-bb04', '2026-11-20T0300Z-bb03']);
    expect(view.context.runsUsed[0]!.startedAt).toBe('2026-11-22 03:00 UTC');
    expect(view.context.excluded.map((r) => r.id)).toEqual(['2026-11-19T1000Z-bb02', '2026-11-18T0300Z-bb01']);
    expect(view.context.excluded[1]!.reason).toMatch(/engine k6 1.3.0 vs k6 1.4.2/);
  });

  it('reads the context from the newest run used, without credentials', () => {
    const view = buildReportView(caseInput('go'));
    expect(view.context).toMatchObject({
      sourceRunId: '2026-11-22T0300Z-bb04',
      host: 'https://app.example.com/?token=***',
      stages: '5, 20, 50, 75, 100, 150',
      holdPerStage: '10m',
      spawnRate: '5 users/s',
      engine: 'k6 1.4.2',
      targetStage: '100 users',
      keyTransaction: 'search',
    });
  });

  it('gives the key results of every run used, the newest first', () => {
    const view = buildReportView(caseInput('no-go'));
    expect(view.keyResults.newest).toEqual({
      runId: '2026-11-22T0300Z-bb04',
      p95AtTarget: '4180 ms [3846, 4514]',
      errorRateScored: '3.50 %',
      errorRateAll: view.keyResults.rows[0]!.errorRateAll,
      held: 'no',
      saturation: 'yes, from 75 users (goodput stopped following users while p95 rose)',
      saturationWhy: '75 users: goodput +2 % for +50 % users while p95 rose 60 %',
      capacity: 'holds no stage within the green bounds: at 5 users 3.5 % of requests fail (85 of 2430)',
      capacityModel:
        'peak 87.0 successful requests/s at 183 users (USL on goodput, R² 0.97; 78.3–95.7/s at 160–205 users when one stage is left out); p95 would cross 2500 ms at 140 users',
      openModel: '',
    });
    expect(view.keyResults.rows.map((r) => r.held)).toEqual(['no', 'no', 'yes']);
  });

  it('a peak capped at the limit of the extrapolation (throughput still rising) is a lower bound, not a peak', () => {
    const input = withCappedPeak(caseInput('no-go'));
    const view = buildReportView(input);
    expect(view.keyResults.newest!.capacityModel).toBe(
      '≥ 203.5 successful requests/s at 225 users, still rising at the limit of the extrapolation (USL on goodput, R² 0.97; 78.3–95.7/s at 160–205 users when one stage is left out); p95 would cross 2500 ms at 140 users',
    );
    // The trend table gives capacity in users, never the model's figure.
    expect(view.trend.rows.find((r) => r.current)!.capacity).toBe('no stage held');
    const throughput = buildChartSpecs(input).find((c) => c.id === 'throughput-vs-users')!;
    expect(throughput.markers).toEqual([{ label: '≥ 203.5/s at 225 users (still rising)', x: 225 }]);
  });

  it('computes the all-stages error rate from the summary: failed over all requests', () => {
    const r = run({
      id: '2026-11-22T0300Z-aaaa',
      startedAt: '2026-11-22T03:00:00Z',
      shape: (u) => ({ ...healthyShape(u), errorRate: u === 150 ? 0.1 : 0 }),
    });
    const d = decision({ decision: 'go', runIds: [r.id], score: 0, reading: 'ok', levels: {} });
    const view = buildReportView({ ...caseInput('go'), runs: [r], decision: d });
    const stages = r.summary!.stages.map((s) => s.stats!.all);
    const expected = stages.reduce((a, s) => a + s.failures, 0) / stages.reduce((a, s) => a + s.count, 0);
    expect(view.keyResults.newest!.errorRateAll).toBe(fractionPct(expected));
    // With no level in the decision, the scored figure is recomputed over the stages up to the target: none failed.
    expect(view.keyResults.newest!.errorRateScored).toBe('0.00 %');
  });

  it('levels as words, per run in the decision order, with borderline flags', () => {
    const view = buildReportView(caseInput('watch'));
    expect(view.grid.runIds).toEqual(['2026-11-22T0300Z-bb04', '2026-11-20T0300Z-bb03', '2026-11-18T0300Z-bb01']);
    expect(view.grid.rows.map((r) => [r.criterion, r.level])).toEqual([
      ['p95 of search at 100 users', 'orange'],
      ['error rate, stages up to 100 users', 'orange'],
      ['target stage (100 users) held', 'green'],
    ]);
    expect(view.grid.rows[0]!.perRun.map((c) => c.text)).toEqual([
      'orange (2660 ms [2447, 2873]), borderline',
      'orange (2850 ms [2622, 3078])',
      'green (2280 ms [2098, 2462])',
    ]);
    expect(view.grid).toMatchObject({ reds: 'none', score: '2', reading: 'attention (2)' });
    expect(view.grid.oranges).toBe('p95 of search at 100 users; error rate, stages up to 100 users');
  });

  it('decision words, meaning and actions', () => {
    expect(buildReportView(caseInput('go')).decision).toMatchObject({ label: 'Go', provisional: false, actions: [SETTINGS.actions.go] });
    expect(buildReportView(caseInput('no-go')).decision).toMatchObject({
      label: 'No-Go',
      meaning: 'prepare the migration',
      actions: [SETTINGS.actions.noGo],
    });
    expect(buildReportView(caseInput('provisional')).decision).toMatchObject({
      label: 'Watch',
      provisional: true,
      provisionalNote: 'Provisional: rests on 2 comparable runs of the 3 the grid asks for.',
      actions: [SETTINGS.actions.watch, SETTINGS.actions.provisional],
    });
    expect(buildReportView(caseInput('insufficient-data')).decision).toMatchObject({
      label: 'Insufficient data',
      insufficient: true,
      provisional: false,
      actions: [SETTINGS.actions.insufficientData],
    });
  });

  it('trend: earlier weeks oldest first, at most TREND_WEEKS of them, then this week', () => {
    const base = caseInput('go');
    const old = base.previousWeeks[0]!.decision;
    const previousWeeks = Array.from({ length: 12 }, (_, i) => ({ week: { year: 2026, week: 46 - i }, decision: old }));
    const later = { week: { year: 2026, week: 48 }, decision: old };
    const view = buildReportView({ ...base, previousWeeks: [later, ...previousWeeks] });
    expect(view.trend.rows.map((r) => r.week)).toEqual([
      ...Array.from({ length: TREND_WEEKS }, (_, i) => `2026-W${String(46 - TREND_WEEKS + 1 + i).padStart(2, '0')}`),
      '2026-W47',
    ]);
    expect(view.trend.rows.at(-1)).toMatchObject({ current: true, decision: 'Go', runs: '3', p95AtTarget: '2280 ms', errorRate: '0.40 %' });
    expect(view.trend.rows[0]).toMatchObject({ current: false, decision: 'Go (provisional)', p95AtTarget: '2090 ms' });
  });

  it('details: stages sorted by users, with held and notes', () => {
    const r = run({ id: '2026-11-22T0300Z-cccc', startedAt: '2026-11-22T03:00:00Z', suspectStages: [150, 5], saturatedFrom: 100 });
    const summary = r.summary!;
    const manifest = r.manifest!;
    const broken = {
      ...r,
      manifest: {
        ...manifest,
        status: 'failed' as const,
        why: 'the target refused connections at 150 users',
        stages: manifest.stages.map((s) => (s.users === 150 ? { ...s, status: 'target-failed' as const } : s)),
      },
      summary: {
        ...summary,
        stages: [...summary.stages].reverse().map((s) => (s.users === 150 ? { ...s, status: 'target-failed' as const } : s)),
      },
    };
    const d = decision({ decision: 'go', runIds: [r.id], score: 0, reading: 'ok', levels: {} });
    const input: ReportInput = { ...caseInput('go'), runs: [broken], decision: d };
    const details = buildReportView(input).details[0]!;
    expect(details.stages.map((s) => s.users)).toEqual(['5', '20', '50', '75', '100', '150']);
    expect(details.stages.map((s) => s.held)).toEqual(['yes', 'yes', 'yes', 'yes', 'yes', 'no (target failed)']);
    expect(details.stages[4]).toMatchObject({
      requests: '48600',
      throughput: '90.0/s',
      p50: '950 ms',
      p95: '1900 ms',
      p99: '2470 ms',
      errorRate: '0.10 %',
    });
    expect(details.notes).toEqual([
      'Run failed: the target refused connections at 150 users',
      'Saturation from 75 to 100 users: goodput +2 % for +50 % users while p95 rose 60 %',
      "Stage 5 users: Little's law: 1.50 iterations/s × 2.60 s mean iteration = 3.9 busy users for 5 run (−22.0 %, beyond ±10 %): suspect data — fewer users were busy over the hold than the 5 planned: a ramp counted as hold, users that never started, or iterations cut off at the end.",
      "Stage 150 users: Little's law: 31.67 iterations/s × 3.69 s mean iteration = 117.0 busy users for 150 run (−22.0 %, beyond ±10 %): suspect data — fewer users were busy over the hold than the 150 planned: a ramp counted as hold, users that never started, or iterations cut off at the end.",
    ]);
  });

  it('a run without summary still gets its stages from the manifest, and says how to get figures', () => {
    const r = run({ id: '2026-11-22T0300Z-dddd', startedAt: '2026-11-22T03:00:00Z' });
    const d = decision({ decision: 'go', runIds: [r.id], score: 0, reading: 'ok', levels: {} });
    const view = buildReportView({ ...caseInput('go'), runs: [{ ...r, summary: null }], decision: d });
    expect(view.details[0]!.stages.map((s) => s.requests)).toEqual(['—', '—', '—', '—', '—', '—']);
    expect(view.details[0]!.notes[0]).toMatch(/npm run collect/);
    expect(view.charts).toEqual([]);
    expect(view.hasCharts).toBe(false);
  });
});
