import type { RequestStats, StageStats } from '../formats/stage-stats.ts';

/**
 * Test builders: a valid StageStats with sensible defaults, changed through a few figures.
 * For tests only (here and in decision/); production code computes StageStats from CSVs.
 */
export function buildRequestStats(o: { count?: number; failures?: number; throughputPerS?: number; p95Ms?: number | null; meanMs?: number | null } = {}): RequestStats {
  const count = o.count ?? 1000;
  const failures = o.failures ?? 0;
  const p95 = o.p95Ms === undefined ? 800 : o.p95Ms;
  const mean = o.meanMs === undefined ? (p95 === null ? null : p95 / 2) : o.meanMs;
  return {
    count,
    failures,
    errorRate: count ? failures / count : 0,
    throughputPerS: o.throughputPerS ?? 10,
    minMs: p95 === null ? null : p95 / 10,
    meanMs: mean,
    p50Ms: p95 === null ? null : p95 / 2,
    p90Ms: p95 === null ? null : p95 * 0.9,
    p95Ms: p95,
    p99Ms: p95 === null ? null : p95 * 1.2,
    maxMs: p95 === null ? null : p95 * 2,
  };
}

export function buildStageStats(o: {
  users?: number;
  keyName?: string;
  throughputPerS?: number;
  p95Ms?: number | null;
  failures?: number;
  count?: number;
  heldMs?: number;
  littlesLawOk?: boolean;
} = {}): StageStats {
  const users = o.users ?? 10;
  const heldMs = o.heldMs ?? 600_000;
  const throughput = o.throughputPerS ?? 10;
  const count = o.count ?? Math.round((throughput * heldMs) / 1000);
  const all = buildRequestStats({ count, failures: o.failures ?? 0, throughputPerS: throughput, p95Ms: o.p95Ms === undefined ? 800 : o.p95Ms });
  const t0 = 1_795_355_090_000;
  return {
    kind: 'stage-stats',
    schemaVersion: 1,
    users,
    keyName: o.keyName ?? 'search',
    source: { file: `stage-${users}.csv.gz`, rows: count * 9, truncated: false, warnings: [], timeResolutionMs: 1 },
    hold: { testStartMs: t0, rampMs: 10_000, startMs: t0 + 10_000, endMs: t0 + 10_000 + heldMs, plannedHoldMs: heldMs, heldMs, windowMs: 30_000, warmupMs: 60_000 },
    key: all,
    all,
    byName: { [o.keyName ?? 'search']: all },
    p95Ci: all.p95Ms === null ? null : { lowMs: all.p95Ms * 0.95, highMs: all.p95Ms * 1.05, windows: 18 },
    windows: [],
    latencyTrend: null,
    throughputTrend: null,
    outlierWindows: [],
    iterations: { count: Math.round(count / 2), ratePerS: throughput / 2, meanDurationMs: users / (throughput / 2) * 1000 },
    littlesLaw: { users, estimatedUsers: users, deviationPct: 0, ok: o.littlesLawOk ?? true },
    checks: { passes: count, fails: 0 },
    data: { sentBytes: count * 100, receivedBytes: count * 1000 },
    errors: { byCode: {}, byStatus: {}, timeouts: 0 },
    metrics: {},
  };
}
