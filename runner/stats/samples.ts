/**
 * Compact sample storage and exact percentiles, computed the way k6 computes a Trend's `p(N)`,
 * so that a k6 threshold and our report agree on the same samples.
 */

/** A growable Float64Array: samples are kept as raw doubles (8 bytes each), never as objects. */
export class SampleBuffer {
  private data: Float64Array;
  private n = 0;
  private sorted = true;
  private sum = 0;

  constructor(initialCapacity = 1024) {
    this.data = new Float64Array(Math.max(16, initialCapacity));
  }

  get count(): number {
    return this.n;
  }

  get total(): number {
    return this.sum;
  }

  push(value: number): void {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    if (this.sorted && this.n > 0 && value < this.data[this.n - 1]!) this.sorted = false;
    this.data[this.n++] = value;
    this.sum += value;
  }

  /** The samples sorted ascending (sorts in place once; later pushes unsort again). */
  sortedView(): Float64Array {
    const view = this.data.subarray(0, this.n);
    if (!this.sorted) {
      view.sort();
      this.sorted = true;
    }
    return view;
  }
}

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

/** Percentile of unsorted values (copies them). */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentileSorted(Float64Array.from(values).sort(), p);
}

export function median(values: ArrayLike<number>): number {
  return percentile(values, 0.5);
}

/** Summary of a Trend with k6's summary-export keys (avg, min, med, max, p(90), p(95)) plus p(99) and count. */
export interface TrendFigures {
  avg: number;
  min: number;
  med: number;
  max: number;
  'p(90)': number;
  'p(95)': number;
  'p(99)': number;
  count: number;
}

/** The figures of k6's end-of-test summary for a Trend; null when it has no sample. */
export function trendFigures(samples: SampleBuffer): TrendFigures | null {
  if (samples.count === 0) return null;
  const s = samples.sortedView();
  return {
    avg: samples.total / s.length,
    min: s[0]!,
    med: percentileSorted(s, 0.5),
    max: s[s.length - 1]!,
    'p(90)': percentileSorted(s, 0.9),
    'p(95)': percentileSorted(s, 0.95),
    'p(99)': percentileSorted(s, 0.99),
    count: s.length,
  };
}
