import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { computeStageStats } from './stage-stats.ts';
import { percentileSorted } from '../../formats/k6/percentile.ts';
import { SampleBuffer, percentile, percentilesUnsorted, trendFigures } from './samples.ts';

const fixtures = join(import.meta.dirname, '../../formats/k6/__fixtures__');

describe('percentile (k6 p(N): sorted samples, linear interpolation between closest ranks)', () => {
  it.each([
    { values: [5], p: 0.95, expected: 5 },
    { values: [1, 2], p: 0.5, expected: 1.5 },
    { values: [1, 2, 3, 4], p: 0.95, expected: 3.85 }, // rank 0.95 × 3 = 2.85 → 3 + 0.85 × 1
    { values: [10, 20, 30, 40, 50], p: 0.9, expected: 46 }, // rank 3.6 → 40 + 0.6 × 10
    { values: [4, 1, 3, 2], p: 0, expected: 1 },
    { values: [4, 1, 3, 2], p: 1, expected: 4 },
    { values: [3, 1, 2], p: 0.5, expected: 2 },
  ])('p($p) of $values = $expected', ({ values, p, expected }) => {
    expect(percentile(values, p)).toBeCloseTo(expected, 12);
  });

  it('is NaN without samples', () => {
    expect(percentileSorted([], 0.95)).toBeNaN();
  });

  it('SampleBuffer grows past its capacity and sorts once', () => {
    const b = new SampleBuffer(16);
    for (let i = 999; i >= 0; i--) b.push(i);
    expect(b.count).toBe(1000);
    expect(b.total).toBe((999 * 1000) / 2);
    const f = trendFigures(b)!;
    expect(f.min).toBe(0);
    expect(f.max).toBe(999);
    expect(f.med).toBe(499.5);
    expect(f['p(95)']).toBeCloseTo(949.05, 9);
  });
});

/** k6's own summaries: summary-export.json (flat) or handleSummary data (values nested). */
const Flat = z.object({ metrics: z.record(z.string(), z.record(z.string(), z.unknown())) });
function k6Metrics(file: string): Record<string, Record<string, number>> {
  const raw = Flat.parse(JSON.parse(readFileSync(join(fixtures, file), 'utf8'))).metrics;
  const out: Record<string, Record<string, number>> = {};
  for (const [name, m] of Object.entries(raw)) {
    const values = (typeof m.values === 'object' && m.values !== null ? m.values : m) as Record<string, unknown>;
    out[name] = Object.fromEntries(Object.entries(values).filter((e): e is [string, number] => typeof e[1] === 'number'));
  }
  return out;
}

describe('stage statistics against real k6 summaries of the same run', () => {
  it.each([
    { csv: 'out.csv', summary: 'summary-export.json' },
    { csv: 'out.csv.gz', summary: 'handle-summary.json' },
    { csv: 'threshold-tests/t1.csv', summary: 'threshold-tests/t1-summary-export.json' },
  ])('$csv equals $summary', async ({ csv, summary }) => {
    const expected = k6Metrics(summary);
    // The whole file as the hold, so that counts compare with k6's end-of-test figures.
    const stats = await computeStageStats({
      file: join(fixtures, csv),
      users: 10,
      rampMs: 0,
      holdMs: 3_600_000,
      keyName: 'athlete_search',
      windowMs: 30_000,
      warmupMs: 60_000,
      outlierMads: 3.5,
      trendMinWindows: 10,
      trendMinKeyRequests: 20,
    });
    let trends = 0;
    for (const [name, m] of Object.entries(expected)) {
      if (!('p(95)' in m) || name.includes('{')) continue;
      trends++;
      const got = stats.metrics[name];
      expect(got, name).toBeDefined();
      for (const key of ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']) {
        expect(Math.abs(got![key]! - m[key]!), `${name} ${key}`).toBeLessThan(1e-3);
      }
    }
    expect(trends).toBeGreaterThanOrEqual(7);
    const reqs = expected.http_reqs!.count!;
    const failed = expected.http_req_failed!.passes!;
    expect(stats.all.count).toBe(reqs);
    expect(stats.all.failures).toBe(failed);
    expect(stats.all.errorRate).toBeCloseTo(failed / reqs, 12);
    expect(stats.metrics.http_reqs).toEqual({ count: reqs });
    expect(stats.metrics.http_req_failed!.passes).toBe(failed);
    expect(stats.iterations.count).toBe(expected.iterations!.count);
    expect(stats.checks).toEqual({ passes: expected.checks!.passes, fails: expected.checks!.fails });
    expect(stats.data).toEqual({ sentBytes: expected.data_sent!.count, receivedBytes: expected.data_received!.count });
    // Rates and counters of custom metrics are not Trends (all their values are 0/1 here).
    expect(stats.metrics.search_errors).toBeUndefined();
    expect(stats.metrics.search_requests).toBeUndefined();
    // The per-name figures use the same percentile.
    const all = stats.all;
    expect(Math.abs(all.p95Ms! - expected.http_req_duration!['p(95)']!)).toBeLessThan(1e-3);
    expect(Math.abs(all.meanMs! - expected.http_req_duration!.avg!)).toBeLessThan(1e-3);
  });
});

describe('percentilesUnsorted (quickselect) equals the sorted definition', () => {
  it.each([1, 2, 3, 10, 101, 5000])('on %i values, with ties and runs', (n) => {
    let seed = n;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const make of [(_i: number) => Math.floor(rnd() * 20), (i: number) => i, (i: number) => n - i, () => rnd() * 1000]) {
      const values = Float64Array.from({ length: n }, (_, i) => make(i));
      const ps = [0.99, 0, 0.5, 0.95, 0.9, 1];
      const expected = ps.map((p) => percentile(values, p));
      expect(percentilesUnsorted(values.slice(), ps)).toEqual(expected);
    }
  });
});
