import type { CriterionId, CriterionResult, Decision, Level, RunLevel } from '../../formats/decision.ts';
import type { RunManifest } from '../../formats/run-manifest.ts';
import { stageFiles } from '../../formats/run-manifest.ts';
import type { RunSummary } from '../../formats/run-summary.ts';
import type { RequestStats, StageStats } from '../../formats/stage-stats.ts';
import { BUNDLE_SHA, STAGES, trendTestable, windows as kitWindows } from './runs.ts';
import { capacityInUsers } from '../../runner/stats/run-summary.ts';
import { littlesLawWords } from '../../runner/stats/stage-stats.ts';
import type { EnvironmentSide, ReportRun, ReportSettings } from '../../runner/report/report-input.ts';

/**
 * Builders of the report's inputs with sensible defaults (a healthy 6-stage run of the demo
 * shape), so that each test states only what it is about. Pure: no files.
 */

export const SETTINGS: ReportSettings = {
  environment: 'staging',
  criteria: { p95Ms: { green: 2500, orange: 4000 }, errorRatePct: { green: 1, orange: 3 } },
  targetStage: 100,
  keyTransaction: { name: 'search' },
  runsToCompare: 3,
  actions: {
    go: 'Keep the weekly run; no change.',
    watch: 'Run twice this week and look at the slowest windows.',
    noGo: 'Open the migration study: shortlist two providers.',
    provisional: 'Run again this week so the decision rests on three runs.',
    insufficientData: 'Run `npm run stages` against the target three times this week.',
  },
};

function requestStats(count: number, errorRate: number, throughputPerS: number, p95Ms: number): RequestStats {
  return {
    count,
    failures: Math.round(count * errorRate),
    errorRate,
    throughputPerS,
    goodputPerS: throughputPerS * (1 - errorRate),
    minMs: Math.round(p95Ms * 0.2),
    meanMs: Math.round(p95Ms * 0.55),
    p50Ms: Math.round(p95Ms * 0.5),
    p90Ms: Math.round(p95Ms * 0.85),
    p95Ms,
    p99Ms: Math.round(p95Ms * 1.3),
    maxMs: Math.round(p95Ms * 1.8),
  };
}

export interface StageShape {
  users: number;
  p95Ms: number;
  /** 0–1. */
  errorRate: number;
  throughputPerS: number;
}

/** Latency and throughput of the default healthy run, per stage (throughput flattens past 100). */
export function healthyShape(users: number): StageShape {
  const throughputPerS = users <= 100 ? users * 0.9 : 90 + (users - 100) * 0.1;
  const p95Ms = users <= 100 ? 400 + users * 15 : 1900 + (users - 100) * 40;
  return { users, p95Ms, errorRate: users > 100 ? 0.02 : 0.001, throughputPerS };
}

export function stageStats(shape: StageShape, startMs: number, holdMs = 600_000): StageStats {
  const windowMs = 30_000;
  const warmupMs = 60_000;
  const holdStart = startMs + 20_000;
  const count = Math.round((shape.throughputPerS * (holdMs - warmupMs)) / 1000);
  // A small deterministic wobble so the lines are not flat.
  const wobble = (i: number) => 1 + ((i % 4) - 1.5) * 0.02;
  const windows = kitWindows({
    n: Math.floor((holdMs - warmupMs) / windowMs),
    windowMs,
    startMs: holdStart + warmupMs,
    count: Math.round(shape.throughputPerS * 30),
    keyCount: Math.round(shape.throughputPerS * 10),
    throughputPerS: (i) => Number((shape.throughputPerS * wobble(i)).toFixed(2)),
    errorRate: shape.errorRate,
    keyMeanMs: (i) => Math.round(shape.p95Ms * 0.55 * wobble(i)),
    keyP95Ms: (i) => Math.round(shape.p95Ms * wobble(i)),
  });
  const key = requestStats(Math.round(count / 3), shape.errorRate, shape.throughputPerS / 3, shape.p95Ms);
  const all = requestStats(count, shape.errorRate, shape.throughputPerS, Math.round(shape.p95Ms * 0.8));
  return {
    kind: 'stage-stats',
    schemaVersion: 2,
    users: shape.users,
    keyName: 'search',
    source: { file: stageFiles(shape.users).csv, rows: count * 12, truncated: false, warnings: [], timeResolutionMs: 1000 },
    hold: {
      testStartMs: startMs,
      rampMs: 20_000,
      startMs: holdStart,
      endMs: holdStart + holdMs,
      plannedHoldMs: holdMs,
      heldMs: holdMs,
      windowMs,
      warmupMs,
    },
    key,
    all,
    byName: { search: key },
    p95Ci: { lowMs: Math.round(shape.p95Ms * 0.92), highMs: Math.round(shape.p95Ms * 1.08), windows: windows.length },
    windows,
    trendTestable: trendTestable(windows),
    latencyTrend: null,
    throughputTrend: null,
    outlierWindows: [],
    iterations: { count: Math.round(count / 3), ratePerS: shape.throughputPerS / 3, meanDurationMs: 3000 },
    littlesLaw: {
      users: shape.users,
      estimatedUsers: shape.users,
      deviationPct: 0,
      ok: true,
      why: `Little's law: ${shape.users} busy users for ${shape.users} run (+0 %, within ±10 %)`,
    },
    checks: { passes: count, fails: 0 },
    data: { sentBytes: count * 200, receivedBytes: count * 5000 },
    errors: { byCode: {}, byStatus: {}, timeouts: 0 },
    metrics: {},
  };
}

export interface RunSpec {
  id: string;
  startedAt: string;
  shape?: (users: number) => StageShape;
  host?: string;
  /** run.json `environment` (default staging). */
  environment?: string;
  engine?: { name: string; version: string };
  status?: RunManifest['status'];
  why?: string;
  saturatedFrom?: number | null;
  capacity?: boolean;
  suspectStages?: number[];
}

const STAGE_MS = 620_000;

/** A run folder's manifest and summary, as the results store returns them. */
export function run(spec: RunSpec): ReportRun {
  const shape = spec.shape ?? healthyShape;
  const t0 = Date.parse(spec.startedAt);
  const stages = summaryStages(shape, t0, new Set(spec.suspectStages ?? []));
  const summary: RunSummary = {
    kind: 'run-summary',
    schemaVersion: 2,
    runId: spec.id,
    keyName: 'search',
    stages,
    saturation: saturation(spec.saturatedFrom === undefined ? 150 : spec.saturatedFrom),
    capacity: {
      ...capacityInUsers(stages, 'search', { p95GreenMs: SETTINGS.criteria.p95Ms.green, errorRatePct: SETTINGS.criteria.errorRatePct }),
      ...(spec.capacity === false
        ? { estimate: null, note: 'fewer than 4 stages with samples: no fit' }
        : { estimate: uslEstimate(shape), note: '' }),
    },
    suspectStages: spec.suspectStages ?? [],
  };
  return { id: spec.id, manifest: manifest(spec, t0), summary };
}

function manifest(spec: RunSpec, t0: number): RunManifest {
  return {
    kind: 'run-manifest',
    schemaVersion: 2,
    id: spec.id,
    startedAt: spec.startedAt,
    endedAt: new Date(t0 + STAGES.length * STAGE_MS).toISOString(),
    host: spec.host ?? 'https://app.example.com',
    environment: spec.environment ?? 'staging',
    scenario: { name: 'search', bundleSha256: BUNDLE_SHA },
    plan: {
      stages: STAGES.map((users) => ({ users, rampMs: 20_000, holdMs: 600_000 })),
      holdMs: 600_000,
      spawnRate: 5,
      targetStage: 100,
      keyTransaction: 'search',
    },
    engine: spec.engine ?? { name: 'k6', version: '1.4.2' },
    status: spec.status ?? 'completed',
    ...(spec.why ? { why: spec.why } : {}),
    stages: STAGES.map((users, i) => ({
      users,
      status: 'completed' as const,
      startedAt: new Date(t0 + i * STAGE_MS).toISOString(),
      endedAt: new Date(t0 + (i + 1) * STAGE_MS).toISOString(),
      exitCode: 0,
      files: stageFiles(users),
    })),
  };
}

/** Each stage's statistics; a suspect stage had 22 % fewer busy users than it ran (Little's law). */
function summaryStages(shape: (users: number) => StageShape, t0: number, suspect: ReadonlySet<number>): RunSummary['stages'] {
  return STAGES.map((users, i) => {
    const stats = stageStats(shape(users), t0 + i * STAGE_MS);
    if (!suspect.has(users)) return { users, status: 'completed' as const, stats };
    // The words come from the collector's own function.
    const { ratePerS } = stats.iterations;
    const estimated = users * 0.78;
    const meanDurationMs = (estimated * 1000) / ratePerS;
    const littlesLaw = {
      users,
      estimatedUsers: estimated,
      deviationPct: -22,
      ok: false,
      why: littlesLawWords(users, ratePerS, meanDurationMs, estimated, -22),
    };
    return { users, status: 'completed' as const, stats: { ...stats, iterations: { ...stats.iterations, meanDurationMs }, littlesLaw } };
  });
}

/** Saturation from `saturatedFrom` users on (null: none), with its step-by-step evidence. */
function saturation(saturatedFrom: number | null): RunSummary['saturation'] {
  return {
    firstStage: saturatedFrom,
    signals: saturatedFrom === null ? [] : ['goodput-flat-p95-up'],
    steps: STAGES.slice(1).map((toUsers, i) => ({
      fromUsers: STAGES[i]!,
      toUsers,
      goodputGainRatio: toUsers === saturatedFrom ? 0.1 : 0.95,
      p95RisePct: toUsers === saturatedFrom ? 60 : 12,
      fromErrorRate: 0,
      toErrorRate: 0,
      errorRiseP: null,
      signals: toUsers === saturatedFrom ? ['goodput-flat-p95-up' as const] : [],
      saturated: toUsers === saturatedFrom,
      why: toUsers === saturatedFrom ? 'goodput +2 % for +50 % users while p95 rose 60 %' : 'goodput followed users',
    })),
    why:
      saturatedFrom === null
        ? 'no step up showed a signal beyond noise'
        : `${saturatedFrom} users: goodput +2 % for +50 % users while p95 rose 60 %`,
  };
}

/** A USL estimate whose peak follows from its parameters (λ 0.95, σ 0, κ 3e-5: peak at 183 users). */
function uslEstimate(shape: (users: number) => StageShape): NonNullable<RunSummary['capacity']['estimate']> {
  const lambda = 0.95;
  const sigma = 0;
  const kappa = 0.00003;
  const x = (n: number) => (lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1));
  const usersAtPeak = Math.sqrt((1 - sigma) / kappa);
  return {
    model: 'usl',
    lambda,
    sigma,
    kappa,
    r2: 0.97,
    residuals: STAGES.map((users) => ({ users, observed: shape(users).throughputPerS, fitted: x(users) })),
    peakGoodputPerS: x(usersAtPeak),
    usersAtPeak,
    limit: { users: 225, reason: 'extrapolation' },
    uncertainty: {
      method: 'leave-one-stage-out',
      refits: 6,
      peakGoodputLowPerS: x(usersAtPeak) * 0.9,
      peakGoodputHighPerS: x(usersAtPeak) * 1.1,
      usersAtPeakLow: 160,
      usersAtPeakHigh: 205,
    },
    usersAtP95Green: 140,
  };
}

export interface RunLevelSpec {
  level: Level;
  figure?: number | null;
  borderline?: boolean;
  rule?: string;
}

const BOUNDS: Record<CriterionId, string> = {
  p95: 'green ≤ 2500 ms, orange ≤ 4000 ms',
  errorRate: 'green < 1 %, orange ≤ 3 %',
  held: 'held without degradation',
};

/** A decision over `runIds` (newest first) with per-criterion levels per run. */
export function decision(options: {
  decision: Decision['decision'];
  runIds: string[];
  levels: Partial<Record<CriterionId, { consolidated: Level; runs: RunLevelSpec[] }>>;
  score: number | null;
  reading: Decision['reading'];
  reasons?: string[];
  provisional?: boolean;
  excluded?: Decision['excluded'];
}): Decision {
  const criteria: Partial<Record<CriterionId, CriterionResult>> = {};
  for (const [id, spec] of Object.entries(options.levels) as [CriterionId, { consolidated: Level; runs: RunLevelSpec[] }][]) {
    criteria[id] = {
      level: spec.consolidated,
      runs: spec.runs.map(
        (r, i): RunLevel => ({
          runId: options.runIds[i]!,
          level: r.level,
          figure: r.figure === undefined ? null : r.figure,
          bound: BOUNDS[id],
          rule: r.rule ?? `${r.level} by the grid`,
          borderline: r.borderline ?? false,
          ci: id === 'p95' && r.figure != null ? { lowMs: Math.round(r.figure * 0.92), highMs: Math.round(r.figure * 1.08) } : null,
        }),
      ),
    };
  }
  return {
    kind: 'decision',
    schemaVersion: 1,
    decision: options.decision,
    provisional: options.provisional ?? false,
    score: options.score,
    reading: options.reading,
    reasons: options.reasons ?? [],
    criteria,
    runs: options.runIds,
    baseline: options.runIds.at(-1) ?? null,
    excluded: options.excluded ?? [],
    runsToCompare: 3,
    environment: 'staging',
    targetStage: options.runIds.length ? 100 : null,
    keyTransaction: 'search',
  };
}

const LEVEL_OF_DECISION: Record<Exclude<Decision['decision'], 'insufficient-data'>, Level> = {
  go: 'green',
  watch: 'orange',
  'no-go': 'red',
};

/**
 * One environment of a migration rehearsal: runs of `environment` (week 2026-W47, newest first)
 * whose p95 at the target stage is `p95s[i]`, and a decision over them with that value (its p95
 * level follows the value); `p95s` empty: no usable run, insufficient data.
 */
export function environmentSide(environment: string, value: Decision['decision'], p95s: readonly number[]): EnvironmentSide {
  const days = ['22', '20', '18', '16', '14'];
  const ids = p95s.map((_, i) => `2026-11-${days[i]}T0300Z-${environment.slice(0, 2)}0${i}`);
  const runs = p95s.map((p95, i) =>
    run({
      id: ids[i]!,
      startedAt: `2026-11-${days[i]}T03:00:00Z`,
      environment,
      host: `https://${environment}.example.com`,
      shape: (users) => ({ ...healthyShape(users), p95Ms: Math.round((healthyShape(users).p95Ms * p95) / healthyShape(100).p95Ms) }),
    }),
  );
  const level = value === 'insufficient-data' ? 'green' : LEVEL_OF_DECISION[value];
  const d =
    value === 'insufficient-data'
      ? decision({ decision: value, runIds: [], levels: {}, score: null, reading: null, reasons: ['no comparable run'] })
      : decision({
          decision: value,
          runIds: ids,
          levels: {
            p95: { consolidated: level, runs: p95s.map((figure) => ({ level, figure })) },
            errorRate: { consolidated: 'green', runs: p95s.map(() => ({ level: 'green' as const, figure: 0.1 })) },
            held: { consolidated: 'green', runs: p95s.map(() => ({ level: 'green' as const })) },
          },
          score: 0,
          reading: 'ok',
        });
  return { environment, decision: { ...d, environment }, runs };
}
