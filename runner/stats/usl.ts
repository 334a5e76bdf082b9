import { levenbergMarquardt } from 'ml-levenberg-marquardt';

/**
 * Gunther's Universal Scalability Law, X(N) = λN / (1 + σ(N−1) + κN(N−1)): throughput X at N
 * users with λ the one-user throughput, σ contention and κ coherency (crosstalk). Fitted by
 * least squares (Levenberg–Marquardt, mljs) with σ, κ ≥ 0.
 */

export interface UslParams {
  lambda: number;
  sigma: number;
  kappa: number;
}

export interface UslFit extends UslParams {
  r2: number;
  residuals: Array<{ users: number; observed: number; fitted: number }>;
}

/** The USL's denominator D(N) = 1 + σ(N−1) + κN(N−1): mean response time grows linearly with it. */
export function uslDenominator(p: UslParams, n: number): number {
  return 1 + p.sigma * (n - 1) + p.kappa * n * (n - 1);
}

export function uslThroughput(p: UslParams, n: number): number {
  return (p.lambda * n) / uslDenominator(p, n);
}

/** Users at the USL's peak, √((1 − σ)/κ); Infinity when κ = 0 or σ ≥ 1 (no interior peak). */
export function uslPeakUsers(p: UslParams): number {
  if (p.kappa <= 0 || p.sigma >= 1) return Infinity;
  return Math.sqrt((1 - p.sigma) / p.kappa);
}

/**
 * Whether an estimate's "peak" is only where the estimate stops (run-summary caps it at the first
 * stage with a red error rate, else at 1.5 × the largest stage, while goodput still rises there):
 * the service's peak is then at least that, and no output may call it a peak.
 */
export function peakIsCapped(e: UslParams & { readonly usersAtPeak: number }): boolean {
  return uslPeakUsers(e) > e.usersAtPeak;
}

/**
 * Least-squares fit of the USL to (users, throughput) points; null with fewer than 3 points or
 * no positive throughput. Several starting points, the best sum of squares kept: LM finds a
 * local minimum and the USL's σ/κ trade off against each other on few points.
 */
export function fitUsl(points: ReadonlyArray<{ users: number; throughput: number }>): UslFit | null {
  const pts = points.filter((p) => p.users > 0 && Number.isFinite(p.throughput));
  if (pts.length < 3) return null;
  const yMax = Math.max(...pts.map((p) => p.throughput));
  if (!(yMax > 0)) return null;
  // Fit on throughput scaled to ≤ 1 so that the tolerances mean the same at any load level.
  const x = pts.map((p) => p.users);
  const y = pts.map((p) => p.throughput / yMax);
  const lambda0 = Math.max(...pts.map((p) => p.throughput / yMax / p.users));
  const model =
    ([l, s, k]: number[]) =>
    (n: number) =>
      (l! * n) / (1 + s! * (n - 1) + k! * n * (n - 1));
  const jacobian =
    ([l, s, k]: number[]) =>
    (n: number) => {
      const d = 1 + s! * (n - 1) + k! * n * (n - 1);
      return [n / d, (-l! * n * (n - 1)) / (d * d), (-l! * n * n * (n - 1)) / (d * d)];
    };
  const nMax = Math.max(...x);
  let best: { params: number[]; sse: number } | null = null;
  for (const s0 of [0, 0.01, 0.1, 0.5]) {
    for (const k0 of [0, 1 / (nMax * nMax), 1e-2 / (nMax * nMax), 1e-4]) {
      let params: number[];
      try {
        params = levenbergMarquardt({ x, y }, model, {
          initialValues: [lambda0, s0, k0],
          minValues: [0, 0, 0],
          maxValues: [lambda0 * 100, 1, 1],
          jacobianFunction: jacobian,
          maxIterations: 500,
          errorTolerance: 1e-14,
          damping: 1e-2,
        }).parameterValues;
      } catch {
        continue;
      }
      if (!params.every(Number.isFinite)) continue;
      const f = model(params);
      const sse = x.reduce((a, n, i) => a + (f(n) - y[i]!) ** 2, 0);
      if (!best || sse < best.sse) best = { params, sse };
    }
  }
  if (!best) return null;
  const [l, s, k] = best.params as [number, number, number];
  const fit: UslParams = { lambda: l * yMax, sigma: s, kappa: k };
  const mean = pts.reduce((a, p) => a + p.throughput, 0) / pts.length;
  const residuals = pts.map((p) => ({ users: p.users, observed: p.throughput, fitted: uslThroughput(fit, p.users) }));
  const ssRes = residuals.reduce((a, r) => a + (r.observed - r.fitted) ** 2, 0);
  const ssTot = pts.reduce((a, p) => a + (p.throughput - mean) ** 2, 0);
  return { ...fit, r2: ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0, residuals };
}
