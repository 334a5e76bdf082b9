import { z } from 'zod';
import { jsonFormat } from './json-format.ts';

/**
 * `results/runs/<run-id>/stage-<users>.stats.json`: the statistics of one stage, computed from
 * its raw k6 CSV over the hold period (ramp-up and warm-up excluded as stated in `hold`).
 * Durations in ms, rates as 0–1, throughputs per second, times as ms since the Unix epoch.
 * Fields are only ever added; renaming or removing one bumps schemaVersion.
 * Version 2: goodput (successful requests per second) beside throughput, `trendTestable`
 * (trend tests only where the hold has the data, SPEC §2), `littlesLaw.why`.
 */

/** Latency and failure figures of a set of HTTP requests (`http_req_duration`, `http_req_failed`). */
export const RequestStatsSchema = z.object({
  count: z.number().int().nonnegative(),
  /** `http_req_failed` samples equal to 1. */
  failures: z.number().int().nonnegative(),
  /** failures / count; 0 when count is 0. */
  errorRate: z.number().min(0).max(1),
  /** All requests per second of the hold, failed ones included. */
  throughputPerS: z.number().nonnegative(),
  /** Goodput: successful requests (count − failures) per second of the hold. Capacity is read on it. */
  goodputPerS: z.number().nonnegative(),
  /** null when count is 0. Percentiles as k6's p(N): sorted samples, linear interpolation. */
  minMs: z.number().nullable(),
  meanMs: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p90Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
});
export type RequestStats = z.infer<typeof RequestStatsSchema>;

/**
 * Requests were made and none succeeded. k6 records a failed request's duration too (often ~0 ms
 * for a refused connection), so the percentiles of such requests say nothing about latency.
 */
export function noneSucceeded(r: Pick<RequestStats, 'count' | 'failures'>): boolean {
  return r.count > 0 && r.failures >= r.count;
}

export const WindowStatsSchema = z.object({
  index: z.number().int().nonnegative(),
  startMs: z.number(),
  endMs: z.number(),
  /** All requests in the window. */
  count: z.number().int().nonnegative(),
  /** All requests per second, failed ones included. */
  throughputPerS: z.number().nonnegative(),
  /** Successful requests per second. */
  goodputPerS: z.number().nonnegative(),
  errorRate: z.number().min(0).max(1),
  /** The key transaction in the window (null figures when it has no sample there). */
  keyCount: z.number().int().nonnegative(),
  keyMeanMs: z.number().nullable(),
  keyP95Ms: z.number().nullable(),
});
export type WindowStats = z.infer<typeof WindowStatsSchema>;

/** A one-sided Mann–Kendall test with the Theil–Sen slope over a series of windows. */
export const TrendTestSchema = z.object({
  /** Windows used (those with a value). */
  n: z.number().int().nonnegative(),
  s: z.number(),
  z: z.number(),
  /** One-sided p-value: the chance of an S at least this far towards `direction` with no trend. */
  pValue: z.number().min(0).max(1),
  /**
   * The direction TESTED (the one-sided alternative: the change that would be bad), not the one
   * seen: that is the sign of `s` and `slopePerWindow`. "decreasing" with p = 0.6 and a positive
   * slope means "no decrease found; the series rose".
   */
  direction: z.enum(['increasing', 'decreasing']),
  /** Theil–Sen slope, in the series' unit per window. */
  slopePerWindow: z.number(),
  /**
   * slope × (last − first window index, i.e. n − 1 without gaps) as a percentage of the series'
   * Theil–Sen line at the first window (the mean of |values| when that is not positive).
   */
  changePctOverHold: z.number(),
});
export type TrendTest = z.infer<typeof TrendTestSchema>;

/**
 * Whether the hold has the data for a trend test (SPEC §2): at least `minWindows` windows after
 * the warm-up, each holding at least `minKeyRequests` requests of the key transaction. Sparse
 * windows are left out of the test (a mean over a handful of requests is noise); when fewer than
 * `minWindows` remain, no test is run and the trends are null.
 */
export const TrendTestableSchema = z.object({
  testable: z.boolean(),
  /** Windows after the warm-up holding at least `minKeyRequests` key requests (those tested). */
  windows: z.number().int().nonnegative(),
  /** All windows after the warm-up. */
  windowsAfterWarmup: z.number().int().nonnegative(),
  minWindows: z.number().int().positive(),
  minKeyRequests: z.number().int().positive(),
});
export type TrendTestable = z.infer<typeof TrendTestableSchema>;

/** "too short to test a trend (6 windows; …)": what every output says instead of a trend figure. */
export function untestableWords(t: TrendTestable): string {
  const sparse = t.windowsAfterWarmup - t.windows;
  const detail = sparse > 0 ? `, and ${sparse} of the ${t.windowsAfterWarmup} windows after the warm-up hold fewer` : '';
  return `too short to test a trend (${t.windows} window${t.windows === 1 ? '' : 's'}; the test needs ${t.minWindows} windows of ≥ ${t.minKeyRequests} key requests${detail})`;
}

export const StageStatsSchema = z.object({
  kind: z.literal('stage-stats'),
  schemaVersion: z.literal(2),
  users: z.number().int().positive(),
  keyName: z.string(),
  /** The key transaction's custom Trend, when it is not http_req_duration (added field). */
  keyMetric: z.string().optional(),
  source: z.object({
    file: z.string(),
    rows: z.number().int().nonnegative(),
    /** The input ended early (e.g. a gzip cut by a killed engine): figures cover what was read. */
    truncated: z.boolean(),
    warnings: z.array(z.string()),
    /** Resolution of the CSV timestamps (1000 for k6's default whole seconds). */
    timeResolutionMs: z.number().positive(),
  }),
  hold: z.object({
    /** First sample of the stage (the test start as seen in the CSV). */
    testStartMs: z.number(),
    rampMs: z.number().nonnegative(),
    /** Start and end of the figures' period (hold start → last sample or planned end). */
    startMs: z.number(),
    endMs: z.number(),
    plannedHoldMs: z.number().nonnegative(),
    /** Measured hold length; shorter than planned when the stage stopped early. */
    heldMs: z.number().nonnegative(),
    windowMs: z.number().positive(),
    warmupMs: z.number().nonnegative(),
  }),
  key: RequestStatsSchema,
  all: RequestStatsSchema,
  byName: z.record(z.string(), RequestStatsSchema),
  /** 95 % confidence interval of the key transaction's p95 from per-window p95s (batch means). */
  p95Ci: z.object({ lowMs: z.number(), highMs: z.number(), windows: z.number().int() }).nullable(),
  windows: z.array(WindowStatsSchema),
  trendTestable: TrendTestableSchema,
  /** Trend of the key transaction's per-window mean latency (increasing); null when not testable. */
  latencyTrend: TrendTestSchema.nullable(),
  /** Trend of per-window throughput (decreasing); null when not testable. */
  throughputTrend: TrendTestSchema.nullable(),
  /** Indices of windows whose key p95 is above median + k × MAD of the windows' log p95. */
  outlierWindows: z.array(z.number().int().nonnegative()),
  iterations: z.object({
    count: z.number().int().nonnegative(),
    ratePerS: z.number().nonnegative(),
    meanDurationMs: z.number().nullable(),
  }),
  /**
   * users ≈ iteration rate × mean iteration duration, within 10 %. When no iteration ended in the
   * hold the check cannot be made: estimatedUsers and deviationPct are null and ok is true.
   */
  littlesLaw: z.object({
    users: z.number(),
    estimatedUsers: z.number().nullable(),
    deviationPct: z.number().nullable(),
    ok: z.boolean(),
    /** The check in words with its figures; when it fails, what is suspected and why. */
    why: z.string(),
  }),
  checks: z.object({ passes: z.number().int(), fails: z.number().int() }),
  data: z.object({ sentBytes: z.number(), receivedBytes: z.number() }),
  errors: z.object({
    /** k6 error_code → count, over the hold. */
    byCode: z.record(z.string(), z.number().int()),
    /** HTTP status → count of failed requests, over the hold ("0" for transport errors). */
    byStatus: z.record(z.string(), z.number().int()),
    /** Requests that timed out (error_code 1050). */
    timeouts: z.number().int().nonnegative(),
  }),
  /**
   * Every Trend metric over the WHOLE file (ramp included), with k6's summary-export keys, so
   * that it can be held against k6's own `--summary-export`; also k6's built-in counters
   * (`count`) and rates (`passes`, `fails`, `value`). A custom metric's type is not in the CSV:
   * one with a value other than 0 or 1 is reported as a Trend.
   */
  metrics: z.record(z.string(), z.record(z.string(), z.number())),
});
export type StageStats = z.infer<typeof StageStatsSchema>;

export const stageStatsFormat = jsonFormat('stage-stats', 2, StageStatsSchema, 'regenerate with `npm run collect -- --run <run folder>`');
