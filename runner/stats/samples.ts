import { percentileSorted } from '../../formats/k6/percentile.ts';

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

  /** The samples in no particular order, for in-place selection (they may be reordered). */
  unorderedView(): Float64Array {
    if (this.n > 1) this.sorted = false;
    return this.data.subarray(0, this.n);
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

/** Moves the k-th smallest of a[lo..hi] to a[k], smaller ones before it, larger after (Hoare's quickselect). */
function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    // Median of three as pivot: sorted or reversed runs (timestamps, ramps) stay O(n).
    const mid = (lo + hi) >>> 1;
    let x = a[lo]!;
    let y = a[mid]!;
    let z = a[hi]!;
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * The same p(N) as percentileSorted, without sorting: the two order statistics around each rank
 * by quickselect (O(n) each; ranks taken in increasing order so each selection works on what
 * lies above the previous one). Reorders `values` in place.
 */
export function percentilesUnsorted(values: Float64Array, ps: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return ps.map(() => NaN);
  const order = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const out = new Array<number>(ps.length);
  let lo = 0;
  for (const { p, i } of order) {
    const rank = p * (n - 1);
    const k = Math.floor(rank);
    select(values, lo, n - 1, k);
    const a = values[k]!;
    let b = a;
    if (rank > k) {
      // The next order statistic is the smallest value above position k.
      b = Infinity;
      for (let j = k + 1; j < n; j++) if (values[j]! < b) b = values[j]!;
    }
    out[i] = a + (b - a) * (rank - k);
    lo = k;
  }
  return out;
}

/** The figures of k6's end-of-test summary for a Trend; null when it has no sample. */
export function trendFigures(samples: SampleBuffer): TrendFigures | null {
  if (samples.count === 0) return null;
  const [min, med, p90, p95, p99, max] = percentilesUnsorted(samples.unorderedView(), [0, 0.5, 0.9, 0.95, 0.99, 1]) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { avg: samples.total / samples.count, min, med, max, 'p(90)': p90, 'p(95)': p95, 'p(99)': p99, count: samples.count };
}
