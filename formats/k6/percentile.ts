/** k6's percentile rule, shared by the engine's end-of-test summary and the toolkit's statistics, so that both give k6's figures. */

/**
 * k6's `p(N)` over ascending `sorted` samples: the rank i = p × (n − 1) (0-based), linear
 * interpolation between the samples at floor(i) and ceil(i). One sample is its own percentile.
 * `p` is a fraction (0.95 for p(95)). NaN when there are no samples (callers map it to null).
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0]!;
  const i = p * (n - 1);
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (i - lo);
}
