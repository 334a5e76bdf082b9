import { describe, expect, it } from 'vitest';
import { normalCdf, studentTQuantile } from './distributions.ts';
import { mannKendall, theilSen, trendTest } from './trend.ts';

const series = (ys: number[]) => ys.map((y, x) => ({ x, y }));

describe('Mann–Kendall (one-sided, tie-corrected)', () => {
  it.each([
    // S = 10, Var = 5·4·15/18 = 16.667, Z = (10 − 1)/4.0825 = 2.2045, p = 1 − Φ(2.2045) = 0.01374
    { ys: [1, 2, 3, 4, 5], dir: 'increasing' as const, s: 10, varS: 250 / 15, z: 2.2045, p: 0.01374 },
    { ys: [1, 2, 3, 4, 5], dir: 'decreasing' as const, s: 10, varS: 250 / 15, z: 2.2045, p: 0.98626 },
    // Ties: [1,1,2,2]: S = 4, Var = (4·3·13 − 2·(2·1·9))/18 = 6.667, Z = 3/2.582 = 1.1619, p = 0.1226
    { ys: [1, 1, 2, 2], dir: 'increasing' as const, s: 4, varS: 120 / 18, z: 1.1619, p: 0.1226 },
    // Decreasing: S = −6, Var = 4·3·13/18 = 8.667, Z = −5/2.944 = −1.6984, p(decreasing) = Φ(−1.6984) = 0.0447
    { ys: [4, 3, 2, 1], dir: 'decreasing' as const, s: -6, varS: 156 / 18, z: -1.6984, p: 0.0447 },
    // Flat: S = 0, Z = 0, p = 0.5
    { ys: [1, 3, 3, 1], dir: 'increasing' as const, s: 0, varS: 120 / 18, z: 0, p: 0.5 },
  ])('$ys $dir → S $s, p $p', ({ ys, dir, s, varS, z, p }) => {
    const r = mannKendall(series(ys), dir);
    expect(r.s).toBe(s);
    expect(r.varS).toBeCloseTo(varS, 9);
    expect(r.z).toBeCloseTo(z, 3);
    expect(r.pValue).toBeCloseTo(p, 3);
  });

  it('orders points by x, not by array position', () => {
    const r = mannKendall(
      [
        { x: 2, y: 3 },
        { x: 0, y: 1 },
        { x: 1, y: 2 },
      ],
      'increasing',
    );
    expect(r.s).toBe(3);
  });
});

describe('Theil–Sen', () => {
  it.each([
    { pts: series([1, 3, 5, 7]), slope: 2, intercept: 1 },
    // One wild point does not move the median slope.
    { pts: series([10, 11, 12, 100, 14, 15]), slope: 1, intercept: 10 },
    {
      pts: [
        { x: 0, y: 0 },
        { x: 2, y: 4 },
        { x: 5, y: 10 },
      ],
      slope: 2,
      intercept: 0,
    },
  ])('slope $slope', ({ pts, slope, intercept }) => {
    const r = theilSen(pts);
    expect(r.slope).toBeCloseTo(slope, 12);
    expect(r.intercept).toBeCloseTo(intercept, 12);
  });

  it('reports the change over the hold relative to the line at the first window', () => {
    // 100 → 130 over 10 windows: slope 3.333 per window, +30 % over the hold.
    const ys = Array.from({ length: 10 }, (_, i) => 100 + (30 * i) / 9);
    const t = trendTest(series(ys), 'increasing')!;
    expect(t.changePctOverHold).toBeCloseTo(30, 9);
    expect(t.pValue).toBeLessThan(0.05);
    expect(trendTest(series([1, 2]), 'increasing')).toBeNull();
  });

  it('does not divide by zero on a series of zeros', () => {
    expect(trendTest(series([0, 0, 0, 0]), 'decreasing')!.changePctOverHold).toBe(0);
  });
});

describe('distributions', () => {
  it.each([
    { x: 0, p: 0.5 },
    { x: 1.959964, p: 0.975 },
    { x: -1.644854, p: 0.05 },
  ])('Φ($x) = $p', ({ x, p }) => expect(normalCdf(x)).toBeCloseTo(p, 6));

  it.each([
    { df: 1, t: 12.7062 },
    { df: 2, t: 4.3027 },
    { df: 8, t: 2.306 },
    { df: 30, t: 2.0423 },
  ])('t(0.975, $df) = $t', ({ df, t }) => expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3));
});
