import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, applyOverrides } from '../formats/config.ts';
import { type RunSpec, type StageSpec, runManifest, runSummary, trend, windows } from '../test/testkit/runs.ts';
import { degradedWindows, errorRateLevel, levelRun, p95Level } from './levels.ts';

/** Levels of a default run whose target stage (100 users) has the given statistics. */
function level(target: StageSpec, spec: RunSpec = {}, config = DEFAULT_CONFIG) {
  const s = { ...spec, stats: { ...spec.stats, 100: target } };
  const manifest = runManifest(s);
  return levelRun(manifest, runSummary(manifest, s), config);
}

describe('p95 at the target stage: green ≤ 2500 ms, orange ≤ 4000 ms, red above', () => {
  it.each([
    [0, 'green'],
    [2499.99, 'green'],
    [2500, 'green'],
    [2500.01, 'orange'],
    [2501, 'orange'],
    [3999, 'orange'],
    [4000, 'orange'],
    [4000.5, 'red'],
    [4001, 'red'],
    [60_000, 'red'],
  ])('%d ms → %s', (p95, expected) => {
    expect(p95Level(p95, DEFAULT_CONFIG.criteria.p95Ms)).toBe(expected);
    const r = level({ p95Ms: p95, p95Ci: null }).p95;
    expect(r.level).toBe(expected);
    expect(r.figure).toBe(p95);
  });

  it('writes the figure without rounding it onto a bound it is not on', () => {
    expect(level({ p95Ms: 2500.3, p95Ci: null }).p95.rule).toBe(
      'p95 of "search" at 100 users 2500.3 ms (no confidence interval: too few windows) > 2500 ms and ≤ 4000 ms → orange',
    );
    expect(level({ p95Ms: 2480.35, p95Ci: { lowMs: 2260, highMs: 2700 } }).p95.rule).toBe(
      'p95 of "search" at 100 users 2480 ms [2260 ms, 2700 ms] ≤ 2500 ms → green; borderline: the 95 % interval crosses a bound',
    );
  });

  it.each([
    // point, CI, level, borderline
    [2480, [2260, 2700], 'green', true],
    [2480, [2300, 2500], 'green', false],
    [2600, [2400, 2800], 'orange', true],
    [3900, [3700, 4100], 'orange', true],
    [3000, [2600, 3900], 'orange', false],
    [4100, [3900, 4300], 'red', true],
    [5000, [4500, 5500], 'red', false],
  ] as const)(
    'p95 %d ms with CI %j → %s, borderline %s (the level stays the point estimate’s)',
    (p95, [lowMs, highMs], expected, borderline) => {
      const r = level({ p95Ms: p95, p95Ci: { lowMs, highMs } }).p95;
      expect(r.level).toBe(expected);
      expect(r.borderline).toBe(borderline);
      expect(r.ci).toEqual({ lowMs, highMs });
    },
  );

  it('follows the configured bounds', () => {
    const config = applyOverrides(DEFAULT_CONFIG, { criteria: { p95Ms: { green: 1000, orange: 1500 } } });
    expect(level({ p95Ms: 1200 }, {}, config).p95.level).toBe('orange');
    expect(level({ p95Ms: 1200 }, {}, config).p95.bound).toBe('green ≤ 1000 ms, orange ≤ 1500 ms, red above');
  });
});

describe('error rate up to and including the target: green < 1 %, orange ≤ 3 %, red above', () => {
  it.each([
    [0, 'green'],
    [1, 'green'],
    [99, 'green'], // 0.99 %
    [100, 'orange'], // 1 % exactly
    [101, 'orange'],
    [299, 'orange'],
    [300, 'orange'], // 3 % exactly
    [301, 'red'], // 3.01 %
    [10_000, 'red'],
  ])('%d failed of 10 000 → %s', (failures, expected) => {
    expect(errorRateLevel(failures, 10_000, DEFAULT_CONFIG.criteria.errorRatePct)).toBe(expected);
  });

  it.each([
    // failures per stage on 5 stages × 10 000 requests (stages 5 … 100): the rate is over all of them
    [[0, 0, 0, 0, 495], '0.99 %', 'green'],
    [[100, 100, 100, 100, 100], '1 %', 'orange'],
    [[0, 0, 0, 0, 1500], '3 %', 'orange'],
    [[301, 301, 301, 301, 301], '3.01 %', 'red'],
  ])('stages up to the target with failures %j → %s → %s', (failures, pct, expected) => {
    const stats = Object.fromEntries([5, 20, 50, 75].map((u, i) => [u, { failures: failures[i]! }]));
    const r = level({ failures: failures[4]! }, { stats }).errorRate;
    expect(r.level).toBe(expected);
    expect(r.rule).toContain(`failed of 50000 requests over stages 5, 20, 50, 75, 100 = ${pct} `);
  });

  it('reports the stress stages beyond the target without scoring them', () => {
    const r = level({}, { stats: { 150: { failures: 2500 } } }).errorRate;
    expect(r.level).toBe('green');
    expect(r.figure).toBe(0);
    expect(r.rule).toBe(
      '0 failed of 50000 requests over stages 5, 20, 50, 75, 100 = 0 % < 1 % → green; beyond the target (reported, not scored): 150 users 25 %',
    );
  });

  it('writes a rate next to a bound with enough decimals to tell them apart', () => {
    const r = level({ failures: 30_001, count: 1_000_000 }, { stages: [100], targetStage: 100 }).errorRate;
    expect(r.level).toBe('red');
    expect(r.rule).toBe('30001 failed of 1000000 requests over stages 100 = 3.0001 % > 3 % → red');
  });
});

describe('missing target data is red, saying why', () => {
  it.each([
    [
      'target stage skipped',
      { stageStatus: { 75: { status: 'target-failed', why: 'connection refused' }, 100: 'skipped', 150: 'skipped' } } as RunSpec,
      'the target stage (100 users) did not run (skipped)',
    ],
    [
      'target stage failed without a readable CSV',
      { stageStatus: { 100: { status: 'target-failed', why: 'no response' }, 150: 'skipped' }, stats: { 100: null } } as RunSpec,
      'no statistics for the target stage (100 users) (target-failed: no response)',
    ],
    [
      'target not in the stage list',
      { stages: [5, 20, 50], targetStage: 100 } as RunSpec,
      "the target stage (100 users) is not in the run's stage list",
    ],
  ])('%s', (_, spec, why) => {
    const manifest = runManifest(spec);
    const levels = levelRun(manifest, runSummary(manifest, spec), DEFAULT_CONFIG);
    for (const r of [levels.p95, levels.errorRate, levels.held]) {
      expect(r.level).toBe('red');
      expect(r.figure).toBeNull();
      expect(r.rule).toContain(why);
    }
  });

  it('every key transaction request failed at the target (refused connections, ~0 ms each): p95 red, not green', () => {
    const r = level({ p95Ms: 0, p95Ci: { lowMs: 0, highMs: 0 }, count: 3000, failures: 3000, byCode: { 1212: 3000 } }).p95;
    expect(r).toMatchObject({
      level: 'red',
      figure: null,
      borderline: false,
      rule: 'no request of "search" succeeded at the target stage (100 users, 1000 failed): the target failed → red',
    });
    // One success is enough for the p95 to be a measurement.
    expect(level({ p95Ms: 0, count: 3000, failures: 2997 }).p95.level).toBe('green');
  });

  it('no key transaction sample at the target: p95 red', () => {
    const r = level({ p95Ms: null }).p95;
    expect(r).toMatchObject({ level: 'red', figure: null, rule: 'no "search" request at the target stage (100 users) → red' });
  });
});

describe('target stage held', () => {
  const steady = windows();

  it('green: held the whole hold, steady, no outlier', () => {
    const r = level({}).held;
    expect(r.level).toBe('green');
    expect(r.figure).toBeNull();
    expect(r.rule).toMatch(/^held 10m of 10m; throughput kept: .* → held, no degradation → green$/);
  });

  it.each([
    [
      'ended target-failed',
      { stageStatus: { 100: { status: 'target-failed', why: 'refused' }, 150: 'skipped' } },
      {},
      'the stage ended target-failed: refused',
    ],
    ['ended interrupted', { stageStatus: { 100: 'interrupted', 150: 'skipped' } }, {}, 'the stage ended interrupted'],
    [
      'ended engine-failed',
      { stageStatus: { 100: { status: 'engine-failed', why: 'OOM' }, 150: 'skipped' } },
      {},
      'the stage ended engine-failed: OOM',
    ],
    ['held short of its plan', {}, { heldMs: 420_000 }, 'held 7m of 10m'],
    ['held short, CSV cut', {}, { heldMs: 420_000, truncated: true }, 'held 7m of 10m (CSV cut short)'],
    ['error rate red at the stage', {}, { failures: 301 }, 'error rate at the stage 3.01 % > 3 %'],
    ['timeouts in bulk', {}, { failures: 150, timeouts: 100 }, '100 requests timed out (1 % ≥ 1 %)'],
    [
      'throughput collapsed',
      {},
      { windows: windows({ throughputPerS: (i: number) => (i < 12 ? 20 : 8) }) },
      'throughput collapsed: last 3 windows 8/s vs first 20/s (< 50 %)',
    ],
    [
      'latency grew ≥ 25 %',
      {},
      { latencyTrend: trend({ pValue: 0.001, changePctOverHold: 25 }) },
      'mean latency: Mann–Kendall p = 0.001, Theil–Sen +25 % over the hold ≥ +25 % → not stable',
    ],
    [
      'throughput fell ≥ 25 %',
      {},
      { throughputTrend: trend({ direction: 'decreasing', pValue: 0.002, changePctOverHold: -30 }) },
      'throughput: Mann–Kendall p = 0.002, Theil–Sen −30 % over the hold ≥ −25 % → not stable',
    ],
  ] as [string, RunSpec, StageSpec, string][])('red when %s', (_, spec, target, why) => {
    const r = level(target, spec).held;
    expect(r.level).toBe('red');
    expect(r.rule).toContain(why);
    expect(r.rule).toMatch(/→ not held → red$/);
  });

  it.each([
    ['a hold a second short (1 s timestamps)', { heldMs: 599_000 }],
    ['a hold within 1 % of the plan', { heldMs: 594_000 }],
    ['a few timeouts', { failures: 10, timeouts: 9 }],
    ['an error rate of 3 % at the stage', { failures: 300 }],
    ['throughput down to just half', { windows: windows({ throughputPerS: (i: number) => (i < 12 ? 20 : 10) }) }],
    ['a significant rise under +10 %', { latencyTrend: trend({ pValue: 0.001, changePctOverHold: 9.9 }) }],
    ['a +30 % rise that is not significant', { latencyTrend: trend({ pValue: 0.2, changePctOverHold: 30 }) }],
    ['a significant fall of latency', { latencyTrend: trend({ direction: 'decreasing', pValue: 0.001, changePctOverHold: -30 }) }],
    ['no trend test (too few windows)', { latencyTrend: null, throughputTrend: null }],
  ] as [string, StageSpec][])('not red for %s', (_, target) => {
    expect(level(target).held.level).toBe('green');
  });

  it('a tested trend that is not significant gives no Theil–Sen change', () => {
    const r = level({ latencyTrend: trend({ pValue: 0.2, changePctOverHold: 30 }) }).held;
    expect(r.rule).toContain('mean latency: no significant rise (Mann–Kendall p = 0.2, α = 0.05)');
    expect(r.rule).not.toContain('+30 %');
  });

  describe('a 5 s hold: too short to test a trend (SPEC §2)', () => {
    // 18 windows of 250 ms after a 500 ms warm-up, 12 to 26 key requests each: 5 reach 20.
    const short = windows({
      n: 18,
      windowMs: 250,
      throughputPerS: 200,
      keyCount: (i: number) => [12, 8, 15, 23, 26, 19, 11, 15, 16, 21, 19, 17, 13, 18, 21, 15, 18, 24][i]!,
    });
    // The collector computes no trend then; a trend here would be a leftover and must not count.
    const target = { holdMs: 5000, heldMs: 5000, windows: short, latencyTrend: trend({ pValue: 0.001, changePctOverHold: 234.8 }) };
    it.each([
      ['held, nothing else: green', {}, 'green'],
      ['error rate red: red', { failures: 400 }, 'red'],
      [
        'an outlier window above the p95 bound: orange',
        { outlierWindows: [3], windows: windows({ n: 18, windowMs: 250, keyCount: 15, keyP95Ms: (i: number) => (i === 3 ? 3000 : 300) }) },
        'orange',
      ],
    ] as [string, StageSpec, string][])('%s', (_, extra, expected) => {
      const r = level({ ...target, ...extra }, { holdMs: 5000 }).held;
      expect(r.level).toBe(expected);
      expect(r.rule).toMatch(
        /too short to test a trend \(\d+ windows?; the test needs 10 windows of ≥ 20 key requests, and \d+ of the 18 windows after the warm-up hold fewer\)/,
      );
      expect(r.rule).not.toMatch(/Theil–Sen|Mann–Kendall p|234/);
    });
    it('says how many windows it had', () => {
      expect(level(target, { holdMs: 5000 }).held.rule).toContain('too short to test a trend (5 windows; ');
    });
  });

  it('a hold short by more than the tolerance is not held', () => {
    expect(level({ heldMs: 593_000 }).held.level).toBe('red');
  });

  it.each([
    // planned hold, held, mean iteration, resolution → held?
    [20_000, 17_500, 3_000, 1, 'red'],
    [20_000, 18_200, 3_000, 1, 'green'], // a short demo hold with 3 s iterations: within one iteration of the end
    [20_000, 17_900, 60_000, 1, 'red'], // stalled iterations do not stretch the tolerance past 10 % of the hold
    [20_000, 18_100, 60_000, 1, 'green'],
    [20_000, 18_000, 100, 1000, 'green'], // 1 s timestamps: 2 s
  ])('a %d ms hold that measured %d ms with %d ms iterations (%d ms timestamps) → %s', (holdMs, heldMs, meanIter, res, expected) => {
    const spec = { holdMs, heldMs };
    const manifest = runManifest({ holdMs, stats: { 100: spec } });
    const summary = runSummary(manifest, { stats: { 100: spec } });
    const stats = summary.stages.find((s) => s.users === 100)!.stats!;
    stats.iterations.meanDurationMs = meanIter;
    stats.source.timeResolutionMs = res;
    expect(levelRun(manifest, summary, DEFAULT_CONFIG).held.level).toBe(expected);
  });

  it.each([
    ['+10 % (the bound)', 10],
    ['+14 %', 14],
    ['+24.9 %', 24.9],
  ])('orange for a significant latency rise of %s (continuous degradation)', (_, pct) => {
    const r = level({ latencyTrend: trend({ pValue: 0.003, changePctOverHold: pct }) }).held;
    expect(r.level).toBe('orange');
    expect(r.rule).toBe(
      `mean latency: Mann–Kendall p = 0.003, Theil–Sen +${pct} % over the hold → continuous degradation → held with degradation → orange`,
    );
  });

  it('orange for a significant throughput fall between 10 and 25 %', () => {
    const r = level({ throughputTrend: trend({ direction: 'decreasing', pValue: 0.01, changePctOverHold: -12 }) }).held;
    expect(r.level).toBe('orange');
  });

  it('the trend thresholds come from the config', () => {
    const config = applyOverrides(DEFAULT_CONFIG, { criteria: { held: { trendAlpha: 0.01, trendMinPct: 5, trendRedPct: 12 } } });
    expect(level({ latencyTrend: trend({ pValue: 0.02, changePctOverHold: 30 }) }, {}, config).held.level).toBe('green');
    expect(level({ latencyTrend: trend({ pValue: 0.005, changePctOverHold: 6 }) }, {}, config).held.level).toBe('orange');
    expect(level({ latencyTrend: trend({ pValue: 0.005, changePctOverHold: 12 }) }, {}, config).held.level).toBe('red');
  });

  describe('occasional degradation: outlier windows above the p95 green bound', () => {
    const spiky = (p95: number) => windows({ keyP95Ms: (i: number) => (i === 7 || i === 12 ? p95 : 1200) });

    it('orange when outlier windows are above 2500 ms', () => {
      const r = level({ windows: spiky(3100), outlierWindows: [7, 12] }).held;
      expect(r.level).toBe('orange');
      expect(r.rule).toBe(
        'occasional degradation: 2 outlier windows with p95 above 2500 ms (#7 3100 ms, #12 3100 ms) → held with degradation → orange',
      );
    });

    it('green when the outliers stay under the green bound', () => {
      const r = level({ windows: spiky(2400), outlierWindows: [7, 12] }).held;
      expect(r.level).toBe('green');
      expect(r.rule).toContain('2 outlier windows, none above 2500 ms');
    });

    it('green when slow windows are the norm, not outliers', () => {
      expect(level({ windows: windows({ keyP95Ms: (i: number) => 2600 + (i % 3) * 200 }), outlierWindows: [] }).held.level).toBe('green');
    });

    it.each([
      [[1000, 3000, 2600, 900], [1, 2], 2500, [1, 2]],
      [[1000, 3000, 2600, 900], [1, 2], 2800, [1]],
      [[1000, 3000, 2600, 900], [], 500, []],
      [[1000, null, 2600, 900], [1, 2], 2500, [2]], // a window without key samples is no evidence
    ] as [(number | null)[], number[], number, number[]][])(
      'windows %j, outliers %j, green %d → degraded %j',
      (p95s, outlierWindows, green, expected) => {
        const ws = windows({ n: p95s.length, keyP95Ms: (i: number) => p95s[i]! });
        expect(degradedWindows({ windows: ws, outlierWindows }, green).map((w) => w.index)).toEqual(expected);
      },
    );
  });

  it('red reasons all show, with any degradation seen', () => {
    const r = level({ heldMs: 300_000, failures: 500, latencyTrend: trend({ pValue: 0.01, changePctOverHold: 12 }) }).held;
    expect(r.rule).toBe(
      'held 5m of 10m; error rate at the stage 5 % > 3 %; mean latency: Mann–Kendall p = 0.01, Theil–Sen +12 % over the hold → continuous degradation → not held → red',
    );
    expect(steady).toHaveLength(18);
  });
});
