import type { Level } from '../../formats/decision.ts';
import { type RunManifest, type RunStatus, type StageStatus, stageFiles } from '../../formats/run-manifest.ts';
import type { RunSummary } from '../../formats/run-summary.ts';
import type { RequestStats, StageStats, TrendTest, TrendTestable, WindowStats } from '../../formats/stage-stats.ts';
import { DEFAULT_CONFIG } from '../../formats/config.ts';
import { littlesLawWords } from '../../runner/stats/stage-stats.ts';
import type { StoredRun } from '../../runner/results-store.ts';

/**
 * Builders of runs as the decision and the report read them (run.json, summary.json, stage
 * statistics), with sensible defaults: a healthy 6-stage run (5 → 150 users, target 100, 10 m holds)
 * on the embedded engine. Each test states only what it is about. Pure: no files (see
 * results-folder.ts to write them). Every builder's output passes its format's schema
 * (checked in testkit.test.ts).
 */

export const STAGES = [5, 20, 50, 75, 100, 150] as const;
export const HOLD_MS = 600_000;
export const KEY = 'search';
export const BUNDLE_SHA = 'a'.repeat(64);

/** The i-th run id (i ≥ 0), in time order: `2026-11-01T0300Z-r000`, then one hour later each. */
export function runId(i: number): string {
  const day = 1 + Math.floor(i / 24);
  const hour = i % 24;
  return `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}00Z-r${String(i).padStart(3, '0')}`;
}

/** The start time an id says (`2026-11-01T0300Z-…` → `2026-11-01T03:00:00.000Z`). */
export function startedAtOf(id: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})Z/.exec(id);
  if (!m) throw new Error(`not a run id: ${id}`);
  return `${m[1]}T${m[2]}:${m[3]}:00.000Z`;
}

/** A trend test result; defaults: no trend (p = 0.42, +1 % over the hold). */
export function trend(o: Partial<TrendTest> = {}): TrendTest {
  return { n: 18, s: 3, z: 0.2, pValue: 0.42, direction: 'increasing', slopePerWindow: 0.1, changePctOverHold: 1, ...o };
}

/** Request figures; `errorRate` follows `failures / count`, and goodput the throughput's successful share, unless given. */
export function requestStats(o: Partial<RequestStats> = {}): RequestStats {
  const count = o.count ?? 10_000;
  const failures = o.failures ?? 0;
  const p95 = o.p95Ms === undefined ? 1200 : o.p95Ms;
  const scale = (f: number) => (p95 === null ? null : Math.round(p95 * f));
  const throughputPerS = o.throughputPerS ?? count / 540;
  return {
    count,
    failures,
    errorRate: count ? failures / count : 0,
    throughputPerS,
    goodputPerS: count ? (throughputPerS * Math.max(0, count - failures)) / count : 0,
    minMs: scale(0.1),
    meanMs: scale(0.5),
    p50Ms: scale(0.45),
    p90Ms: scale(0.85),
    p95Ms: p95,
    p99Ms: scale(1.3),
    maxMs: scale(2),
    ...o,
  };
}

export interface WindowsSpec {
  n?: number;
  /** Window length; default hold/20. */
  windowMs?: number;
  /** First window's start (ms since the epoch); default 1.8e12 + warm-up. */
  startMs?: number;
  throughputPerS?: number | ((i: number) => number);
  keyMeanMs?: number | null | ((i: number) => number | null);
  /** Default: keyMeanMs × 2 with a small deterministic jitter (so the MAD is not 0). */
  keyP95Ms?: number | null | ((i: number) => number | null);
  errorRate?: number | ((i: number) => number);
  /** Requests in the window; default throughput × window length. */
  count?: number | ((i: number) => number);
  /** Key transaction's requests in the window; default a third of the count. */
  keyCount?: number | ((i: number) => number);
}

function at<T>(v: T | ((i: number) => T), i: number): T {
  return typeof v === 'function' ? (v as (i: number) => T)(i) : v;
}

/** Steady windows by default (18 of 30 s: a 10 m hold after 60 s of warm-up). */
export function windows(spec: WindowsSpec = {}): WindowStats[] {
  const n = spec.n ?? 18;
  const windowMs = spec.windowMs ?? HOLD_MS / 20;
  const start = spec.startMs ?? 1_800_000_000_000 + HOLD_MS / 10;
  const out: WindowStats[] = [];
  for (let i = 0; i < n; i += 1) {
    const throughputPerS = at(spec.throughputPerS ?? 18, i);
    const keyMeanMs = at(spec.keyMeanMs === undefined ? 600 : spec.keyMeanMs, i);
    const jitter = 1 + 0.02 * (((i * 7) % 5) - 2);
    const keyP95Ms = spec.keyP95Ms === undefined ? (keyMeanMs === null ? null : keyMeanMs * 2 * jitter) : at(spec.keyP95Ms, i);
    const count = spec.count === undefined ? Math.round((throughputPerS * windowMs) / 1000) : at(spec.count, i);
    out.push({
      index: i,
      startMs: start + i * windowMs,
      endMs: start + (i + 1) * windowMs,
      count,
      throughputPerS,
      goodputPerS: throughputPerS * (1 - at(spec.errorRate ?? 0, i)),
      errorRate: at(spec.errorRate ?? 0, i),
      keyCount: spec.keyCount === undefined ? Math.round(count / 3) : at(spec.keyCount, i),
      keyMeanMs,
      keyP95Ms,
    });
  }
  return out;
}

/** What a test says about one stage's statistics; everything else gets a healthy default. */
export interface StageSpec {
  users?: number;
  keyName?: string;
  /** Planned hold; default 10 m. */
  holdMs?: number;
  /** Measured hold; default the planned one. */
  heldMs?: number;
  truncated?: boolean;
  /** Key transaction's p95 (null: no key sample); default 1200 ms. */
  p95Ms?: number | null;
  /** Default p95 ± 5 %; null: none. */
  p95Ci?: { lowMs: number; highMs: number } | null;
  /** All requests of the stage; default 10 000. */
  count?: number;
  failures?: number;
  timeouts?: number;
  windows?: WindowStats[];
  latencyTrend?: TrendTest | null;
  throughputTrend?: TrendTest | null;
  /** Indices of the windows the collector found to be outliers; default none. */
  outlierWindows?: number[];
  /** All requests' throughput (req/s); default count / 540 (a 10 m hold less its 1 m warm-up). */
  throughputPerS?: number;
  /** Failed requests by k6 error code; default 1050 (request timeout) × timeouts. */
  byCode?: Readonly<Record<string, number>>;
  /** Iterations ended in the hold; default count / 3 of them, at that many per 540 s, 3 s each. */
  iterations?: Partial<StageStats['iterations']>;
  /** Whether the stage passes the Little's law check; default true. */
  littlesLawOk?: boolean;
  /** Whether the hold has the data for a trend test; default as the collector finds it in `windows` (default config). */
  trendTestable?: boolean;
}

/** Trend testability of windows as the collector decides it (SPEC §2), with the default config's minimums. */
export function trendTestable(ws: readonly WindowStats[], testable?: boolean): TrendTestable {
  const h = DEFAULT_CONFIG.criteria.held;
  const n = ws.filter((w) => w.keyCount >= h.trendMinKeyRequests).length;
  return {
    testable: testable ?? n >= h.trendMinWindows,
    windows: n,
    windowsAfterWarmup: ws.length,
    minWindows: h.trendMinWindows,
    minKeyRequests: h.trendMinKeyRequests,
  };
}

export function stageStats(spec: StageSpec = {}): StageStats {
  const users = spec.users ?? 100;
  const holdMs = spec.holdMs ?? HOLD_MS;
  const heldMs = spec.heldMs ?? holdMs;
  const p95 = spec.p95Ms === undefined ? 1200 : spec.p95Ms;
  const count = spec.count ?? 10_000;
  const failures = spec.failures ?? 0;
  const timeouts = spec.timeouts ?? spec.byCode?.['1050'] ?? 0;
  const byCode = spec.byCode ?? (timeouts ? { '1050': timeouts } : {});
  const start = 1_800_000_000_000;
  const ws = spec.windows ?? windows({ windowMs: holdMs / 20, startMs: start + holdMs / 10 });
  const key = requestStats({ count: Math.round(count / 3), failures: Math.round(failures / 3), p95Ms: p95 });
  const all = requestStats({
    count,
    failures,
    p95Ms: p95 === null ? 800 : p95 * 0.8,
    // Only when given: an undefined field would override requestStats' own default.
    ...(spec.throughputPerS === undefined ? {} : { throughputPerS: spec.throughputPerS }),
  });
  const ci = spec.p95Ci === undefined ? (p95 === null ? null : { lowMs: p95 * 0.95, highMs: p95 * 1.05 }) : spec.p95Ci;
  const byStatus: Record<string, number> = {};
  if (spec.byCode) {
    // k6 codes from 1400 are an HTTP status + 1000; lower ones never got an answer (status 0).
    for (const [code, n] of Object.entries(spec.byCode)) {
      const status = Number(code) >= 1400 ? String(Number(code) - 1000) : '0';
      byStatus[status] = (byStatus[status] ?? 0) + n;
    }
  } else {
    if (failures - timeouts > 0) byStatus['503'] = failures - timeouts;
    if (timeouts > 0) byStatus['0'] = timeouts;
  }
  return {
    kind: 'stage-stats',
    schemaVersion: 2,
    users,
    keyName: spec.keyName ?? KEY,
    source: { file: stageFiles(users).csv, rows: count * 12, truncated: spec.truncated ?? false, warnings: [], timeResolutionMs: 1000 },
    hold: {
      testStartMs: start - 20_000,
      rampMs: 20_000,
      startMs: start,
      endMs: start + heldMs,
      plannedHoldMs: holdMs,
      heldMs,
      windowMs: holdMs / 20,
      warmupMs: holdMs / 10,
    },
    key,
    all,
    byName: { [spec.keyName ?? KEY]: key, home: requestStats({ count: count - key.count, p95Ms: 300 }) },
    p95Ci: ci ? { ...ci, windows: ws.length } : null,
    windows: ws,
    trendTestable: trendTestable(ws, spec.trendTestable),
    latencyTrend: spec.latencyTrend === undefined ? trend() : spec.latencyTrend,
    throughputTrend:
      spec.throughputTrend === undefined ? trend({ direction: 'decreasing', pValue: 0.5, changePctOverHold: -1 }) : spec.throughputTrend,
    outlierWindows: spec.outlierWindows ?? [],
    iterations: { count: Math.round(count / 3), ratePerS: count / 3 / 540, meanDurationMs: 3000, ...spec.iterations },
    // A failing check: 22 % fewer busy users than run, worded by the collector's own function.
    littlesLaw:
      spec.littlesLawOk === false
        ? {
            users,
            estimatedUsers: users * 0.78,
            deviationPct: -22,
            ok: false,
            why: littlesLawWords(users, 1, users * 780, users * 0.78, -22),
          }
        : { users, estimatedUsers: users, deviationPct: 0, ok: true, why: littlesLawWords(users, 1, users * 1000, users, 0) },
    checks: { passes: count - failures, fails: failures },
    data: { sentBytes: count * 200, receivedBytes: count * 5000 },
    errors: { byCode: { ...byCode }, byStatus, timeouts },
    metrics: {},
  };
}

/** What a test says about a run; defaults: a completed healthy run of the default plan. */
export interface RunSpec {
  id?: string;
  /** ISO start time; default the minute the id says (two runs of one minute differ only here). */
  startedAt?: string;
  host?: string;
  /** run.json `environment` (default staging). */
  environment?: string;
  scenario?: string;
  bundleSha256?: string;
  engine?: { name: string; version: string };
  stages?: readonly number[];
  holdMs?: number;
  spawnRate?: number;
  targetStage?: number;
  keyTransaction?: string;
  status?: RunStatus;
  why?: string;
  /** Per stage (users): how it ended; default completed. */
  stageStatus?: Readonly<Record<number, StageStatus | { status: StageStatus; why?: string }>>;
  /** Per stage (users): its statistics (a spec, or null for none); default healthy, none for skipped stages. */
  stats?: Readonly<Record<number, StageSpec | null>>;
  /** Stages failing the Little's law check. */
  suspectStages?: readonly number[];
}

export function runManifest(spec: RunSpec = {}): RunManifest {
  const id = spec.id ?? runId(0);
  const users = spec.stages ?? STAGES;
  const holdMs = spec.holdMs ?? HOLD_MS;
  const spawnRate = spec.spawnRate ?? 5;
  const statusOf = (u: number): { status: StageStatus; why?: string } => {
    const s = spec.stageStatus?.[u];
    return s === undefined ? { status: 'completed' } : typeof s === 'string' ? { status: s } : s;
  };
  const anyTargetFailed = users.some((u) => statusOf(u).status === 'target-failed');
  const status: RunStatus = spec.status ?? (anyTargetFailed ? 'failed' : 'completed');
  return {
    kind: 'run-manifest',
    schemaVersion: 2,
    id,
    startedAt: spec.startedAt ?? startedAtOf(id),
    host: spec.host ?? 'https://staging.example.com',
    environment: spec.environment ?? 'staging',
    scenario: { name: spec.scenario ?? 'search', bundleSha256: spec.bundleSha256 ?? BUNDLE_SHA },
    plan: {
      stages: users.map((u) => ({ users: u, rampMs: Math.ceil((u / spawnRate) * 1000), holdMs })),
      holdMs,
      spawnRate,
      targetStage: spec.targetStage ?? 100,
      keyTransaction: spec.keyTransaction ?? KEY,
    },
    engine: spec.engine ?? { name: 'embedded', version: '0.1.0' },
    status,
    ...(spec.why !== undefined ? { why: spec.why } : status === 'completed' ? {} : { why: `${status} (test)` }),
    stages: users.map((u) => {
      const s = statusOf(u);
      return { users: u, status: s.status, ...(s.why ? { why: s.why } : {}), files: stageFiles(u) };
    }),
  };
}

export function runSummary(manifest: RunManifest, spec: RunSpec = {}): RunSummary {
  return {
    kind: 'run-summary',
    schemaVersion: 2,
    runId: manifest.id,
    keyName: manifest.plan.keyTransaction,
    stages: manifest.stages.map((record) => {
      const given = spec.stats?.[record.users];
      const stats =
        given === null
          ? null
          : given === undefined && record.status === 'skipped'
            ? null
            : stageStats({
                users: record.users,
                holdMs: manifest.plan.holdMs,
                keyName: manifest.plan.keyTransaction,
                ...(spec.suspectStages?.includes(record.users) ? { littlesLawOk: false } : {}),
                ...given,
              });
      return { users: record.users, status: record.status, stats };
    }),
    saturation: { firstStage: null, signals: [], steps: [], why: 'no step up showed a signal beyond noise (test run)' },
    capacity: { users: null, words: 'not computed (test run)', estimate: null, note: 'no model estimate (test run)' },
    suspectStages: [...(spec.suspectStages ?? [])],
  };
}

/** A run as listRuns returns it (`dir` is where results-folder.ts would write it). */
export function storedRun(spec: RunSpec = {}, resultsDir = '/results'): StoredRun {
  const manifest = runManifest(spec);
  return { id: manifest.id, dir: `${resultsDir}/runs/${manifest.id}`, manifest, summary: runSummary(manifest, spec), problem: null };
}

/** Levels of the three criteria as SPEC §5 writes them: "R G O" = p95 red, error rate green, held orange. */
export type LevelTriple = `${'G' | 'O' | 'R'} ${'G' | 'O' | 'R'} ${'G' | 'O' | 'R'}`;

export const LEVEL_OF_LETTER: Readonly<Record<'G' | 'O' | 'R', Level>> = { G: 'green', O: 'orange', R: 'red' };

/**
 * A run whose three criteria come out at the given levels, each independently of the others:
 * p95 1800 / 3000 / 5000 ms; error rate 0 / 2 / 5 % on the stages before the target (the target
 * itself stays clean so that the held criterion is not dragged along); held: steady / +15 % latency
 * trend (p = 0.01) / +40 % latency trend (p = 0.001).
 */
export function runWithLevels(i: number, levels: LevelTriple, extra: RunSpec = {}): StoredRun {
  const [p, e, h] = levels.split(' ') as ['G' | 'O' | 'R', 'G' | 'O' | 'R', 'G' | 'O' | 'R'];
  const stages = extra.stages ?? STAGES;
  const target = extra.targetStage ?? 100;
  const p95Ms = { G: 1800, O: 3000, R: 5000 }[p];
  const errorPct = { G: 0, O: 2, R: 5 }[e];
  const latencyTrend = {
    G: trend(),
    O: trend({ pValue: 0.01, changePctOverHold: 15, slopePerWindow: 5 }),
    R: trend({ pValue: 0.001, changePctOverHold: 40, slopePerWindow: 14 }),
  }[h];
  const stats: Record<number, StageSpec | null> = {};
  for (const u of stages) {
    if (u < target) stats[u] = { failures: errorPct * 100, count: 10_000 };
    else if (u === target) stats[u] = { p95Ms, latencyTrend };
  }
  return storedRun({ id: runId(i), ...extra, stats: { ...stats, ...extra.stats } });
}
