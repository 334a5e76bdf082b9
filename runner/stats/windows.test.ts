import { describe, expect, it } from 'vitest';
import { batchMeansCi, logMadOutliers } from './windows.ts';

describe('outlier windows: log p95 above median + k × MAD', () => {
  it.each([
    { name: 'one spike', values: [100, 102, 98, 101, 99, 100, 400], expected: [6] },
    { name: 'no spike', values: [100, 102, 98, 101, 99, 100, 103], expected: [] },
    { name: 'low values are not outliers', values: [100, 102, 98, 101, 99, 100, 10], expected: [] },
    { name: 'nulls skipped, indices kept', values: [null, 100, 101, 99, 100, null, 1000], expected: [6] },
    { name: 'all equal', values: [50, 50, 50, 50], expected: [] },
    // MAD is 0 (most equal): the mean absolute deviation stands in.
    { name: 'MAD zero', values: [50, 50, 50, 50, 50, 50, 5000], expected: [6] },
    { name: 'too few', values: [1, 1000], expected: [] },
  ])('$name', ({ values, expected }) => {
    expect(logMadOutliers(values, 3.5)).toEqual(expected);
  });

  it('uses the scaled MAD: a point 3 σ away is not an outlier at k = 3.5, 4 σ is', () => {
    // log values symmetric around 0 with MAD 1 → scaled 1.4826: bound 5.19 at k = 3.5.
    const logs = [-2, -1, -1, 0, 0, 0, 1, 1, 2];
    expect(logMadOutliers([...logs, 5].map(Math.exp), 3.5)).toEqual([]);
    expect(logMadOutliers([...logs, 5.3].map(Math.exp), 3.5)).toEqual([9]);
  });
});

describe('batch means confidence interval', () => {
  it('is estimate ± t(0.975, m−1) · sd / √m', () => {
    // mean 10, sd = √(10/4) = 1.5811, m = 5, t(0.975, 4) = 2.7764 → half-width 1.9632
    const ci = batchMeansCi(10.5, [8, 9, 10, 11, 12])!;
    expect(ci.windows).toBe(5);
    expect(ci.lowMs).toBeCloseTo(10.5 - 1.9632, 3);
    expect(ci.highMs).toBeCloseTo(10.5 + 1.9632, 3);
  });
  it('needs two windows', () => {
    expect(batchMeansCi(10, [10])).toBeNull();
  });
});

describe('batch means interval with few windows', () => {
  it('does not reach below 0 ms', () => {
    // m = 2: t(0.975, 1) = 12.7 makes the half-width larger than the estimate.
    expect(batchMeansCi(100, [50, 150])!.lowMs).toBe(0);
  });
});
