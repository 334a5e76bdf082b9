import { describe, expect, it } from 'vitest';
import { runSummaryFormat } from '../formats/run-summary.ts';
import { stageStatsFormat } from '../formats/stage-stats.ts';
import { stageStats } from '../../test/testkit/runs.ts';
import { summarizeRun } from './run-summary.ts';
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
    expect(fitUsl([{ users: 5, throughput: 1 }, { users: 10, throughput: 2 }])).toBeNull();
  });
});

/** Stages of a run from (users, throughput, key p95, failures). */
function run(rows: Array<[number, number, number, number?]>, extra: { littlesLawOkAt?: number[] } = {}) {
  return rows.map(([users, throughputPerS, p95Ms, failures]) => ({
    users,
    status: 'completed' as const,
    stats: stageStats({ users, throughputPerS, p95Ms, failures: failures ?? 0, littlesLawOk: !(extra.littlesLawOkAt ?? []).includes(users) }),
  }));
}

describe('saturation signal (SPEC §2)', () => {
  it.each([
    { name: 'linear scaling: none', rows: [[5, 10, 500], [20, 40, 510], [50, 100, 520]] as Array<[number, number, number, number?]>, first: null, saturated: [false, false] },
    // 50 → 75: users +50 %, throughput +10 % (ratio 0.2 < 0.25) and p95 +40 %: saturated at 75.
    { name: 'throughput flat, p95 up', rows: [[5, 10, 500], [50, 100, 500], [75, 110, 700]] as Array<[number, number, number, number?]>, first: 75, saturated: [false, true] },
    // Throughput flat but p95 only +20 %: not the signal.
    { name: 'flat, p95 +20 %', rows: [[50, 100, 500], [75, 110, 600]] as Array<[number, number, number, number?]>, first: null, saturated: [false] },
    // p95 +50 % but throughput followed users: not the signal.
    { name: 'p95 up, throughput follows', rows: [[50, 100, 500], [75, 150, 750]] as Array<[number, number, number, number?]>, first: null, saturated: [false] },
    { name: 'errors appear', rows: [[5, 10, 500], [20, 40, 500], [50, 100, 500, 3]] as Array<[number, number, number, number?]>, first: 50, saturated: [false, true] },
    { name: 'errors from the first stage', rows: [[5, 10, 500, 1], [20, 40, 500, 2]] as Array<[number, number, number, number?]>, first: 5, saturated: [false] },
  ])('$name', ({ rows, first, saturated }) => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', p95GreenMs: 2500, stages: run(rows) });
    expect(s.saturation.firstStage).toBe(first);
    expect(s.saturation.steps.map((x) => x.saturated)).toEqual(saturated);
    expect(s.saturation.why).toBeTruthy();
  });

  it('computes the gain ratio and p95 rise of a step', () => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', p95GreenMs: 2500, stages: run([[50, 100, 500], [75, 110, 700]]) });
    const step = s.saturation.steps[0]!;
    expect(step.throughputGainRatio).toBeCloseTo(0.2, 12);
    expect(step.p95RisePct).toBeCloseTo(40, 12);
    expect(step.why).toMatch(/20 % of the proportional gain/);
  });

  it('skips stages without statistics and stages whose engine broke', () => {
    const stages = [
      ...run([[5, 10, 500], [20, 40, 500]]),
      { users: 50, status: 'engine-failed' as const, stats: stageStats({ users: 50, throughputPerS: 1, p95Ms: 9000, failures: 10 }) },
      { users: 75, status: 'skipped' as const, stats: null },
    ];
    const s = summarizeRun({ runId: 'r', keyName: 'search', p95GreenMs: 2500, stages });
    expect(s.saturation.steps.map((x) => x.toUsers)).toEqual([20]);
    expect(s.stages.map((x) => x.users)).toEqual([5, 20, 50, 75]);
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
    const s = summarizeRun({ runId: 'r', keyName: 'search', p95GreenMs: 10_000, stages: run(uslRun) });
    const e = s.capacity.estimate!;
    expect(e.r2).toBeGreaterThan(0.999);
    expect(e.usersAtPeak).toBeCloseTo(uslPeakUsers(p), 0);
    expect(e.peakThroughputPerS).toBeCloseTo(uslThroughput(p, uslPeakUsers(p)), 3);
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
    const s = summarizeRun({ runId: 'r', keyName: 'search', p95GreenMs: 2500, stages: run(rows) });
    const e = s.capacity.estimate!;
    expect(e.usersAtPeak).toBe(225);
    expect(peakIsCapped(e)).toBe(true);
    expect(s.capacity.note).toMatch(/throughput still rising at 1\.5 × the largest stage \(225 users\)/);
    // A peak inside the range (≈ 69 users) is the service's own.
    expect(peakIsCapped(summarizeRun({ runId: 'r', keyName: 'search', p95GreenMs: 2500, stages: run(uslRun) }).capacity.estimate!)).toBe(false);
  });

  it('gives no users at the green bound beyond 1.5 × the largest stage', () => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', p95GreenMs: 1e9, stages: run(uslRun) });
    expect(s.capacity.estimate!.usersAtP95Green).toBeNull();
    expect(s.capacity.note).toMatch(/does not reach/);
  });

  it('says "no estimate" with fewer than 3 stages', () => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', p95GreenMs: 2500, stages: run(uslRun.slice(0, 2)) });
    expect(s.capacity.estimate).toBeNull();
    expect(s.capacity.note).toMatch(/^no estimate: 2 stage/);
  });

  it('says "no estimate" when the fit is poor', () => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', p95GreenMs: 2500, stages: run([[5, 50, 500], [20, 5, 500], [50, 60, 500], [75, 4, 500], [100, 70, 500]]) });
    expect(s.capacity.estimate).toBeNull();
    expect(s.capacity.note).toMatch(/^no estimate: the USL fits the stages poorly/);
  });

  it('lists the stages failing Little\'s law as suspect', () => {
    const s = summarizeRun({ runId: 'r', keyName: 'search', p95GreenMs: 2500, stages: run(uslRun, { littlesLawOkAt: [50] }) });
    expect(s.suspectStages).toEqual([50]);
  });

  it('builds stage statistics that the format accepts', () => {
    expect(() => stageStatsFormat.parse(stageStatsFormat.stringify(stageStats()), 'x')).not.toThrow();
  });
});
