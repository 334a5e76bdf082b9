import { normalCdf } from './distributions.ts';
import { median } from './samples.ts';

/**
 * Trend tests over a series of windows: Mann–Kendall (is there a monotonic trend?) and the
 * Theil–Sen slope (how large is it?). Both are rank-based, so one bad window does not make a
 * trend, which is why SPEC §2 uses them for "continuous degradation".
 */

export interface SeriesPoint {
  /** Position in time (window index); gaps are allowed. */
  x: number;
  y: number;
}

export interface MannKendall {
  n: number;
  s: number;
  /** Variance of S with the tie correction. */
  varS: number;
  /** Normal score with continuity correction (0 when S = 0). */
  z: number;
  /** One-sided p-value for the given direction. */
  pValue: number;
}

/**
 * Mann–Kendall test: S = Σ_{i<j} sign(y_j − y_i) over the points in x order;
 * Var(S) = [n(n−1)(2n+5) − Σ_ties t(t−1)(2t+5)] / 18; Z = (S ∓ 1)/√Var(S);
 * one-sided p = 1 − Φ(Z) for "increasing", Φ(Z) for "decreasing".
 */
export function mannKendall(points: readonly SeriesPoint[], direction: 'increasing' | 'decreasing'): MannKendall {
  const pts = [...points].sort((a, b) => a.x - b.x);
  const n = pts.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) s += Math.sign(pts[j]!.y - pts[i]!.y);
  }
  const ties = new Map<number, number>();
  for (const p of pts) ties.set(p.y, (ties.get(p.y) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of ties.values()) if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
  const varS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  let z = 0;
  if (varS > 0) {
    if (s > 0) z = (s - 1) / Math.sqrt(varS);
    else if (s < 0) z = (s + 1) / Math.sqrt(varS);
  }
  const pValue = direction === 'increasing' ? 1 - normalCdf(z) : normalCdf(z);
  return { n, s, varS, z, pValue: Math.min(1, Math.max(0, pValue)) };
}

/**
 * Theil–Sen estimator: slope = median of (y_j − y_i)/(x_j − x_i) over pairs with x_i ≠ x_j;
 * intercept (at `x0`) = median of y_i − slope·(x_i − x0). NaN slope with fewer than 2 points.
 */
export function theilSen(points: readonly SeriesPoint[], x0 = 0): { slope: number; intercept: number } {
  const slopes: number[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dx = points[j]!.x - points[i]!.x;
      if (dx !== 0) slopes.push((points[j]!.y - points[i]!.y) / dx);
    }
  }
  if (slopes.length === 0) return { slope: NaN, intercept: points.length ? median(points.map((p) => p.y)) : NaN };
  const slope = median(slopes);
  const intercept = median(points.map((p) => p.y - slope * (p.x - x0)));
  return { slope, intercept };
}

export interface TrendResult {
  n: number;
  s: number;
  z: number;
  pValue: number;
  direction: 'increasing' | 'decreasing';
  slopePerWindow: number;
  changePctOverHold: number;
}

/**
 * Mann–Kendall + Theil–Sen over a series; null with fewer than 3 points (no test is meaningful).
 * changePctOverHold = slope × (last x − first x) as a percentage of the Theil–Sen line's value at
 * the first point; when that base is not positive (a series starting at 0), the mean of |y| is
 * the base, and 0 is reported when that is 0 too (a flat series of zeros).
 */
export function trendTest(points: readonly SeriesPoint[], direction: 'increasing' | 'decreasing'): TrendResult | null {
  if (points.length < 3) return null;
  const pts = [...points].sort((a, b) => a.x - b.x);
  const mk = mannKendall(pts, direction);
  const first = pts[0]!.x;
  const span = pts[pts.length - 1]!.x - first;
  const { slope, intercept } = theilSen(pts, first);
  let base = intercept;
  if (!(base > 0)) base = pts.reduce((a, p) => a + Math.abs(p.y), 0) / pts.length;
  const change = slope * span;
  return {
    n: mk.n,
    s: mk.s,
    z: mk.z,
    pValue: mk.pValue,
    direction,
    slopePerWindow: slope,
    changePctOverHold: base > 0 ? (change / base) * 100 : 0,
  };
}
