import { describe, expect, it } from 'vitest';
import { runSummaryFormat } from '../../formats/run-summary.ts';
import { stageStatsFormat } from '../../formats/stage-stats.ts';
import { stageStats } from '../../test/testkit/runs.ts';
import { errorRiseP, summarizeRun, type SummaryBounds } from './run-summary.ts';

const B: SummaryBounds = { p95GreenMs: 2500, errorRatePct: { green: 1, orange: 3 } };
import { fitUsl, peakIsCapped, uslPeakUsers, uslThroughput } from './usl.ts';

describe('USL fit on data made from known parameters', () => {
  it.each([
    { lambda: 10, sigma: 0.02, kappa: 0.0001 },
    { lambda: 3, sigma: 0.1, kappa: 0 },
    { lambda: 50, sigma: 0, kappa: 0.00002 },
    { lambda: 1.2, sigma: 0.3, kappa: 0.001 },
  ])('recovers λ $lambda σ $sigma κ $kappa', (p) => {
    const fit = fitUsl([5, 20, 50, 75, 100, 150].map((n) => ({ users: n, throughput: uslThroughput(p, n) })))!;
    expect(fit.lambda).toBeCloseTo(p.lambda, 4);
    expect(fit.sigma).toBeCloseTo(p.sigma, 5);
    expect(fit.kappa).toBeCloseTo(p.kappa, 7);
    expect(fit.r2).toBeGreaterThan(0.9999);
    for (const r of fit.residuals) expect(r.fitted).toBeCloseTo(r.observed, 4);
  });

  it('fits noisy data closely and reports the residuals', () => {
    const p = { lambda: 10, sigma: 0.02, kappa: 0.0001 };
    const noise = [1.02, 0.97, 1.01, 0.99, 1.03, 0.98];
    const fit = fitUsl([5, 20, 50, 75, 100, 150].map((n, i) => ({ users: n, throughput: uslThroughput(p, n) * noise[i]! })))!;
    expect(fit.r2).toBeGreaterThan(0.95);
    expect(Math.abs(uslPeakUsers(fit) - uslPeakUsers(p)) / uslPeakUsers(p)).toBeLessThan(0.2);
    expect(fit.residuals.map((r) => r.users)).toEqual([5, 20, 50, 75, 100, 150]);
  });

  it('needs 3 points', () => {
    expect(
      fitUsl([
        { users: 5, throughput: 1 },
        { users: 10, throughput: 2 },
      ]),
    ).toBeNull();
  });
});

/** Stages of a run from (users, throughput, key p95, failures). */
function run(rows: Array<[number, number, number, number?]>, extra: { littlesLawOkAt?: number[] } = {}) {
  return rows.map(([users, throughputPerS, p95Ms, failures]) => ({
    users,
    status: 'completed' as const,
    stats: stageStats({
      users,
      throughputPerS,
      p95Ms,
      failures: failures ?? 0,
      littlesLawOk: !(extra.littlesLawOkAt ?? []).includes(users),
    }),
  }));
}

describe('saturation signal (SPEC §2)', () => {
  type Row = [number, number, number, number?];
  it.each([
    {
      name: 'linear scaling: none',
      rows: [
        [5, 10, 500],
        [20, 40, 510],
        [50, 100, 520],
      ] as Row[],
      first: null,
      signals: [[], []],
    },
    // 50 → 75: users +50 %, goodput +10 % (ratio 0.2 < 0.25) and p95 +40 %: saturated at 75.
    {
      name: 'goodput flat, p95 up',
      rows: [
        [5, 10, 500],
        [50, 100, 500],
        [75, 110, 700],
      ] as Row[],
      first: 75,
      signals: [[], ['goodput-flat-p95-up']],
    },
    // Goodput flat but p95 only +20 %: not the signal.
    {
      name: 'flat, p95 +20 %',
      rows: [
        [50, 100, 500],
        [75, 110, 600],
      ] as Row[],
      first: null,
      signals: [[]],
    },
    // p95 +50 % but goodput followed users: not the signal.
    {
      name: 'p95 up, goodput follows',
      rows: [
        [50, 100, 500],
        [75, 150, 750],
      ] as Row[],
      first: null,
      signals: [[]],
    },
    // 150 of 10 000 = 1.5 %: the error rate leaves green (and the rise is significant and ≥ 0.5 points).
    {
      name: 'error rate leaves green',
      rows: [
        [5, 10, 500],
        [20, 40, 500],
        [50, 100, 500, 150],
      ] as Row[],
      first: 50,
      signals: [[], ['error-rate-left-green', 'error-rate-rise']],
    },
    // 80 of 10 000 = 0.8 %, from 0: green still, but significant and ≥ 0.5 points.
    {
      name: 'error rate rises beyond noise, still green',
      rows: [
        [20, 40, 500],
        [50, 100, 500, 80],
      ] as Row[],
      first: 50,
      signals: [['error-rate-rise']],
    },
    // 30 of 10 000 = 0.3 %: significant (p < 0.001) but under 0.5 points: noise.
    {
      name: 'a significant rise under 0.5 points',
      rows: [
        [20, 40, 500],
        [50, 100, 500, 30],
      ] as Row[],
      first: null,
      signals: [[]],
    },
    // 1.2 % at the first stage: saturated there already.
    {
      name: 'error rate not green at the first stage',
      rows: [
        [5, 10, 500, 120],
        [20, 40, 500, 90],
      ] as Row[],
      first: 5,
      signals: [[]],
    },
    {
      name: 'a few failures at the first stage are not saturation',
      rows: [
        [5, 10, 500, 1],
        [20, 40, 500, 2],
      ] as Row[],
      first: null,
      signals: [[]],
    },
  ])('$name', ({ rows, first, signals }) => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, stages: run(rows) });
    expect(s.saturation.firstStage).toBe(first);
    expect(s.saturation.steps.map((x) => x.signals)).toEqual(signals);
    expect(s.saturation.steps.map((x) => x.saturated)).toEqual(signals.map((x) => x.length > 0));
    expect(s.saturation.why).toBeTruthy();
  });

  it('3 failures in 1003 requests after none in 700 are not saturation, and the words say why', () => {
    const stages = [
      { users: 75, status: 'completed' as const, stats: stageStats({ users: 75, count: 700, throughputPerS: 140, p95Ms: 290 }) },
      {
        users: 100,
        status: 'completed' as const,
        stats: stageStats({ users: 100, count: 1003, failures: 3, throughputPerS: 200.6, p95Ms: 300 }),
      },
    ];
    const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, stages });
    const step = s.saturation.steps[0]!;
    expect(s.saturation.firstStage).toBeNull();
    expect(step.saturated).toBe(false);
    expect(step.errorRiseP!).toBeGreaterThan(0.05);
    expect(step.why).toMatch(
      /error rate 0\.00 % → 0\.30 % \(3 of 1003 failed\): noise, not saturation \(not significant \(one-sided two-proportion test p = 0\.0\d\d ≥ 0\.05\), 0\.30 points < 0\.5\)/,
    );
  });

  it('names the signal that fired with its figures', () => {
    const s = summarizeRun({
      runId: 'r',
      keyName: 'search',
      ...B,
      stages: run([
        [100, 200, 300],
        [150, 220, 444, 1320],
      ]),
    });
    expect(s.saturation.signals).toEqual(['goodput-flat-p95-up', 'error-rate-left-green', 'error-rate-rise']);
    const why = s.saturation.why;
    // Goodput = all requests × (1 − 13.2 %) = 190.96/s: fell, a negative share of the +50 % users.
    expect(why).toMatch(
      /^from 100 to 150 users: goodput gained −\d+ % of the proportional gain \(200\.0 → 191\.0 successful requests\/s for \+50 % users\), under 25 %, while p95 rose \+48 % \(300 → 444 ms\), over 25 %/,
    );
    expect(why).toMatch(
      /; error rate 0\.00 % → 13\.20 % \(1320 of 10000 failed\): at or above the green bound of 1 %, and a rise of 13\.20 points \(≥ 0\.5\), significant \(one-sided two-proportion test p < 0\.001, α 0\.05\)$/,
    );
  });

  it('computes the goodput gain ratio and p95 rise of a step', () => {
    const s = summarizeRun({
      runId: 'r',
      keyName: 'search',
      ...B,
      stages: run([
        [50, 100, 500],
        [75, 110, 700],
      ]),
    });
    const step = s.saturation.steps[0]!;
    expect(step.goodputGainRatio).toBeCloseTo(0.2, 12);
    expect(step.p95RisePct).toBeCloseTo(40, 12);
    expect(step.why).toMatch(/goodput gained 20 % of the proportional gain/);
  });

  it.each([
    // Textbook values: 0/700 → 3/1003 (z ≈ 1.45), 10/1000 → 30/1000 (z ≈ 3.1).
    { f1: 0, n1: 700, f2: 3, n2: 1003, p: 0.074 },
    { f1: 10, n1: 1000, f2: 30, n2: 1000, p: 0.001 },
    { f1: 10, n1: 1000, f2: 10, n2: 1000, p: null },
    { f1: 10, n1: 1000, f2: 5, n2: 1000, p: null },
  ])('two-proportion test: $f1/$n1 → $f2/$n2', ({ f1, n1, f2, n2, p }) => {
    const got = errorRiseP(f1, n1, f2, n2);
    if (p === null) expect(got).toBeNull();
    else expect(got!).toBeCloseTo(p, 3);
  });

  it('skips stages without statistics and stages whose engine broke', () => {
    const stages = [
      ...run([
        [5, 10, 500],
        [20, 40, 500],
      ]),
      { users: 50, status: 'engine-failed' as const, stats: stageStats({ users: 50, throughputPerS: 1, p95Ms: 9000, failures: 10 }) },
      { users: 75, status: 'skipped' as const, stats: null },
    ];
    const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, stages });
    expect(s.saturation.steps.map((x) => x.toUsers)).toEqual([20]);
    expect(s.stages.map((x) => x.users)).toEqual([5, 20, 50, 75]);
  });
});

describe('capacity in users (SPEC §2)', () => {
  it('a run whose last stage fails 13 % of requests holds the previous stage, and the USL is fitted on goodput', () => {
    // Throughput of all requests keeps rising to 150 users, but 13 % of those requests fail.
    const rows: Array<[number, number, number, number?]> = [
      [5, 10, 200],
      [20, 40, 210],
      [50, 100, 220],
      [75, 150, 240],
      [100, 200, 300],
      [150, 290, 360, 1300],
    ];
    const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, stages: run(rows) });
    expect(s.capacity.users).toBe(100);
    expect(s.capacity.words).toBe('holds 100 users; at 150 users 13 % of requests fail (1300 of 10000)');
    const e = s.capacity.estimate!;
    // The fit's observations are goodput: 290 × 0.87 = 252.3 at 150 users, not 290.
    expect(e.residuals.find((r) => r.users === 150)!.observed).toBeCloseTo(252.3, 6);
    expect(e.residuals.find((r) => r.users === 100)!.observed).toBeCloseTo(200, 6);
    // 13 % is a red error rate: the estimate stops at 150 users and says so.
    expect(e.limit).toEqual({ users: 150, reason: 'red-error-rate' });
    expect(e.usersAtPeak).toBeLessThanOrEqual(150);
    expect(e.uncertainty!.refits).toBeGreaterThanOrEqual(2);
    expect(e.uncertainty!.peakGoodputLowPerS).toBeLessThanOrEqual(e.peakGoodputPerS);
    expect(e.uncertainty!.peakGoodputHighPerS).toBeGreaterThanOrEqual(e.peakGoodputPerS);
    expect(s.capacity.note).toMatch(/USL fitted to goodput \(successful requests\/s\) over 6 stages/);
    expect(s.capacity.note).toMatch(/above the 100 users held within the bounds: a model figure, not a measured one/);
    expect(() => runSummaryFormat.parse(runSummaryFormat.stringify(s), 'summary.json')).not.toThrow();
  });

  it.each([
    {
      name: 'every stage holds',
      rows: [
        [5, 10, 200],
        [20, 40, 200],
        [50, 100, 200],
      ],
      users: 50,
      words: 'holds 50 users, the largest stage run: the limit lies beyond it',
    },
    {
      name: 'p95 above green at the last stage',
      rows: [
        [5, 10, 200],
        [20, 40, 200],
        [50, 100, 2600],
      ],
      users: 20,
      words: 'holds 20 users; at 50 users p95 of "search" 2600 ms > 2500 ms',
    },
    {
      name: 'no stage holds',
      rows: [
        [5, 10, 2600],
        [20, 40, 2700],
      ],
      users: null,
      words: 'holds no stage within the green bounds: at 5 users p95 of "search" 2600 ms > 2500 ms',
    },
    {
      name: 'a smaller stage that did not hold is said',
      rows: [
        [5, 10, 200],
        [20, 40, 200, 150],
        [50, 100, 200],
      ],
      users: 50,
      words:
        'holds 50 users (though 20 users did not: 1.5 % of requests fail (150 of 10000)), the largest stage run: the limit lies beyond it',
    },
  ] as Array<{ name: string; rows: Array<[number, number, number, number?]>; users: number | null; words: string }>)(
    '$name',
    ({ rows, users, words }) => {
      const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, stages: run(rows) });
      expect(s.capacity.users).toBe(users);
      expect(s.capacity.words).toBe(words);
    },
  );

  it('a stage that did not complete its hold is not capacity', () => {
    const stages = run([
      [5, 10, 200],
      [20, 40, 200],
    ]);
    stages[1] = { ...stages[1]!, status: 'target-failed' as never };
    const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, stages });
    expect(s.capacity.users).toBe(5);
    expect(s.capacity.words).toBe('holds 5 users; at 20 users the stage ended target-failed');
  });
});

describe('summarizeRun', () => {
  const p = { lambda: 2, sigma: 0.05, kappa: 0.0002 };
  // A closed workload with 1 s of think time: mean response = N/X − 1 s, p95 = 2 × mean.
  const uslRun = [5, 20, 50, 75, 100, 150].map((n) => {
    const x = uslThroughput(p, n);
    return [n, x, 2 * (n / x - 1) * 1000] as [number, number, number];
  });

  it('estimates capacity from the USL: peak and users at the p95 green bound', () => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, p95GreenMs: 10_000, stages: run(uslRun) });
    const e = s.capacity.estimate!;
    expect(e.r2).toBeGreaterThan(0.999);
    expect(e.usersAtPeak).toBeCloseTo(uslPeakUsers(p), 0);
    expect(e.peakGoodputPerS).toBeCloseTo(uslThroughput(p, uslPeakUsers(p)), 3);
    // p95(N) = 2000 × (D(N)/λ − 1) = 10 000 ⇔ D(N) = 12 ⇔ 0.0002 N² + 0.0498 N − 11.05 = 0: N ≈ 141.
    const expected = (-0.0498 + Math.sqrt(0.0498 ** 2 + 4 * 0.0002 * 11.05)) / (2 * 0.0002);
    expect(e.usersAtP95Green!).toBeCloseTo(expected, 1);
    expect(e.residuals).toHaveLength(6);
    expect(() => runSummaryFormat.parse(runSummaryFormat.stringify(s), 'summary.json')).not.toThrow();
  });

  it('caps the peak at 1.5 × the largest stage while throughput still rises there, and says so', () => {
    // Peak of this service at √(0.99 / 0.00001) ≈ 315 users, beyond 1.5 × 150 = 225.
    const rising = { lambda: 2, sigma: 0.01, kappa: 0.00001 };
    const rows = [5, 20, 50, 75, 100, 150].map((n) => [n, uslThroughput(rising, n), 500] as [number, number, number]);
    const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, stages: run(rows) });
    const e = s.capacity.estimate!;
    expect(e.usersAtPeak).toBe(225);
    expect(peakIsCapped(e)).toBe(true);
    expect(s.capacity.note).toMatch(/goodput still rising by the model at 1\.5 × the largest stage \(225 users\)/);
    // A peak inside the range (≈ 69 users) is the service's own.
    expect(peakIsCapped(summarizeRun({ runId: 'r', keyName: 'search', ...B, stages: run(uslRun) }).capacity.estimate!)).toBe(false);
  });

  it('gives no users at the green bound beyond 1.5 × the largest stage', () => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, p95GreenMs: 1e9, stages: run(uslRun) });
    expect(s.capacity.estimate!.usersAtP95Green).toBeNull();
    expect(s.capacity.note).toMatch(/does not reach/);
  });

  it('says "no estimate" with fewer than 3 stages', () => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, stages: run(uslRun.slice(0, 2)) });
    expect(s.capacity.estimate).toBeNull();
    expect(s.capacity.note).toMatch(/^no model estimate: 2 stages/);
  });

  it('says "no estimate" when the fit is poor', () => {
    const s = summarizeRun({
      runId: 'r',
      keyName: 'search',
      ...B,
      stages: run([
        [5, 50, 500],
        [20, 5, 500],
        [50, 60, 500],
        [75, 4, 500],
        [100, 70, 500],
      ]),
    });
    expect(s.capacity.estimate).toBeNull();
    expect(s.capacity.note).toMatch(/^no model estimate: the USL fits the stages' goodput poorly/);
  });

  it("lists the stages failing Little's law as suspect", () => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', ...B, stages: run(uslRun, { littlesLawOkAt: [50] }) });
    expect(s.suspectStages).toEqual([50]);
  });

  it('builds stage statistics that the format accepts', () => {
    expect(() => stageStatsFormat.parse(stageStatsFormat.stringify(stageStats()), 'x')).not.toThrow();
  });
});
