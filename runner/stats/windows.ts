import { studentTQuantile } from './distributions.ts';
import { median } from './samples.ts';

/**
 * Indices of the values that are high outliers: above median + k × MAD of their logarithms.
 * MAD is scaled by 1.4826 (a consistent estimate of σ for normal data), the form of Iglewicz
 * and Hoaglin's modified z-score where the customary k = 3.5 comes from. When MAD is 0 (over
 * half the values equal) the scaled mean absolute deviation (× 1.2533) stands in, as they
 * advise; when that is 0 too, all values are equal and none is an outlier. Values ≤ 0 or
 * null are skipped (no logarithm).
 */
export function logMadOutliers(values: ReadonlyArray<number | null>, k: number): number[] {
  const idx: number[] = [];
  const logs: number[] = [];
  values.forEach((v, i) => {
    if (v !== null && v > 0) {
      idx.push(i);
      logs.push(Math.log(v));
    }
  });
  if (logs.length < 3) return [];
  const med = median(logs);
  const dev = logs.map((l) => Math.abs(l - med));
  let scale = 1.4826 * median(dev);
  if (scale === 0) scale = 1.2533 * (dev.reduce((a, b) => a + b, 0) / dev.length);
  if (scale === 0) return [];
  const bound = med + k * scale;
  return idx.filter((_, j) => logs[j]! > bound);
}

/**
 * 95 % confidence interval of a whole-period percentile by batch means: the windows are the
 * batches, their percentiles b_1..b_m vary around the whole-period value with standard error
 * sd(b)/√m, so the interval is `estimate ± t(0.975, m−1) × sd(b)/√m`, floored at 0. Needs m ≥ 2 batches.
 */
export function batchMeansCi(
  estimate: number,
  batchValues: readonly number[],
  confidence = 0.95,
): { lowMs: number; highMs: number; windows: number } | null {
  const m = batchValues.length;
  if (m < 2 || !Number.isFinite(estimate)) return null;
  const mean = batchValues.reduce((a, b) => a + b, 0) / m;
  const variance = batchValues.reduce((a, b) => a + (b - mean) ** 2, 0) / (m - 1);
  const half = studentTQuantile(1 - (1 - confidence) / 2, m - 1) * Math.sqrt(variance / m);
  // Latencies are not negative: with few windows the interval would reach below 0.
  return { lowMs: Math.max(0, estimate - half), highMs: estimate + half, windows: m };
}
