import { BUILTIN_METRICS, K6_ERROR_CODES, Metric, type BuiltinMetric } from '../../formats/k6/csv.ts';
import type { CollectorSettings } from '../../formats/config.ts';
import type { RequestStats, StageStats, TrendTestable, WindowStats } from '../../formats/stage-stats.ts';
import type { K6Sample, ReadResult } from './k6-csv-reader.ts';
import { readK6Csv } from './k6-csv-file.ts';
import { percentileSorted } from '../../formats/k6/percentile.ts';
import { SampleBuffer, percentilesUnsorted, trendFigures } from './samples.ts';
import { trendTest } from './trend.ts';
import { batchMeansCi, logMadOutliers } from './windows.ts';
import { SESSION_FAILED_METRIC } from '../../formats/session-metrics.ts';

/**
 * A stage's statistics (formats/stage-stats.ts) from its k6 rows, in one pass: the
 * runner feeds it live rows (createK6CsvParser on the engine's FIFO) and `collect` feeds it a
 * file, so the live progress and the end-of-run figures come from the same code.
 * Memory: the duration samples kept for exact percentiles (8 bytes each), nothing per row else.
 */

/**
 * A stage's own plan, and the collector settings: the window and warm-up are the run's, as planned
 * (formats/window-rule.ts applied once, when the run was planned; run.json plan.windows).
 */
export interface StageParams extends CollectorSettings {
  users: number;
  /** Planned ramp-up: the hold starts at the first sample + rampMs. */
  rampMs: number;
  /** Planned hold length; figures stop at hold start + holdMs or at the last sample. */
  holdMs: number;
  /** The key transaction's `name` tag. */
  keyName: string;
  /**
   * The Trend the key transaction is read on: `http_req_duration` (the default: an HTTP request
   * name), or a custom Trend of the script (e.g. `ws_action_duration`, each sample one action).
   */
  keyMetric?: string;
}

interface NameState {
  durations: SampleBuffer;
  failures: number;
}

/** What a metric's rows feed in the hold, decided once per metric (dispatch by id, no string compare per row). */
enum Feeds {
  nothing,
  duration,
  failed,
  iterations,
  iterationDuration,
  checks,
  dataSent,
  dataReceived,
  /** A custom Trend named as the key transaction's metric: its samples are the key's "requests". */
  keyTrend,
  /** The session scenario's Rate: one attempt per session, failed ones counted as failures. */
  sessionFailed,
}
const FEEDS: Readonly<Record<string, Feeds>> = {
  [Metric.httpReqDuration]: Feeds.duration,
  [Metric.httpReqFailed]: Feeds.failed,
  [Metric.iterations]: Feeds.iterations,
  [Metric.iterationDuration]: Feeds.iterationDuration,
  [Metric.checks]: Feeds.checks,
  [Metric.dataSent]: Feeds.dataSent,
  [Metric.dataReceived]: Feeds.dataReceived,
  [SESSION_FAILED_METRIC]: Feeds.sessionFailed,
};

/** Sessions counted beside requests: each one an attempt, a failed one a failure (SPEC's error rate counts both). */
function withSessions(r: RequestStats, sessions: number, failed: number): RequestStats {
  if (sessions === 0) return r;
  const count = r.count + sessions;
  const failures = r.failures + failed;
  return { ...r, count, failures, errorRate: Math.min(1, failures / count) };
}

interface MetricState {
  feeds: Feeds;
  trend: boolean;
  builtin: boolean;
  /** A custom metric with a value other than 0/1: a Trend (or a Counter) rather than a Rate. */
  nonBinary: boolean;
  samples: SampleBuffer | null;
  /** Over the whole file, for k6's counter (count) and rate (passes/fails) figures. */
  n: number;
  sum: number;
  nonZero: number;
}

const REQUEST_PERCENTILES = [0, 0.5, 0.9, 0.95, 0.99, 1];

function requestStats(durations: SampleBuffer, failures: number, periodMs: number): RequestStats {
  const count = durations.count;
  // By selection, not by sorting (−0.1 s on 6 M rows): the same order statistics, so the same
  // figures as percentileSorted gives, which returns a lone sample as it is.
  const q =
    count === 1
      ? REQUEST_PERCENTILES.map(() => durations.unorderedView()[0]!)
      : percentilesUnsorted(durations.unorderedView(), REQUEST_PERCENTILES);
  const nz = (v: number | undefined): number | null => (count ? v! : null);
  return {
    count,
    failures,
    errorRate: count ? Math.min(1, failures / count) : 0,
    throughputPerS: periodMs > 0 ? (count * 1000) / periodMs : 0,
    goodputPerS: periodMs > 0 ? (Math.max(0, count - failures) * 1000) / periodMs : 0,
    minMs: nz(q[0]),
    meanMs: nz(durations.total / count),
    p50Ms: nz(q[1]),
    p90Ms: nz(q[2]),
    p95Ms: nz(q[3]),
    p99Ms: nz(q[4]),
    maxMs: nz(q[5]),
  };
}

/** Little's law holds when the users it estimates are within this many percent of the users run (SPEC §2). */
export const LITTLES_LAW_TOLERANCE_PCT = 10;

/**
 * Little's law in words: users ≈ iterations per second × mean iteration duration, with the
 * figures; when off by more than the tolerance, what the mismatch suggests. Fewer users than
 * run: some were idle over the period measured (a ramp counted as hold, users that never
 * started, iterations cut off at the end). More: iterations begun before the period counted in it.
 */
export function littlesLawWords(
  users: number,
  ratePerS: number,
  meanMs: number | null,
  estimated: number | null,
  deviationPct: number | null,
): string {
  if (estimated === null || deviationPct === null || meanMs === null) return "Little's law not checkable: no iteration ended in the hold";
  const sign = deviationPct >= 0 ? '+' : '−';
  const figures =
    `Little's law: ${ratePerS.toFixed(2)} iterations/s × ${(meanMs / 1000).toFixed(2)} s mean iteration = ${estimated.toFixed(1)} busy users ` +
    `for ${users} run (${sign}${Math.abs(deviationPct).toFixed(1)} %`;
  if (Math.abs(deviationPct) <= LITTLES_LAW_TOLERANCE_PCT) return `${figures}, within ±${LITTLES_LAW_TOLERANCE_PCT} %)`;
  const suspect =
    deviationPct < 0
      ? `fewer users were busy over the hold than the ${users} planned: a ramp counted as hold, users that never started, or iterations cut off at the end`
      : `more users appear busy than the ${users} planned: iterations begun before the hold (in the ramp) counted in it`;
  return `${figures}, beyond ±${LITTLES_LAW_TOLERANCE_PCT} %): suspect data — ${suspect}`;
}

/** Accumulates one stage's rows; `finish` computes the StageStats. */
export class StageAccumulator {
  readonly params: StageParams;
  readonly windowMs: number;
  readonly warmupMs: number;

  private started = false;
  private testStartMs = 0;
  private holdStartMs = 0;
  private plannedEndMs = 0;
  private windowsStartMs = 0;
  private plannedWindows = 0;
  private lastMs = -Infinity;

  private readonly metricStates: MetricState[] = [];
  private readonly metricNames: string[] = [];
  /** Per name id: state, or undefined before the first request of that name. */
  private readonly names: Array<NameState | undefined> = [];
  private readonly nameText: string[] = [];
  private readonly isKey: boolean[] = [];
  private readonly all: NameState = { durations: new SampleBuffer(1 << 16), failures: 0 };
  private key: NameState = { durations: new SampleBuffer(), failures: 0 };

  private winCount: Int32Array = new Int32Array(0);
  private winFailures: Int32Array = new Int32Array(0);
  private winKey: SampleBuffer[] = [];

  private iterations = 0;
  private iterDurationSum = 0;
  private iterDurationCount = 0;
  private checkPasses = 0;
  private checkFails = 0;
  private sentBytes = 0;
  private receivedBytes = 0;
  private readonly byCode = new Map<number, number>();
  private readonly byStatus = new Map<number, number>();
  private timeouts = 0;
  private sessions = 0;
  private failedSessions = 0;
  private winSessions: Int32Array = new Int32Array(0);
  private winFailedSessions: Int32Array = new Int32Array(0);
  /** The key's durations come from a custom Trend, not from http_req_duration. */
  private readonly customKey: boolean;

  constructor(params: StageParams) {
    this.params = params;
    this.windowMs = params.windowMs;
    this.warmupMs = params.warmupMs;
    this.customKey = params.keyMetric !== undefined && params.keyMetric !== Metric.httpReqDuration;
  }

  private begin(t: number): void {
    this.started = true;
    this.testStartMs = t;
    this.holdStartMs = t + this.params.rampMs;
    this.plannedEndMs = this.holdStartMs + this.params.holdMs;
    this.windowsStartMs = this.holdStartMs + this.warmupMs;
    this.plannedWindows = this.windowMs > 0 ? Math.max(0, Math.floor((this.params.holdMs - this.warmupMs) / this.windowMs + 1e-9)) : 0;
    this.winCount = new Int32Array(this.plannedWindows);
    this.winFailures = new Int32Array(this.plannedWindows);
    this.winSessions = new Int32Array(this.plannedWindows);
    this.winFailedSessions = new Int32Array(this.plannedWindows);
    this.winKey = Array.from({ length: this.plannedWindows }, () => new SampleBuffer(256));
  }

  private metricState(r: K6Sample): MetricState {
    let m = this.metricStates[r.metricId];
    if (m === undefined) {
      // First row of this metric: classify it once.
      const builtin = Object.hasOwn(BUILTIN_METRICS, r.metric);
      const trend = builtin ? BUILTIN_METRICS[r.metric as BuiltinMetric].type === 'trend' : true;
      // A custom metric's type is not in the CSV: keep its samples and decide at the end.
      m = {
        feeds: this.customKey && r.metric === this.params.keyMetric ? Feeds.keyTrend : (FEEDS[r.metric] ?? Feeds.nothing),
        trend,
        builtin,
        nonBinary: false,
        samples: trend ? new SampleBuffer(1024) : null,
        n: 0,
        sum: 0,
        nonZero: 0,
      };
      this.metricStates[r.metricId] = m;
      this.metricNames[r.metricId] = r.metric;
    }
    return m;
  }

  private nameState(r: K6Sample): NameState {
    let n = this.names[r.nameId];
    if (n === undefined) {
      n = { durations: new SampleBuffer(1024), failures: 0 };
      this.names[r.nameId] = n;
      this.nameText[r.nameId] = r.name;
      this.isKey[r.nameId] = r.name === this.params.keyName;
      if (this.isKey[r.nameId]) this.key = n;
    }
    return n;
  }

  /** Adds one row (the record may be reused by the caller afterwards). */
  add(r: K6Sample): void {
    const t = r.timeMs;
    if (!this.started) this.begin(t);
    if (t > this.lastMs) this.lastMs = t;
    const m = this.metricState(r);
    const v = r.value;
    m.n++;
    m.sum += v;
    if (v !== 0) m.nonZero++;
    if (m.samples !== null) {
      m.samples.push(v);
      if (!m.builtin && v !== 0 && v !== 1) m.nonBinary = true;
    }
    if (t < this.holdStartMs || t >= this.plannedEndMs || m.feeds === Feeds.nothing) return;
    let w = -1;
    if (t >= this.windowsStartMs) {
      w = Math.floor((t - this.windowsStartMs) / this.windowMs);
      if (w >= this.plannedWindows) w = -1;
    }
    switch (m.feeds) {
      case Feeds.duration:
      case Feeds.keyTrend: {
        const n = this.names[r.nameId] ?? this.nameState(r);
        // With a custom key metric, an HTTP request of the same name is not the key transaction.
        const named = this.isKey[r.nameId] === true;
        const key = named && (m.feeds === Feeds.keyTrend) === this.customKey;
        if (key || !named) n.durations.push(v);
        this.all.durations.push(v);
        if (w >= 0) {
          this.winCount[w]! += 1;
          if (key) this.winKey[w]!.push(v);
        }
        break;
      }
      case Feeds.sessionFailed:
        this.sessions++;
        if (v !== 0) this.failedSessions++;
        if (w >= 0) {
          this.winSessions[w]! += 1;
          if (v !== 0) this.winFailedSessions[w]! += 1;
        }
        break;
      case Feeds.failed:
        if (r.errorCode !== 0) {
          this.byCode.set(r.errorCode, (this.byCode.get(r.errorCode) ?? 0) + 1);
          if (r.errorCode === K6_ERROR_CODES.requestTimeout) this.timeouts++;
        }
        if (v !== 0) {
          (this.names[r.nameId] ?? this.nameState(r)).failures++;
          this.all.failures++;
          this.byStatus.set(r.status, (this.byStatus.get(r.status) ?? 0) + 1);
          if (w >= 0) this.winFailures[w]! += 1;
        }
        break;
      case Feeds.iterations:
        this.iterations += v;
        break;
      case Feeds.iterationDuration:
        this.iterDurationSum += v;
        this.iterDurationCount++;
        break;
      case Feeds.checks:
        if (v !== 0) this.checkPasses++;
        else this.checkFails++;
        break;
      case Feeds.dataSent:
        this.sentBytes += v;
        break;
      case Feeds.dataReceived:
        this.receivedBytes += v;
        break;
    }
  }

  /** The stage's statistics over the rows added so far (callable again as more rows come). */
  finish(source: Pick<ReadResult, 'rows' | 'truncated' | 'warnings' | 'timeResolutionMs'> & { file: string }): StageStats {
    const p = this.params;
    const res = source.timeResolutionMs;
    // A row stamped T (whole seconds by default) stands for [T, T + resolution).
    const endMs = Math.max(this.holdStartMs, Math.min(this.plannedEndMs, this.lastMs + res));
    const heldMs = endMs - this.holdStartMs;
    const { windows, windowMs } = this.windowStats(res, endMs);
    const warnings = [...source.warnings];
    if (windowMs !== this.windowMs) {
      warnings.push(
        `${source.file}: timestamps have a ${res} ms resolution, coarser than the ${this.windowMs} ms windows: windows widened to ${windowMs} ms (run k6 with K6_CSV_TIME_FORMAT=unix_milli)`,
      );
    }

    const key = requestStats(this.key.durations, this.key.failures, heldMs);
    const byName: Record<string, RequestStats> = {};
    this.names.forEach((n, id) => {
      if (n) byName[this.nameText[id]!] = requestStats(n.durations, n.failures, heldMs);
    });
    const keyP95s = windows.map((w) => w.keyP95Ms).filter((v): v is number => v !== null);
    const mapRecord = (m: Map<number, number>): Record<string, number> =>
      Object.fromEntries([...m.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v]));

    return {
      kind: 'stage-stats',
      schemaVersion: 2,
      users: p.users,
      keyName: p.keyName,
      ...(this.customKey ? { keyMetric: p.keyMetric } : {}),
      source: { file: source.file, rows: source.rows, truncated: source.truncated, warnings, timeResolutionMs: res },
      hold: {
        testStartMs: this.testStartMs,
        rampMs: p.rampMs,
        startMs: this.holdStartMs,
        endMs,
        plannedHoldMs: p.holdMs,
        heldMs,
        windowMs,
        warmupMs: this.warmupMs,
      },
      key,
      all: withSessions(requestStats(this.all.durations, this.all.failures, heldMs), this.sessions, this.failedSessions),
      byName,
      p95Ci: key.p95Ms === null ? null : batchMeansCi(key.p95Ms, keyP95s),
      windows,
      ...this.trends(windows),
      outlierWindows: logMadOutliers(
        windows.map((w) => w.keyP95Ms),
        p.outlierMads,
      ).map((i) => windows[i]!.index),
      ...this.iterationFigures(heldMs),
      checks: { passes: this.checkPasses, fails: this.checkFails },
      data: { sentBytes: this.sentBytes, receivedBytes: this.receivedBytes },
      errors: { byCode: mapRecord(this.byCode), byStatus: mapRecord(this.byStatus), timeouts: this.timeouts },
      metrics: this.metricFigures(),
    };
  }

  /**
   * The hold's windows after the warm-up, up to `endMs`. Windows shorter than the timestamps'
   * resolution (a short hold with k6's whole-second timestamps) would alternate between full and
   * empty: k planned windows are then merged into one, and `windowMs` says how wide they are.
   */
  private windowStats(res: number, endMs: number): { windows: WindowStats[]; windowMs: number } {
    const k = this.windowMs < res ? Math.ceil(res / this.windowMs - 1e-9) : 1;
    const windowMs = this.windowMs * k;
    const windows: WindowStats[] = [];
    const winSeconds = windowMs / 1000;
    for (let i = 0; (i + 1) * k <= this.plannedWindows; i++) {
      const startMs = this.windowsStartMs + i * windowMs;
      const wEnd = startMs + windowMs;
      if (wEnd > endMs + 1e-6) break;
      let count = 0;
      let failures = 0;
      let ks = this.winKey[i * k]!;
      if (k > 1) ks = new SampleBuffer(256);
      for (let j = i * k; j < (i + 1) * k; j++) {
        count += this.winCount[j]! + this.winSessions[j]!;
        failures += this.winFailures[j]! + this.winFailedSessions[j]!;
        if (k > 1) {
          const part = this.winKey[j]!.sortedView();
          for (let q = 0; q < part.length; q++) ks.push(part[q]!);
        }
      }
      const sorted = ks.count ? ks.sortedView() : null;
      windows.push({
        index: i,
        startMs,
        endMs: wEnd,
        count,
        throughputPerS: count / winSeconds,
        goodputPerS: Math.max(0, count - failures) / winSeconds,
        errorRate: count ? Math.min(1, failures / count) : 0,
        keyCount: ks.count,
        keyMeanMs: sorted ? ks.total / ks.count : null,
        keyP95Ms: sorted ? percentileSorted(sorted, 0.95) : null,
      });
    }
    return { windows, windowMs };
  }

  /** The trend tests over the windows, when enough of them carry enough key requests. */
  private trends(windows: readonly WindowStats[]): Pick<StageStats, 'trendTestable' | 'latencyTrend' | 'throughputTrend'> {
    const p = this.params;
    const tested = windows.filter((w) => w.keyCount >= p.trendMinKeyRequests);
    const trendTestable: TrendTestable = {
      testable: tested.length >= p.trendMinWindows,
      windows: tested.length,
      windowsAfterWarmup: windows.length,
      minWindows: p.trendMinWindows,
      minKeyRequests: p.trendMinKeyRequests,
    };
    return {
      trendTestable,
      latencyTrend: trendTestable.testable
        ? trendTest(
            tested.map((w) => ({ x: w.index, y: w.keyMeanMs! })),
            'increasing',
          )
        : null,
      throughputTrend: trendTestable.testable
        ? trendTest(
            windows.map((w) => ({ x: w.index, y: w.throughputPerS })),
            'decreasing',
          )
        : null,
    };
  }

  /** Iterations over the hold, and Little's law checked on them. */
  private iterationFigures(heldMs: number): Pick<StageStats, 'iterations' | 'littlesLaw'> {
    const users = this.params.users;
    const iterRate = heldMs > 0 ? (this.iterations * 1000) / heldMs : 0;
    const meanIter = this.iterDurationCount ? this.iterDurationSum / this.iterDurationCount : null;
    const estimatedUsers = meanIter !== null && heldMs > 0 ? (iterRate * meanIter) / 1000 : null;
    const deviationPct = estimatedUsers !== null ? ((estimatedUsers - users) / users) * 100 : null;
    return {
      iterations: { count: this.iterations, ratePerS: iterRate, meanDurationMs: meanIter },
      littlesLaw: {
        users,
        estimatedUsers,
        deviationPct,
        // Not checkable (no iteration finished in the hold: iterations longer than a short hold)
        // is not a failure of the check; estimatedUsers null says it was not made.
        ok: deviationPct === null || Math.abs(deviationPct) <= LITTLES_LAW_TOLERANCE_PCT,
        why: littlesLawWords(users, iterRate, meanIter, estimatedUsers, deviationPct),
      },
    };
  }

  /** Every metric of the file, as k6 aggregates it: counters, rates, and trends' figures. */
  private metricFigures(): Record<string, Record<string, number>> {
    const metrics: Record<string, Record<string, number>> = {};
    this.metricStates.forEach((m, id) => {
      const name = this.metricNames[id]!;
      if (m.builtin && !m.trend) {
        // Built-in counters and rates with k6's keys too, so the whole file can be checked against k6.
        const type = BUILTIN_METRICS[name as BuiltinMetric].type;
        if (type === 'counter') metrics[name] = { count: m.sum };
        else if (type === 'rate') metrics[name] = { passes: m.nonZero, fails: m.n - m.nonZero, value: m.n ? m.nonZero / m.n : 0 };
        return;
      }
      if (!m.samples || (!m.builtin && !m.nonBinary)) return;
      const f = trendFigures(m.samples);
      if (f) metrics[name] = { ...f };
    });
    return metrics;
  }
}

/**
 * Reads a stage's CSV (plain or gzip) and computes its statistics over the hold period:
 * hold = first sample + rampMs → + holdMs, clipped to the data. Rejects with a UserError
 * naming the file and line when the CSV is unreadable; a cut file gives figures over what was
 * read, with `source.truncated` and a warning.
 */
export async function computeStageStats(input: StageParams & { file: string; signal?: AbortSignal }): Promise<StageStats> {
  const acc = new StageAccumulator(input);
  const read = await readK6Csv(input.file, (r) => acc.add(r), input.signal ? { signal: input.signal } : {});
  return acc.finish({ ...read, file: input.file });
}
